/**
 * Every load balancer's lifecycle postcondition the stacks emit (a load balancer must get the address
 * its certificate, DNS record and the nodes' registry config name), evaluated by real
 * Terraform. Without providers the Services cannot be created here, so each condition runs on
 * a built-in `terraform_data` stand-in whose `output` carries a Service's `status`: the only
 * rewrite is `self.` -> `self.output.`. Remote-state references in a condition read a real
 * local state file. One apply with the expected address must pass; one with another address
 * must fail every postcondition with its own message.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/load-balancer-address.e2e.ts`.
 * Needs `terraform` on the PATH; downloads nothing.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configOf, ENVIRONMENTS, type EnvironmentName } from "../helpers/environments";
import type { StackJson } from "../helpers/json";
import { synthAll } from "../helpers/synth";
import { cleanupTempDirs, makeTempDir, requireTool, run, runOk } from "./support/tools";

interface Postcondition {
  readonly address: string;
  readonly condition: string;
  readonly errorMessage: string;
  /** The literal address the condition expects, if it names one. */
  readonly literal?: string;
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function postconditionsOf(environment: EnvironmentName, stack: string, json: StackJson) {
  const found: Postcondition[] = [];
  // Load balancers only: the contract guards' postconditions are evaluated by order-faults.e2e.ts.
  for (const [type, resources] of Object.entries((json.resource ?? {}) as Resources)) {
    if (type !== "kubernetes_service_v1") continue;
    for (const [name, body] of Object.entries(resources)) {
      const lifecycle = body.lifecycle as
        { postcondition?: Array<{ condition: string; error_message: string }> } | undefined;
      for (const postcondition of lifecycle?.postcondition ?? []) {
        found.push({
          address: `${environment}/${stack}/${type}.${name}`,
          condition: postcondition.condition,
          errorMessage: postcondition.error_message,
          literal: /== "([0-9.]+)"\}$/.exec(postcondition.condition)?.[1],
        });
      }
    }
  }
  return found;
}

/** The address a remote-state output holds in this test (any usable IPv4 address). */
const REMOTE_ADDRESS = "10.20.30.40";
const OTHER_ADDRESS = "10.99.99.99";

describe("load-balancer address postconditions, evaluated by Terraform", () => {
  const terraform = requireTool("terraform", "terraform (on the PATH of the development image)");
  const env = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" };
  afterAll(() => cleanupTempDirs());

  const postconditions = (Object.keys(ENVIRONMENTS) as EnvironmentName[]).flatMap((environment) =>
    Object.entries(synthAll(configOf(environment))).flatMap(([stack, json]) =>
      postconditionsOf(environment, stack, json),
    ),
  );

  /** A configuration with one stand-in per postcondition; `address` is what each one "got". */
  function configuration(dir: string, address: (p: Postcondition) => string): void {
    const remote = new Map<string, Set<string>>();
    const resources = Object.fromEntries(
      postconditions.map((p, i) => {
        for (const match of p.condition.matchAll(
          /data\.terraform_remote_state\.(\w+)\.outputs\.(\w+)/g,
        )) {
          remote.set(match[1], (remote.get(match[1]) ?? new Set()).add(match[2]));
        }
        const status = [{ load_balancer: [{ ingress: [{ ip: address(p) }] }] }];
        const body = {
          input: { status },
          lifecycle: {
            postcondition: [
              {
                condition: p.condition.replaceAll("self.", "self.output."),
                error_message: p.errorMessage,
              },
            ],
          },
        };
        return [`service_${i}`, body];
      }),
    );
    const data = Object.fromEntries(
      [...remote].map(([name, outputs]) => {
        const state = {
          version: 4,
          terraform_version: "1.11.0",
          serial: 1,
          lineage: name,
          outputs: Object.fromEntries(
            [...outputs].map((output) => [output, { value: REMOTE_ADDRESS, type: "string" }]),
          ),
          resources: [],
        };
        writeFileSync(join(dir, `${name}.tfstate`), JSON.stringify(state));
        return [name, { backend: "local", config: { path: `${name}.tfstate` } }];
      }),
    );
    const config = {
      resource: { terraform_data: resources },
      data: { terraform_remote_state: data },
    };
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config, null, 1));
  }

  const expected = (p: Postcondition) => p.literal ?? REMOTE_ADDRESS;

  it("the stacks guard every load balancer: literal (MetalLB) and remote-state (GKE) addresses", () => {
    const services = postconditions.map((p) => p.address);
    const loadBalanced = (Object.keys(ENVIRONMENTS) as EnvironmentName[]).filter((environment) =>
      ["loadBalancer", "internalLoadBalancer"].includes(
        configOf(environment).registry.exposure.type,
      ),
    );
    expect(
      services.filter((a) => a.includes("kubernetes_service_v1.registry_service")),
    ).toHaveLength(loadBalanced.length);
    expect(postconditions.some((p) => p.literal === "192.168.0.202")).toBe(true);
    expect(postconditions.some((p) => p.literal === undefined)).toBe(true);
  });

  it("pass when each load balancer got its configured address", () => {
    const dir = makeTempDir("postcondition-pass-");
    configuration(dir, expected);
    runOk(terraform, ["init", "-input=false"], { cwd: dir, env });
    const result = run(terraform, ["apply", "-auto-approve", "-input=false", "-no-color"], {
      cwd: dir,
      env,
    });
    expect(result.output).toContain(`Apply complete! Resources: ${postconditions.length} added`);
    expect(result.status).toBe(0);
  });

  it("fail the apply, each with its message, when a load balancer got another address", () => {
    const dir = makeTempDir("postcondition-fail-");
    configuration(dir, () => OTHER_ADDRESS);
    runOk(terraform, ["init", "-input=false"], { cwd: dir, env });
    const result = run(terraform, ["apply", "-auto-approve", "-input=false", "-no-color"], {
      cwd: dir,
      env,
    });
    expect(result.status).not.toBe(0);
    const failures = result.output.match(/Error: Resource postcondition failed/g) ?? [];
    expect(failures).toHaveLength(postconditions.length);
    for (const p of postconditions) {
      const message = p.errorMessage.replaceAll(/\$\{[^}]+\}/g, REMOTE_ADDRESS);
      expect(result.output.replaceAll(/\s+/g, " ")).toContain(message.slice(0, 60));
    }
    console.log(
      `${postconditions.length} postconditions: all pass on their address, all fail on ${OTHER_ADDRESS}`,
    );
  });
});
