/**
 * Every `${...}` template in every synthesized stack must be valid Terraform syntax. Providers
 * cannot be downloaded here, so the stacks cannot be validated whole; instead each template
 * becomes a local value of a provider-less configuration and `terraform validate` parses them.
 * References to resources it does not know are expected; any other diagnostic is a bug (e.g.
 * a quote cdktf did not escape inside a function call). Postcondition conditions refer to
 * `self`, which exists only inside a postcondition: load-balancer-address.e2e.ts evaluates them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { allStrings } from "../helpers/json";
import {
  ENVIRONMENTS,
  stacksOf,
  type EnvironmentName,
  type SynthName,
} from "../helpers/environments";
import { cleanupTempDirs, makeTempDir, requireTool, runOk, run } from "./support/tools";

/** What validate reports for a reference to something this configuration does not declare. */
const UNDECLARED = new Set(["Reference to undeclared resource"]);

interface Diagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  readonly range?: { readonly start: { readonly line: number } };
}

/** The environments, and the variants whose features add templates of their own. */
const NAMES: SynthName[] = [
  ...(Object.keys(ENVIRONMENTS) as EnvironmentName[]),
  "alertsOn",
  "alertsExternal",
];

describe("synthesized Terraform templates", () => {
  const terraform = requireTool("terraform", "terraform (on the PATH of the development image)");
  const env = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" };
  afterAll(() => cleanupTempDirs());

  it("all parse as Terraform expressions", () => {
    // Each distinct template once, under the first place it appears: most repeat across
    // environments, and Terraform's time grows with the number of locals.
    const templates = new Map<string, string>();
    const seen = new Set<string>();
    for (const environment of NAMES) {
      for (const [stack, json] of Object.entries(stacksOf(environment))) {
        allStrings(json)
          .filter((text) => text.includes("${") && !text.includes("self."))
          .forEach((text, i) => {
            if (seen.has(text)) return;
            seen.add(text);
            templates.set(`${environment}__${stack}__${i}`, text);
          });
      }
    }
    const dir = makeTempDir("expressions-");
    // One local per line, so a diagnostic's line names its template.
    const keys = [...templates.keys()];
    const lines = keys.map(
      (key) => `  ${JSON.stringify(key)}: ${JSON.stringify(templates.get(key))}`,
    );
    writeFileSync(join(dir, "main.tf.json"), `{"locals": {\n${lines.join(",\n")}\n}}\n`);
    runOk(terraform, ["init", "-backend=false", "-input=false"], { cwd: dir, env });
    const result = run(terraform, ["validate", "-json"], { cwd: dir, env });
    const diagnostics = (JSON.parse(result.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
    const unexpected = diagnostics
      .filter((d) => !UNDECLARED.has(d.summary))
      .map((d) => {
        const line = d.range?.start.line ?? 0;
        const key = keys[line - 2] ?? "?";
        return { template: key, text: templates.get(key), summary: d.summary, detail: d.detail };
      });
    expect(unexpected).toEqual([]);
    console.log(
      `${templates.size} distinct templates from ${NAMES.length} environments and variants parse`,
    );
  });
});
