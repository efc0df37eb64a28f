/**
 * Many application sides: each side is its own stacks, so adding, changing or removing one
 * plans changes in that side's stacks only. The environments are synthesized once by the
 * global setup (helpers/environments.ts: threeSides, fourSides, threeSidesStagingChanged,
 * threeSidesWithoutStaging, externalSides).
 */
import { configOf, stacksOf, type SynthName } from "./helpers/environments";
import { renderDeviceSettings } from "../lib/network/device-settings-report";
import { resourcesOf, type StackJson } from "./helpers/json";

/**
 * The cdk.tf.json of a stack is JSON.stringify of the synthesized object (cdktf's
 * Manifest.writeToFile), so equal strings here are equal files, byte for byte.
 */
const text = (stack: StackJson) => JSON.stringify(stack, null, 2);

/** Names of the stacks whose files differ between two syntheses (added or removed included). */
function changedStacks(before: SynthName, after: SynthName): string[] {
  const a = stacksOf(before);
  const b = stacksOf(after);
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return names.filter((name) => !(name in a) || !(name in b) || text(a[name]) !== text(b[name]));
}

const SIDE_STACKS = (side: string) => [`cloud-network-${side}`, `workloads-${side}`];

describe("many application sides", () => {
  it("builds onprem-network, registry and two stacks per side, in the file's order", () => {
    expect(Object.keys(stacksOf("threeSides"))).toEqual([
      "onprem-network",
      "registry",
      ...SIDE_STACKS("dev"),
      ...SIDE_STACKS("staging"),
      ...SIDE_STACKS("prod"),
    ]);
  });

  it("adding a fourth side leaves every other stack's JSON byte for byte the same", () => {
    expect(changedStacks("threeSides", "fourSides")).toEqual(SIDE_STACKS("qa"));
    // Not vacuous: the new side's stacks are complete.
    const four = stacksOf("fourSides");
    expect(resourcesOf(four["cloud-network-qa"], "google_compute_vpn_tunnel")).toHaveLength(4);
    expect(resourcesOf(four["workloads-qa"], "kubernetes_daemon_set_v1").length).toBeGreaterThan(0);
  });

  it("changing one side changes only that side's stacks", () => {
    expect(changedStacks("threeSides", "threeSidesStagingChanged")).toEqual(SIDE_STACKS("staging"));
  });

  it("removing a side removes its stacks and changes no other", () => {
    expect(changedStacks("threeSides", "threeSidesWithoutStaging")).toEqual(SIDE_STACKS("staging"));
    expect(Object.keys(stacksOf("threeSidesWithoutStaging"))).not.toContain("workloads-staging");
  });

  it("each side's VPN ends on the one on-prem router, with its own names and link-local /30s", () => {
    const stacks = stacksOf("threeSides");
    const interfaces = ["dev", "staging", "prod"].flatMap((side) =>
      resourcesOf(stacks[`cloud-network-${side}`], "google_compute_router_interface").map(
        ([, body]) => body,
      ),
    );
    const onOnpremRouter = interfaces.filter((body) =>
      JSON.stringify(body.router).includes("router_name"),
    );
    expect(onOnpremRouter).toHaveLength(6);
    const names = onOnpremRouter.map((body) => body.name);
    expect(new Set(names).size).toBe(names.length);
    const ranges = interfaces.map((body) => body.ip_range);
    expect(new Set(ranges).size).toBe(ranges.length);
    expect(ranges).toEqual(expect.arrayContaining(["169.254.0.1/30", "169.254.0.9/30"]));
  });
});

describe("what each stack holds with several sides", () => {
  const stacks = stacksOf("threeSides");
  const bodies = (stack: StackJson, type: string) => resourcesOf(stack, type).map(([, b]) => b);
  const remoteStates = (stack: StackJson) =>
    Object.values((stack.data as Record<string, Record<string, Body>>).terraform_remote_state).map(
      (state) => JSON.stringify(state.config),
    );

  it("the registry admits the application blocks, not a side's ranges, and reads no side", () => {
    const registry = stacks.registry;
    const service = bodies(registry, "kubernetes_service_v1").find(
      (body) => (body.spec as Body).type === "LoadBalancer",
    );
    expect(JSON.stringify(service)).toContain('[\\"10.128.0.0/9\\"]');
    const policy = JSON.stringify(bodies(registry, "kubernetes_network_policy_v1"));
    expect(policy).toContain('"cidr":"10.128.0.0/9"');
    for (const range of ["10.128.0.0/24", "10.140.0.0/24", "10.150.0.0/24"]) {
      expect(JSON.stringify(registry)).not.toContain(range);
    }
    expect(remoteStates(registry)).toEqual([expect.stringContaining("onprem-network.tfstate")]);
    expect(Object.keys(registry.output as Body).sort()).toEqual([
      "environment",
      "registry_ca_certificate_pem",
      "registry_pull_password",
      "registry_pull_username",
      "registry_push_password_command",
      "registry_push_username",
    ]);
  });

  it("keeps the push password out of the registry's outputs, which every side's state copies", () => {
    // terraform_remote_state stores all of the producer's outputs in the reader's state.
    const registry = stacks.registry;
    const outputs = JSON.stringify(registry.output);
    expect(outputs).not.toMatch(/push-password_\w+\.result/);
    const command = (registry.output as Record<string, Body>).registry_push_password_command;
    expect(command.value).toMatch(
      /^kubectl -n \$\{kubernetes_secret_v1\.registry_credentials_\w+\.metadata\[0\]\.namespace\} get secret \$\{kubernetes_secret_v1\.registry_credentials_\w+\.metadata\[0\]\.name\} -o jsonpath='\{\.data\.push-password\}' \| base64 -d$/,
    );
    // What a side reads: the CA and the pull user only.
    const side = stacks["workloads-dev"];
    const reads =
      JSON.stringify(side).match(/terraform_remote_state\.[\w-]+\.outputs\.(\w+)/g) ?? [];
    expect(reads.filter((read) => read.includes("push"))).toEqual([]);
  });

  it("onprem-network admits the blocks, resolves the registry in its own zone and issues the cache certificate", () => {
    const onprem = stacks["onprem-network"];
    const peer = bodies(onprem, "google_compute_firewall").find((body) =>
      String(body.name).endsWith("allow-peer"),
    );
    expect(peer?.source_ranges).toEqual(["10.128.0.0/9"]);
    const [zone] = bodies(onprem, "google_dns_managed_zone");
    expect(zone).toMatchObject({ name: "onprem-internal", dns_name: "onprem.internal." });
    expect(bodies(onprem, "google_dns_record_set")).toEqual([
      expect.objectContaining({ name: "registry.onprem.internal.", type: "A" }),
    ]);
    // Top-level app has no cache, prod's has: the certificate exists before any side needs it.
    expect(bodies(onprem, "tls_locally_signed_cert")).toHaveLength(2);
    // Keys kept in the on-prem project, never a side's (a side may be removed).
    expect(JSON.stringify(bodies(onprem, "google_secret_manager_secret"))).not.toMatch(
      /(dev|staging|prod)-apps-123/,
    );
  });

  it("each side's zone is its own, bound to its VPC only, with the cache record where it runs one", () => {
    for (const side of ["dev", "staging", "prod"]) {
      const network = stacks[`cloud-network-${side}`];
      const [zone] = bodies(network, "google_dns_managed_zone");
      expect(zone.name).toBe(`onprem-internal-${side}`);
      expect((zone.private_visibility_config as { networks: unknown[] }).networks).toHaveLength(1);
      expect(remoteStates(network)).toEqual([expect.stringContaining("onprem-network.tfstate")]);
    }
    const records = (side: string) =>
      bodies(stacks[`cloud-network-${side}`], "google_dns_record_set").map((body) => body.name);
    expect(records("prod").sort()).toEqual([
      "registry-cache.onprem.internal.",
      "registry.onprem.internal.",
    ]);
    expect(records("dev")).toEqual(["registry.onprem.internal."]);
  });

  it("every side watches its VPN; only alerts.side (prod) the registry and its certificate", () => {
    const policies = (side: string) =>
      bodies(stacks[`cloud-network-${side}`], "google_monitoring_alert_policy").map(
        (body) => body.display_name,
      );
    for (const side of ["dev", "staging"]) expect(policies(side)).toHaveLength(2);
    // The registry's four, its certificate, its maintenance jobs' two, the cache's two, the VPN.
    expect(policies("prod")).toHaveLength(10);
    expect(
      bodies(stacks["cloud-network-prod"], "google_monitoring_monitored_project"),
    ).toHaveLength(1);
    expect(bodies(stacks["cloud-network-dev"], "google_monitoring_monitored_project")).toHaveLength(
      0,
    );
  });

  it("a side's workloads pull with the registry stack's pull user and run what its app asks", () => {
    const prod = stacks["workloads-prod"];
    expect(remoteStates(prod).sort()).toEqual([
      expect.stringContaining("/cloud-network-prod.tfstate"),
      expect.stringContaining("/onprem-network.tfstate"),
      expect.stringContaining("/registry.tfstate"),
    ]);
    const [secret] = bodies(prod, "kubernetes_secret_v1");
    expect(JSON.stringify(secret)).toContain("outputs.registry_pull_password");
    // Its own cache; no sample app in prod, one in dev (the top-level app section).
    expect(bodies(prod, "kubernetes_deployment_v1").map((b) => (b.metadata as Body).name)).toEqual([
      "registry-cache",
    ]);
    expect(
      bodies(stacks["workloads-dev"], "kubernetes_deployment_v1").map(
        (b) => (b.metadata as Body).name,
      ),
    ).toEqual(["nginx-from-registry"]);
    // The only generated secret is the cache's own upload-signing secret.
    expect(resourcesOf(prod, "random_password").map(([id]) => id)).toEqual([
      expect.stringMatching(/^cache-http-secret/),
    ]);
  });

  it("an external site gets one set of tunnels and BGP sessions per side, and its device settings", () => {
    const external = stacksOf("externalSides");
    for (const side of ["blue", "green"]) {
      const network = external[`cloud-network-${side}`];
      expect(resourcesOf(network, "google_compute_vpn_tunnel")).toHaveLength(2);
      expect(resourcesOf(network, "google_compute_router_peer")).toHaveLength(2);
      expect(network.output).toHaveProperty("vpn_device_settings");
    }
    const keys = (external["onprem-network"].provider as Record<string, Body[]>).google;
    expect(keys).toEqual([
      expect.objectContaining({ alias: "keys", project: "platform-keys-123" }),
    ]);
    expect(configOf("externalSides").mode).toBe("hybrid");
  });
});

type Body = Record<string, unknown>;

describe("the device settings of every side (npm run device-settings)", () => {
  const tunnel = (name: string, inside: string, cloudAsn: number) => ({
    tunnel: name,
    cloudVpnPublicIp: "203.0.113.1",
    deviceInterfaceIp: "198.51.100.10",
    preSharedKey: "secret-psk",
    insideCidr: inside,
    cloudBgpIp: inside.replace(/\.\d+\/30$/, ".1"),
    deviceBgpIp: inside.replace(/\.\d+\/30$/, ".2"),
    cloudAsn,
    deviceAsn: 65010,
    ikeVersion: 2,
  });

  it("lists each side's tunnels with its own ASN and /30s, all for the one device", () => {
    const text = renderDeviceSettings([
      {
        side: "blue",
        stack: "cloud-network-blue",
        tunnels: [tunnel("blue-to-onprem-0", "169.254.0.0/30", 64513)],
      },
      {
        side: "green",
        stack: "cloud-network-green",
        tunnels: [tunnel("green-to-onprem-0", "169.254.1.0/30", 64514)],
      },
    ]);
    expect(text).toContain("2 tunnels and BGP sessions for the VPN device, 2 application sides");
    expect(text).toContain(
      "side blue (cloud-network-blue): Cloud Router ASN 64513, device ASN 65010",
    );
    expect(text).toContain("side green (cloud-network-green): Cloud Router ASN 64514");
    expect(text).toContain(
      "inside 169.254.1.0/30: device BGP 169.254.1.2 (AS 65010), Cloud Router BGP 169.254.1.1 (AS 64514)",
    );
    expect(text).toContain("pre-shared key secret-psk");
  });

  it("every external side publishes the output the report reads", () => {
    const external = stacksOf("externalSides");
    for (const side of ["blue", "green"]) {
      const value = JSON.stringify(external[`cloud-network-${side}`].output?.vpn_device_settings);
      for (const field of ["cloudVpnPublicIp", "deviceBgpIp", "insideCidr", "preSharedKey"]) {
        expect(value).toContain(field);
      }
    }
  });
});
