/**
 * docs/restricted-networks.md's list of providers `terraform init` downloads (for a provider mirror in a
 * restricted network) is exactly what the synthesized stacks require, over every shipped
 * environment and test variant.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers/config";
import { SYNTH_NAMES, stacksOf } from "./helpers/environments";

const PAGE = join(ROOT, "docs", "restricted-networks.md");

/** `hashicorp/google 6.50.0` rows of the page's table between its markers. */
function documentedProviders(): string[] {
  const page = readFileSync(PAGE, "utf8");
  const section = /<!-- providers:begin -->([\s\S]*?)<!-- providers:end -->/.exec(page)?.[1];
  if (section === undefined) throw new Error(`${PAGE} lacks the providers markers`);
  return section
    .split("\n")
    .map((line) => /^\|\s*([\w-]+\/[\w-]+)\s*\|\s*([\d.]+)\s*\|$/.exec(line.trim()))
    .flatMap((match) => (match ? [`${match[1]} ${match[2]}`] : []));
}

/** Every provider some stack requires, as `namespace/type version` (sources without a namespace are hashicorp's). */
function requiredProviders(): string[] {
  const found = new Set<string>();
  for (const name of SYNTH_NAMES) {
    for (const stack of Object.values(stacksOf(name))) {
      const required = (stack.terraform.required_providers ?? {}) as Record<
        string,
        { source: string; version: string }
      >;
      for (const { source, version } of Object.values(required)) {
        found.add(`${source.includes("/") ? source : `hashicorp/${source}`} ${version}`);
      }
    }
  }
  return [...found].sort();
}

describe("restricted networks", () => {
  it("the page lists exactly the providers and versions the stacks require", () => {
    expect(documentedProviders()).toEqual(requiredProviders());
  });

  it("the page names the Terraform version the stacks require", () => {
    const versions = new Set(
      Object.values(stacksOf("default")).map((stack) => String(stack.terraform.required_version)),
    );
    expect([...versions]).toEqual([">= 1.5.0"]);
    expect(readFileSync(PAGE, "utf8")).toContain("require Terraform >= 1.5.0");
  });
});
