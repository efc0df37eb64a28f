/**
 * A config string that looks like a Terraform template (`${file("...")}`, `%{ if ... }`) must
 * reach Terraform as text, never be evaluated. Every free-text field of an environment gets such
 * a value; each synthesized string that carries it is evaluated by real Terraform
 * (`terraform console` on a provider-less configuration) and must equal the text as written.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/literal-strings.e2e.ts`.
 * Needs `terraform` on the PATH; downloads nothing.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configFrom, merge, rawEnvironment } from "../helpers/config";
import { allStrings } from "../helpers/json";
import { synthAll } from "../helpers/synth";
import { cleanupTempDirs, makeTempDir, requireTool, runOk } from "./support/tools";

/** Would read a file of this machine into the plan if Terraform evaluated it. */
const INJECTION = '${file("/etc/hostname")}%{ if true }x%{ endif }';

const ENVIRONMENTS = [
  merge(rawEnvironment("environments/example.yaml"), {
    onprem: {
      cluster: { authorizedNetworks: [{ cidr: "203.0.113.0/24", displayName: INJECTION }] },
    },
  }),
  merge(rawEnvironment("environments/standalone-k3s.yaml"), {
    cluster: { kubeconfig: { path: `/home/ops/${INJECTION}`, context: INJECTION } },
  }),
];

describe("config strings that look like Terraform templates", () => {
  const terraform = requireTool("terraform", "terraform (on the PATH of the development image)");
  const env = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" };
  afterAll(() => cleanupTempDirs());

  it("reach Terraform as the literal text", () => {
    const carried = ENVIRONMENTS.flatMap((raw) =>
      allStrings(synthAll(configFrom(raw))).filter((text) =>
        text.includes('file("/etc/hostname")'),
      ),
    );
    // displayName, kubeconfig path and context.
    expect(carried.length).toBeGreaterThanOrEqual(3);
    for (const text of carried) expect(text).toContain("$${file(");

    const dir = makeTempDir("literals-");
    const locals = Object.fromEntries(carried.map((text, i) => [`s${i}`, text]));
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ locals }));
    runOk(terraform, ["init", "-backend=false", "-input=false"], { cwd: dir, env });
    const expression = `jsonencode([${carried.map((_, i) => `local.s${i}`).join(", ")}])`;
    const result = runOk(terraform, ["console"], { cwd: dir, env, input: `${expression}\n` });
    const values = JSON.parse(JSON.parse(result.stdout.trim()) as string) as string[];
    // Evaluated, the value would hold this machine's host name and "x" instead.
    for (const value of values) expect(value).toContain(INJECTION);
    console.log(`${values.length} strings read back literally, e.g. ${JSON.stringify(values[0])}`);
  });
});
