/**
 * The certificate renewal check the stacks emit, evaluated by real Terraform during a plan.
 * Without the tls provider the certificates are stood in for by built-in `terraform_data`
 * resources whose output is a validity end time: the only rewrite is
 * `tls_..._cert.<name>.validity_end_time` -> `terraform_data.<name>.output`. The stand-ins are
 * applied first, so the plan evaluates the check on known values, as it does on a deployed
 * stack.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/renewal-check.e2e.ts`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configOf } from "../helpers/environments";
import { synthAll } from "../helpers/synth";
import { cleanupTempDirs, makeTempDir, requireTool, run, runOk } from "./support/tools";

const CERT_REFERENCE =
  /(tls_locally_signed_cert|tls_self_signed_cert)\.([\w-]+)\.validity_end_time/g;
const DAY_MS = 24 * 3600 * 1000;

describe("certificate renewal check, evaluated by terraform plan", () => {
  const terraform = requireTool("terraform", "terraform (on the PATH of the development image)");
  const env = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" };
  afterAll(() => cleanupTempDirs());

  const checks = (synthAll(configOf("artifactRegistry"))["onprem-network"] as { check?: object })
    .check as Record<string, unknown>;
  const text = JSON.stringify(checks);
  const certificates = [
    ...new Set([...text.matchAll(CERT_REFERENCE)].map((m) => `${m[1]}:${m[2]}`)),
  ];

  /** Plan output with each certificate ending `daysLeft(kind)` days from now. */
  function planWith(daysLeft: (kind: string) => number): string {
    const dir = makeTempDir("renewal-");
    const resources = Object.fromEntries(
      certificates.map((key) => {
        const [kind, name] = key.split(":");
        const end = new Date(Date.now() + daysLeft(kind) * DAY_MS)
          .toISOString()
          .replace(/\.\d+Z$/, "Z");
        return [name, { input: end }];
      }),
    );
    const config = {
      resource: { terraform_data: resources },
      check: JSON.parse(text.replace(CERT_REFERENCE, "terraform_data.$2.output")),
    };
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config, null, 1));
    runOk(terraform, ["init", "-input=false"], { cwd: dir, env });
    runOk(terraform, ["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: dir, env });
    const plan = run(terraform, ["plan", "-input=false", "-no-color"], { cwd: dir, env });
    expect(plan.status).toBe(0);
    return plan.output.replace(/\s+/g, " ");
  }

  it("watches the server, cache and CA certificates", () => {
    expect(certificates.filter((c) => c.startsWith("tls_locally_signed_cert"))).toHaveLength(2);
    expect(certificates.filter((c) => c.startsWith("tls_self_signed_cert"))).toHaveLength(1);
  });

  it("is silent while every certificate is far from renewal", () => {
    const output = planWith(() => 400);
    expect(output).not.toContain("Check block assertion failed");
  });

  it("warns during plan when a server certificate is within its notice period, and says when an apply renews it", () => {
    const output = planWith((kind) => (kind === "tls_locally_signed_cert" ? 45 : 3000));
    expect(output).toContain("Warning: Check block assertion failed");
    expect(output).toContain("The registry server certificate expires at");
    expect(output).toContain("The pull-through cache certificate expires at");
    expect(output).toMatch(/An apply after \d{4}-\d\d-\d\dT[\d:]+Z renews it/);
    expect(output).not.toContain("The registry CA expires");
    console.log(
      output.slice(
        output.indexOf("Warning: Check block"),
        output.indexOf("Warning: Check block") + 400,
      ),
    );
  });

  it("warns half a year before the CA expires", () => {
    const output = planWith((kind) => (kind === "tls_self_signed_cert" ? 150 : 400));
    expect(output).toContain("The registry CA expires at");
    expect(output).not.toContain("The registry server certificate expires");
  });
});
