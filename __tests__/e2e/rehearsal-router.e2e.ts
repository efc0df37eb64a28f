/**
 * The shared on-prem Cloud Router with real Terraform (1.11, offline) and the rehearsal's
 * stand-in providers: examples/hybrid-three-sides.yaml synthesized into a rehearsal workspace,
 * onprem-network applied, then two sides' cloud-network stacks (each adds two interfaces and
 * two BGP peers to the one on-prem router) applied
 * - at the same time with plain `terraform apply`, as two operators or CI jobs would without
 *   cdktf's dependency chain: both applies succeed, yet the router lacks entries Terraform's
 *   state holds, and the next plan creates them again;
 * - one after the other, the order main.ts enforces (each side's network stack depends on the
 *   previous one): every entry is on the router and both plans are empty.
 * The google provider's read-modify-write of the router's lists and the stand-in's model of it:
 * lib/rehearsal/stand-ins/shared-router.ts.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  cdktf,
  environmentOf,
  terraform,
  type CommandResult,
  type CommandSettings,
} from "../../lib/rehearsal/commands";
import { installStandIns } from "../../lib/rehearsal/stand-ins";
import {
  readRouterList,
  ROUTER_ROUND_TRIP_ENV,
  type RouterAddress,
  type RouterListName,
} from "../../lib/rehearsal/stand-ins/shared-router";
import { preparedForDestroy } from "../../lib/rehearsal/day-two-changes";
import { parseEnvironment, writeWorkspace } from "../../lib/rehearsal/workspace";
import { cleanupTempDirs, makeTempDir, requireTool } from "./support/tools";

const ROOT = join(__dirname, "..", "..");
const EXAMPLE = join(ROOT, "examples", "hybrid-three-sides.yaml");
const ONPREM = "onprem-network";
const SIDES = ["cloud-network-dev", "cloud-network-staging"] as const;
/**
 * The GET-to-PATCH round trip: longer than the stand-ins' default (300 ms) so that two applies
 * started together overlap whatever the machine's load; the serialized run uses it too, so the
 * order alone makes the difference.
 */
const ROUND_TRIP_MS = 1500;
const ROUTER_TYPES: Readonly<Record<string, RouterListName>> = {
  google_compute_router_interface: "interfaces",
  google_compute_router_peer: "bgpPeers",
};

/** A resource of a pulled state (format version 4). */
interface StateResource {
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly instances: readonly { readonly attributes: Record<string, unknown> }[];
}

/** An interface or peer as `<list>/<name>`. */
type Entry = string;

describe("the shared on-prem Cloud Router under parallel and serialized applies", () => {
  requireTool("terraform", "terraform (on the PATH of the development image)");
  const dir = makeTempDir("rehearsal-router");
  let settings: CommandSettings;
  let cloudDir = "";
  let router: RouterAddress = { project: "", region: "", router: "" };
  const started = Date.now();
  const timings: string[] = [];

  const env = () => ({
    ...environmentOf(settings),
    [ROUTER_ROUND_TRIP_ENV]: String(ROUND_TRIP_MS),
  });
  const stackDir = (stack: string) => join(settings.workspace.outdir, "stacks", stack);

  /** `terraform <args>` in a stack's folder without blocking, so two can run at once. */
  const terraformAsync = (stack: string, args: readonly string[]): Promise<CommandResult> =>
    new Promise((resolve) => {
      const begin = Date.now();
      const child = spawn(process.env.TERRAFORM_BINARY_NAME ?? "terraform", [...args], {
        cwd: stackDir(stack),
        env: env(),
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const done = (status: number) => {
        const seconds = (Date.now() - begin) / 1000;
        timings.push(`${args[0] ?? ""} ${stack}: ${seconds.toFixed(1)} s`);
        resolve({ status, stdout, stderr, output: `${stdout}${stderr}`, seconds });
      };
      child.on("error", (error) => {
        stderr += error.message;
        done(1);
      });
      child.on("close", (code) => done(code ?? 1));
    });

  const ok = async (what: string, result: Promise<CommandResult> | CommandResult) => {
    const finished = await result;
    if (finished.status !== 0) {
      throw new Error(
        `${what} exited ${String(finished.status)}:\n${finished.output.slice(-4000)}`,
      );
    }
    return finished;
  };
  const apply = (stack: string) =>
    ok(
      `apply ${stack}`,
      terraformAsync(stack, ["apply", "-input=false", "-auto-approve", "-no-color"]),
    );
  const destroy = (stack: string) =>
    ok(
      `destroy ${stack}`,
      terraformAsync(stack, ["destroy", "-input=false", "-auto-approve", "-no-color"]),
    );

  /**
   * The on-prem router's entries Terraform's state says a stack created, by "<stack> <address>"
   * (`terraform state pull` starts no provider, unlike `terraform show`: seconds saved).
   */
  const inState = async (stack: string): Promise<Map<string, Entry>> => {
    const pulled = await ok(`state pull ${stack}`, terraformAsync(stack, ["state", "pull"]));
    const state = JSON.parse(pulled.stdout) as { resources?: StateResource[] };
    const entries = new Map<string, Entry>();
    for (const resource of state.resources ?? []) {
      const list = ROUTER_TYPES[resource.type];
      const values = resource.instances[0]?.attributes ?? {};
      if (
        resource.mode === "managed" &&
        list !== undefined &&
        values.project === router.project &&
        values.region === router.region &&
        values.router === router.router
      ) {
        entries.set(`${stack} ${resource.type}.${resource.name}`, `${list}/${String(values.name)}`);
      }
    }
    return entries;
  };
  const allInState = async () =>
    new Map((await Promise.all(SIDES.map(inState))).flatMap((entries) => [...entries]));

  /** The entries the simulated on-prem router lists now. */
  const onRouter = (): Entry[] =>
    (["interfaces", "bgpPeers"] as const).flatMap((list) =>
      readRouterList(cloudDir, router, list).map((entry) => `${list}/${entry.name}`),
    );

  /**
   * A stack's plan as "<action> <stack> <address>" lines, from `terraform plan -json`'s planned_change
   * messages (https://developer.hashicorp.com/terraform/internals/machine-readable-ui); no
   * `terraform show` of a saved plan, which starts every provider again.
   */
  const planOf = async (stack: string): Promise<string[]> => {
    const planned = await terraformAsync(stack, [
      "plan",
      "-input=false",
      "-lock=false",
      "-json",
      "-detailed-exitcode",
    ]);
    // -detailed-exitcode: 0 no changes, 2 changes, 1 error.
    if (planned.status !== 0 && planned.status !== 2) await ok(`plan ${stack}`, planned);
    const changes = planned.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map(
        (line) =>
          JSON.parse(line) as {
            type: string;
            change?: { action: string; resource: { addr: string } };
          },
      )
      .flatMap((message) =>
        message.type === "planned_change" && message.change
          ? [`${message.change.action} ${stack} ${message.change.resource.addr}`]
          : [],
      );
    expect(planned.status).toBe(changes.length > 0 ? 2 : 0);
    return changes;
  };

  const report = (what: string, expected: readonly Entry[], present: readonly Entry[]) => {
    const missing = expected.filter((entry) => !present.includes(entry));
    console.log(
      `${what}: the on-prem router lists ${String(present.length)} of the ${String(expected.length)} entries Terraform's state holds` +
        (missing.length > 0 ? `; lost: ${missing.join(", ")}` : ""),
    );
    return missing;
  };

  beforeAll(async () => {
    // Without deletion protection: the suite destroys the sides between its cases, which the
    // google stand-in refuses for a protected cluster, as the provider does.
    const environment = preparedForDestroy(
      parseEnvironment(readFileSync(EXAMPLE, "utf8"), EXAMPLE),
    );
    const workspace = writeWorkspace(join(dir, "workspace"), ROOT, environment);
    settings = {
      projectRoot: ROOT,
      workspace,
      cliConfigFile: await installStandIns(join(dir, "providers")),
      clockOffsetHours: 0,
    };
    cloudDir = environmentOf(settings).HYBRID_REHEARSAL_CLOUD_DIR ?? "";
    await ok("cdktf synth", cdktf(settings, ["synth"]));
    for (const stack of [ONPREM, ...SIDES]) {
      await ok(`init ${stack}`, terraform(settings, stack, ["init", "-input=false"]));
    }
    await apply(ONPREM);
    const outputs = JSON.parse(
      (await ok("output", terraformAsync(ONPREM, ["output", "-json"]))).stdout,
    ) as Record<string, { value: unknown }>;
    router = {
      project: String(outputs.project_id?.value),
      region: String(outputs.region?.value),
      router: String(outputs.router_name?.value),
    };
    console.log(`on-prem router: ${router.project}/${router.region}/${router.router}`);
  }, 120_000);

  afterAll(() => {
    console.log(
      `timings (round trip ${String(ROUND_TRIP_MS)} ms):\n  ${timings.join("\n  ")}\n  total ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    cleanupTempDirs();
  });

  it("loses interfaces or peers when two sides' network stacks apply at the same time", async () => {
    expect(onRouter()).toEqual([]);
    await Promise.all(SIDES.map(apply));
    const expected = await allInState();
    // Two tunnels per side, an interface and a BGP peer each, on the one on-prem router.
    expect(expected.size).toBe(4 * SIDES.length);
    const missing = report("parallel applies", [...expected.values()], onRouter());
    expect(missing.length).toBeGreaterThan(0);

    // Terraform finds them gone on refresh and creates exactly those again, nothing else.
    const plans = await Promise.all(SIDES.map(planOf));
    SIDES.forEach((stack, i) =>
      console.log(
        `plan ${stack} after the parallel applies: ${plans[i]?.join(", ") || "no changes"}`,
      ),
    );
    const lostAddresses = [...expected]
      .filter(([, entry]) => missing.includes(entry))
      .map(([address]) => `create ${address}`);
    expect(plans.flat().sort()).toEqual(lostAddresses.sort());
  });

  it("keeps every entry when the sides apply one after the other (main.ts's order)", async () => {
    // A fresh start: both sides destroyed one by one (deleting entries that are gone is a no-op).
    for (const stack of [...SIDES].reverse()) await destroy(stack);
    expect(onRouter()).toEqual([]);

    for (const stack of SIDES) await apply(stack);
    const expected = [...(await allInState()).values()];
    expect(expected).toHaveLength(4 * SIDES.length);
    const present = onRouter();
    expect(report("serialized applies", expected, present)).toEqual([]);
    expect([...present].sort()).toEqual([...expected].sort());

    const plans = await Promise.all(SIDES.map(planOf));
    expect(plans).toEqual(SIDES.map(() => []));
  });
});
