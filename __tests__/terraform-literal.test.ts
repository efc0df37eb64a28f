import { ConfigError } from "../lib/config/load";
import { terraformLiteral, terraformLiterals } from "../lib/config/core/terraform-literal";
import { configFrom, merge, rawEnvironment } from "./helpers/config";
import { allStrings } from "./helpers/json";
import { stacksOf } from "./helpers/environments";

function reportOf(raw: Record<string, unknown>): string {
  try {
    configFrom(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "";
}

describe("config strings reach Terraform literally", () => {
  it("escapes ${ and %{ (Terraform's $${ and %%{)", () => {
    expect(terraformLiteral('a ${file("x")} %{ if y }')).toBe('a $${file("x")} %%{ if y }');
    expect(terraformLiteral("plain")).toBe("plain");
    expect(terraformLiterals({ list: ["${a}"], "k${b}": { n: 1 } })).toEqual({
      list: ["$${a}"],
      "k$${b}": { n: 1 },
    });
  });

  it("a displayName with a template is written escaped into the cluster", () => {
    const strings = allStrings(stacksOf("templateDisplayName")["onprem-network"]);
    expect(strings).toContain('$${file("/x")}');
    expect(
      strings.filter((text) => text.includes('${file("/x")}') && !text.includes("$${")),
    ).toEqual([]);
  });

  it("backend settings refuse template sequences (backend blocks are not evaluated, remote-state reads are)", () => {
    const report = reportOf(
      merge(rawEnvironment("environments/example.yaml"), {
        backend: { type: "gcs", bucket: "tf-state", prefix: '${file("/etc/passwd")}' },
      }),
    );
    expect(report).toContain("backend.prefix: must not contain ${ or %{");
  });

  it("cdktf's token marker is refused before cdktf could resolve it", () => {
    const report = reportOf(
      merge(rawEnvironment("environments/example.yaml"), {
        onprem: {
          cluster: {
            authorizedNetworks: [{ cidr: "203.0.113.0/24", displayName: "${TfToken[TOKEN.1]}" }],
          },
        },
      }),
    );
    expect(report).toContain('displayName: contains "TfToken["');
  });
});
