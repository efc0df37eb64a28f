import ipaddr from "ipaddr.js";
import { cloudNetworkContract } from "../lib/contract/cloud-network";
import { outputName } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { networkRangesOf } from "../lib/config/derived";
import type { HybridConfig } from "../lib/config/schema";
import { cidrContains, isUsableGcpSubnetHost, nthAddress, rangeOf } from "../lib/network/ipv4";
import { configOf, stacksOf, type EnvironmentName } from "./helpers/environments";
import { allStrings, resourcesOf, type StackJson } from "./helpers/json";
import { cloudOf } from "./helpers/config";

/* ------------------------------------------------------------------------------------------ */
/* Typed access to the synthesized JSON                                                        */
/* ------------------------------------------------------------------------------------------ */

type Body = Record<string, unknown>;

function isRecord(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at a path of object keys, or undefined. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function strAt(value: unknown, ...path: string[]): string {
  const found = at(value, ...path);
  if (typeof found !== "string") {
    throw new Error(`${path.join(".")} is not a string: ${JSON.stringify(found)}`);
  }
  return found;
}

function numAt(value: unknown, ...path: string[]): number {
  const found = at(value, ...path);
  if (typeof found !== "number") {
    throw new Error(`${path.join(".")} is not a number: ${JSON.stringify(found)}`);
  }
  return found;
}

/** `${type.id.attribute}` */
function ref(type: string, id: string, attribute: string): string {
  return `\${${type}.${id}.${attribute}}`;
}

/** Logical id of the `type` resource a `${type.id.attr}` reference points at. */
function idOf(reference: string, type: string): string {
  const match = new RegExp(`^\\$\\{${type}\\.([^.}]+)\\.[^}]+\\}$`).exec(reference);
  if (!match) throw new Error(`${reference} is not a reference to a ${type}`);
  return match[1];
}

function only(stack: StackJson, type: string): [string, Body] {
  const found = resourcesOf(stack, type);
  expect(found).toHaveLength(1);
  return found[0];
}

function byId(stack: StackJson, type: string, id: string): Body {
  const body = stack.resource?.[type]?.[id];
  if (!body) throw new Error(`no ${type}.${id}`);
  return body;
}

type OnpremKey = keyof typeof onpremNetworkContract.outputs;

/** `${data.terraform_remote_state.<id>.outputs.<name>}` of the stack's one remote state. */
function remoteOf(stack: StackJson): (key: OnpremKey) => string {
  const ids = Object.keys(stack.data?.terraform_remote_state ?? {});
  expect(ids).toHaveLength(1);
  return (key) => `\${data.terraform_remote_state.${ids[0]}.outputs.${outputName(key)}}`;
}

/** Every [key, value] pair anywhere inside a JSON value. */
function entriesDeep(value: unknown): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap(entriesDeep);
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, child]): Array<[string, unknown]> => [
    [key, child],
    ...entriesDeep(child),
  ]);
}

function hybridConfig(environment: EnvironmentName): HybridConfig {
  const config = configOf(environment);
  if (config.mode !== "hybrid") throw new Error(`${environment} is not a hybrid environment`);
  return config;
}

/* ------------------------------------------------------------------------------------------ */
/* Link-local /30 arithmetic                                                                   */
/* ------------------------------------------------------------------------------------------ */

/** `169.254.0.5/30` -> its network `169.254.0.4/30` and host `169.254.0.5`. */
function linkOf(ipRange: string): { network: string; host: string; prefix: number } {
  const [address, prefix] = ipaddr.IPv4.parseCIDR(ipRange);
  const network = `${ipaddr.IPv4.networkAddressFromCIDR(ipRange).toString()}/${prefix}`;
  return { network, host: address.toString(), prefix };
}

/** The other usable address of a router interface's /30. */
function otherEnd(ipRange: string): string {
  const { network, host } = linkOf(ipRange);
  const ends = [nthAddress(network, 1), nthAddress(network, 2)];
  expect(ends).toContain(host);
  return ends[0] === host ? ends[1] : ends[0];
}

function inside(outer: string, inner: string): boolean {
  const o = rangeOf(outer);
  const i = rangeOf(inner);
  return i.first >= o.first && i.last <= o.last;
}

/* ------------------------------------------------------------------------------------------ */
/* The VPN as a set of BGP sessions: peer -> router interface -> tunnel                        */
/* ------------------------------------------------------------------------------------------ */

const TUNNEL = "google_compute_vpn_tunnel";
const INTERFACE = "google_compute_router_interface";
const PEER = "google_compute_router_peer";
const ONPREM_PROVIDER = "google.onprem";

interface Session {
  /** "local" = on the cloud side's router, "onprem" = on the simulated on-prem router. */
  readonly side: "local" | "onprem";
  readonly tunnelId: string;
  readonly tunnel: Body;
  readonly iface: Body;
  readonly peer: Body;
  /** The router interface's /30. */
  readonly link: string;
}

function sessionsOf(stack: StackJson): Session[] {
  const sessions = resourcesOf(stack, PEER).map(([, peer]): Session => {
    const iface = byId(stack, INTERFACE, idOf(strAt(peer, "interface"), INTERFACE));
    const tunnelId = idOf(strAt(iface, "vpn_tunnel"), TUNNEL);
    const tunnel = byId(stack, TUNNEL, tunnelId);
    return {
      side: peer.provider === ONPREM_PROVIDER ? "onprem" : "local",
      tunnelId,
      tunnel,
      iface,
      peer,
      link: linkOf(strAt(iface, "ip_range")).network,
    };
  });
  // One session per tunnel and per interface: nothing dangling, nothing shared.
  expect(new Set(sessions.map((s) => s.tunnelId)).size).toBe(resourcesOf(stack, TUNNEL).length);
  expect(sessions).toHaveLength(resourcesOf(stack, INTERFACE).length);
  return sessions;
}

const byInterface = (a: Session, b: Session) =>
  numAt(a.tunnel, "vpn_gateway_interface") - numAt(b.tunnel, "vpn_gateway_interface") ||
  numAt(a.tunnel, "peer_external_gateway_interface") -
    numAt(b.tunnel, "peer_external_gateway_interface");

const RANDOM_PASSWORD_REF = /^\$\{random_password\.([^.}]+)\.result\}$/;

/** Logical id of the random_password a tunnel's shared secret comes from. */
function pskOf(stack: StackJson, tunnel: Body): string {
  const match = RANDOM_PASSWORD_REF.exec(strAt(tunnel, "shared_secret"));
  if (!match) throw new Error(`shared_secret is not a random_password: ${tunnel.shared_secret}`);
  expect(stack.resource?.random_password?.[match[1]]).toBeDefined();
  return match[1];
}

/** Keys whose values are secrets: they must be Terraform expressions, never literals. */
const SECRET_KEYS =
  /^(shared_secret|secret_data|password|private_key|private_key_pem|preSharedKey)$/;

function secretLiterals(stack: StackJson): Array<[string, unknown]> {
  return entriesDeep(stack).filter(
    ([key, value]) =>
      SECRET_KEYS.test(key) && !(typeof value === "string" && /^\$\{[\s\S]+\}$/.test(value)),
  );
}

/* ------------------------------------------------------------------------------------------ */
/* Default environment: simulated on-prem, both directions of the VPN                          */
/* ------------------------------------------------------------------------------------------ */

const stack = stacksOf("default")["cloud-network"];
const config = hybridConfig("default");
const remote = remoteOf(stack);

describe("cloud-network: HA VPN to the simulated on-prem gateway", () => {
  const [gatewayId] = only(stack, "google_compute_ha_vpn_gateway");
  const [routerId, router] = only(stack, "google_compute_router");
  const gatewaySelfLink = ref("google_compute_ha_vpn_gateway", gatewayId, "self_link");
  const tunnels = resourcesOf(stack, TUNNEL).map(([, t]) => t);
  const local = tunnels.filter((t) => t.provider !== ONPREM_PROVIDER);
  const reverse = tunnels.filter((t) => t.provider === ONPREM_PROVIDER);
  const interfaces = (list: Body[]) => list.map((t) => t.vpn_gateway_interface).sort();

  it("runs the cloud router with the cloud ASN", () => {
    expect(router).toMatchObject({ bgp: { asn: cloudOf(config).asn } });
  });

  it("builds four tunnels: two per gateway, on interfaces 0 and 1", () => {
    expect(tunnels).toHaveLength(4);
    expect(local).toHaveLength(2);
    expect(reverse).toHaveLength(2);
    expect(interfaces(local)).toEqual([0, 1]);
    expect(interfaces(reverse)).toEqual([0, 1]);
  });

  it("points the local tunnels from the local gateway at the on-prem gateway (remote state)", () => {
    for (const tunnel of local) {
      expect(tunnel).toMatchObject({
        project: cloudOf(config).projectId,
        region: cloudOf(config).region,
        vpn_gateway: gatewaySelfLink,
        peer_gcp_gateway: remote("vpnGatewaySelfLink"),
        router: ref("google_compute_router", routerId, "name"),
        ike_version: 2,
      });
      expect(tunnel.peer_external_gateway).toBeUndefined();
    }
  });

  it("points the reverse tunnels from the on-prem gateway back at the local gateway", () => {
    for (const tunnel of reverse) {
      expect(tunnel).toMatchObject({
        provider: ONPREM_PROVIDER,
        project: remote("projectId"),
        region: remote("region"),
        vpn_gateway: remote("vpnGatewaySelfLink"),
        peer_gcp_gateway: gatewaySelfLink,
        router: remote("routerName"),
        ike_version: 2,
      });
      expect(tunnel.peer_external_gateway).toBeUndefined();
    }
  });

  it("configures the aliased on-prem provider from the on-prem contract", () => {
    expect(stack.provider?.google).toEqual(
      expect.arrayContaining([
        { project: cloudOf(config).projectId, region: cloudOf(config).region },
        { alias: "onprem", project: remote("projectId"), region: remote("region") },
      ]),
    );
  });

  it("uses the aliased provider for exactly the on-prem router's tunnels, interfaces and peers", () => {
    const aliased = Object.entries(stack.resource ?? {}).flatMap(([type, resources]) =>
      Object.values(resources)
        .filter((body) => body.provider !== undefined)
        .map((body) => ({ type, provider: body.provider, router: body.router })),
    );
    expect(aliased).toHaveLength(6);
    for (const resource of aliased) {
      expect(resource).toEqual({
        type: expect.stringMatching(`^(${TUNNEL}|${INTERFACE}|${PEER})$`),
        provider: ONPREM_PROVIDER,
        router: remote("routerName"),
      });
    }
  });

  it("attaches each router interface to a tunnel on its own router", () => {
    for (const [, iface] of resourcesOf(stack, INTERFACE)) {
      const tunnel = byId(stack, TUNNEL, idOf(strAt(iface, "vpn_tunnel"), TUNNEL));
      expect(iface.router).toBe(tunnel.router);
      expect(iface.provider).toBe(tunnel.provider);
      expect(iface.project).toBe(tunnel.project);
    }
  });
});

describe("cloud-network: BGP sessions", () => {
  const sessions = sessionsOf(stack);
  const local = sessions.filter((s) => s.side === "local");
  const onprem = sessions.filter((s) => s.side === "onprem");
  const linkLocalRange = cloudOf(config).vpn.linkLocalRange;

  it("has one BGP peer per tunnel on each router", () => {
    expect(local).toHaveLength(2);
    expect(onprem).toHaveLength(2);
    for (const session of sessions) expect(session.peer.router).toBe(session.iface.router);
  });

  it("addresses each peer from its interface's /30: own end and the other end", () => {
    for (const { iface, peer } of sessions) {
      const ipRange = strAt(iface, "ip_range");
      expect(linkOf(ipRange).prefix).toBe(30);
      expect(peer.ip_address).toBe(linkOf(ipRange).host);
      expect(peer.peer_ip_address).toBe(otherEnd(ipRange));
    }
  });

  it("mirrors every session on the other router", () => {
    for (const session of local) {
      const mirrors = onprem.filter((o) => o.peer.ip_address === session.peer.peer_ip_address);
      expect(mirrors).toHaveLength(1);
      expect(mirrors[0].peer.peer_ip_address).toBe(session.peer.ip_address);
      expect(mirrors[0].link).toBe(session.link);
      expect(mirrors[0].tunnel.vpn_gateway_interface).toBe(session.tunnel.vpn_gateway_interface);
    }
  });

  it("cross-matches the ASNs: the on-prem ASN comes from its contract", () => {
    expect(cloudOf(config).asn).toBe(64513);
    for (const { peer } of local) expect(peer.peer_asn).toBe(remoteOf(stack)("asn"));
    for (const { peer } of onprem) expect(peer.peer_asn).toBe(cloudOf(config).asn);
    expect(stacksOf("default")["onprem-network"].output?.asn.value).toBe(64512);
  });

  it("cuts distinct /30s from the configured link-local range", () => {
    expect(linkLocalRange).toBe("169.254.0.0/29");
    const links = local.map((s) => s.link);
    expect(new Set(links).size).toBe(links.length);
    for (const link of links) expect(inside(linkLocalRange, link)).toBe(true);
    expect(onprem.map((s) => s.link).sort()).toEqual([...links].sort());
  });

  it("leaves BFD off (HA VPN does not support it)", () => {
    for (const { peer } of sessions) expect(peer.bfd).toBeUndefined();
  });
});

describe("cloud-network: pre-shared keys and secrets", () => {
  const tunnels = resourcesOf(stack, TUNNEL).map(([, t]) => t);
  const passwords = resourcesOf(stack, "random_password");

  it("gives both tunnels of a pair the same random_password and each pair its own", () => {
    const pairs = [0, 1].map((i) =>
      tunnels.filter((t) => t.vpn_gateway_interface === i).map((t) => pskOf(stack, t)),
    );
    for (const pair of pairs) {
      expect(pair).toHaveLength(2);
      expect(pair[0]).toBe(pair[1]);
    }
    expect(pairs[0][0]).not.toBe(pairs[1][0]);
    expect(passwords.map(([id]) => id).sort()).toEqual(pairs.map((pair) => pair[0]).sort());
  });

  it("generates the keys at apply time: random_password has settings, no value", () => {
    for (const [, password] of passwords) {
      expect(numAt(password, "length")).toBeGreaterThanOrEqual(32);
      expect(password.result).toBeUndefined();
    }
  });

  it("has no secret literal anywhere", () => {
    for (const tunnel of tunnels) expect(tunnel.shared_secret).toMatch(RANDOM_PASSWORD_REF);
    expect(secretLiterals(stack)).toEqual([]);
    expect(allStrings(stack).filter((s) => /-----BEGIN|PRIVATE KEY/.test(s))).toEqual([]);
  });
});

describe("cloud-network: private DNS zone for the registry", () => {
  const [zoneId, zone] = only(stack, "google_dns_managed_zone");
  const [, network] = only(stack, "google_compute_network");
  const [networkId] = only(stack, "google_compute_network");
  const records = resourcesOf(stack, "google_dns_record_set").map(([, r]) => r);

  it("serves onprem.internal. privately to the app VPC and the on-prem VPC", () => {
    expect(network.name).toBe(cloudOf(config).network.name);
    expect(zone).toMatchObject({
      project: cloudOf(config).projectId,
      dns_name: "onprem.internal.",
      visibility: "private",
    });
    expect(zone.private_visibility_config).toEqual({
      networks: [
        { network_url: ref("google_compute_network", networkId, "self_link") },
        { network_url: remote("networkSelfLink") },
      ],
    });
  });

  it("resolves the registry FQDN to the reserved registry IP from the on-prem contract", () => {
    expect(records).toHaveLength(1);
    expect(records[0]).toEqual({
      project: cloudOf(config).projectId,
      managed_zone: ref("google_dns_managed_zone", zoneId, "name"),
      name: "registry.onprem.internal.",
      type: "A",
      ttl: 300,
      rrdatas: [remote("registryIp")],
    });
  });

  it("takes the TTL from config", () => {
    const custom = stacksOf("dnsTtl60")["cloud-network"];
    const ttls = resourcesOf(custom, "google_dns_record_set").map(([, r]) => r.ttl);
    expect(ttls).toEqual([60]);
  });
});

describe("cloud-network: application cluster trusting the registry CA", () => {
  const [, cluster] = only(stack, "google_container_cluster");
  const [, pool] = only(stack, "google_container_node_pool");
  const [secretId, secret] = only(stack, "google_secret_manager_secret");
  const [versionId, version] = only(stack, "google_secret_manager_secret_version");
  const nodeAccountId = idOf(
    strAt(pool, "node_config", "service_account"),
    "google_service_account",
  );
  const nodeMember = ref("google_service_account", nodeAccountId, "member");

  it("enables containerd private registry access for the registry FQDN with the CA secret", () => {
    expect(at(pool, "node_config", "containerd_config")).toEqual({
      private_registry_access_config: {
        enabled: true,
        certificate_authority_domain_config: [
          {
            fqdns: ["registry.onprem.internal"],
            gcp_secret_manager_certificate_config: {
              secret_uri: expect.stringMatching(
                new RegExp(
                  `^\\$\\{google_secret_manager_secret_version\\.${versionId}\\.(name|id)\\}$`,
                ),
              ),
            },
          },
        ],
      },
    });
  });

  it("stores the CA certificate read from the on-prem contract in the secret version", () => {
    expect(secret.project).toBe(cloudOf(config).projectId);
    expect(version).toMatchObject({
      secret: expect.stringMatching(
        new RegExp(`^\\$\\{google_secret_manager_secret\\.${secretId}\\.(id|name)\\}$`),
      ),
      secret_data: remote("caCertificatePem"),
    });
  });

  it("lets only the node service account access that secret", () => {
    const [, access] = only(stack, "google_secret_manager_secret_iam_member");
    expect(access).toMatchObject({
      project: cloudOf(config).projectId,
      role: "roles/secretmanager.secretAccessor",
      member: nodeMember,
      secret_id: expect.stringMatching(
        new RegExp(`^\\$\\{google_secret_manager_secret\\.${secretId}\\.(secret_id|id|name)\\}$`),
      ),
    });
    const projectRoles = resourcesOf(stack, "google_project_iam_member").map(([, m]) => m.role);
    expect(projectRoles).not.toContain("roles/secretmanager.secretAccessor");
  });

  it("creates the node pool only after the nodes' access to the CA secret has propagated", () => {
    const [accessId] = only(stack, "google_secret_manager_secret_iam_member");
    const [sleepId, sleep] = only(stack, "time_sleep");
    const [, pool] = only(stack, "google_container_node_pool");
    // ... and after the node account's project roles (nodes log and pull as it at once).
    const roleIds = resourcesOf(stack, "google_project_iam_member")
      .filter(([, member]) => member.member === nodeMember)
      .map(([id]) => `google_project_iam_member.${id}`);
    expect(roleIds.length).toBeGreaterThan(0);
    expect([...(pool.depends_on as string[])].sort()).toEqual(
      [`time_sleep.${sleepId}`, ...roleIds].sort(),
    );
    expect(sleep.depends_on).toEqual(
      expect.arrayContaining([`google_secret_manager_secret_iam_member.${accessId}`]),
    );
    // IAM changes typically take effect within 2 minutes.
    expect(sleep.create_duration).toBe("120s");
    expect(sleep.triggers).toMatchObject({
      member: expect.stringContaining("google_service_account."),
    });
    expect(stack.terraform.required_providers).toHaveProperty("time");
  });

  it("runs nodes as the dedicated account, on private, shielded nodes with workload identity", () => {
    expect(cluster).toMatchObject({
      private_cluster_config: {
        enable_private_nodes: true,
        master_ipv4_cidr_block: cloudOf(config).cluster.controlPlaneCidr,
      },
      enable_shielded_nodes: true,
      workload_identity_config: { workload_pool: `${cloudOf(config).projectId}.svc.id.goog` },
    });
    expect(pool).toMatchObject({
      node_config: {
        service_account: ref("google_service_account", nodeAccountId, "email"),
        shielded_instance_config: { enable_secure_boot: true },
        workload_metadata_config: { mode: "GKE_METADATA" },
      },
    });
  });
});

describe("cloud-network: firewall", () => {
  const rules = resourcesOf(stack, "google_compute_firewall").map(([, r]) => r);

  it("admits the on-prem ranges from the on-prem contract", () => {
    const peer = rules.filter((r) => r.source_ranges === remote("networkCidrs"));
    expect(peer).toHaveLength(1);
    expect(peer[0]).toMatchObject({ direction: "INGRESS" });
  });

  it("scopes every other rule to the app network's own ranges (IAP SSH off)", () => {
    const others = rules.filter((r) => r.source_ranges !== remote("networkCidrs"));
    expect(others.length).toBeGreaterThan(0);
    for (const rule of others)
      expect(rule.source_ranges).toEqual(networkRangesOf(cloudOf(config).network));
  });

  it.each(["default", "externalPeer", "artifactRegistry"] as const)(
    "has no 0.0.0.0/0 anywhere (%s)",
    (environment) => {
      const cloud = stacksOf(environment)["cloud-network"];
      expect(allStrings(cloud).filter((s) => s.includes("0.0.0.0/0"))).toEqual([]);
    },
  );
});

/* ------------------------------------------------------------------------------------------ */
/* Artifact Registry and the pull-through cache                                                */
/* ------------------------------------------------------------------------------------------ */

describe("cloud-network: Artifact Registry", () => {
  const ar = stacksOf("artifactRegistry")["cloud-network"];
  const arConfig = hybridConfig("artifactRegistry");
  const [repositoryId, repository] = only(ar, "google_artifact_registry_repository");
  const [, arPool] = only(ar, "google_container_node_pool");
  const arNodeAccountId = idOf(
    strAt(arPool, "node_config", "service_account"),
    "google_service_account",
  );
  const readerAccounts = resourcesOf(ar, "google_service_account").filter(
    ([id]) => id !== arNodeAccountId,
  );

  it("creates a Docker repository with keep-recent and delete-untagged cleanup policies", () => {
    expect(repository).toMatchObject({
      project: cloudOf(arConfig).projectId,
      location: cloudOf(arConfig).region,
      repository_id: cloudOf(arConfig).artifactRegistry.repositoryId,
      format: "DOCKER",
    });
    expect(repository.cleanup_policies).toEqual(
      expect.arrayContaining([
        {
          id: "keep-recent",
          action: "KEEP",
          most_recent_versions: {
            keep_count: cloudOf(arConfig).artifactRegistry.keepRecentVersions,
          },
        },
        {
          id: "delete-untagged",
          action: "DELETE",
          condition: {
            tag_state: "UNTAGGED",
            older_than: `${cloudOf(arConfig).artifactRegistry.deleteUntaggedAfterDays * 86400}s`,
          },
        },
      ]),
    );
  });

  it("enables the Artifact Registry API", () => {
    const services = resourcesOf(ar, "google_project_service").map(([, s]) => s.service);
    expect(services).toContain("artifactregistry.googleapis.com");
  });

  it("never grants roles/storage.admin", () => {
    for (const body of Object.values(stacksOf("artifactRegistry"))) {
      expect(allStrings(body).filter((s) => s.includes("roles/storage.admin"))).toEqual([]);
    }
  });

  it("grants nodes Google's minimum node role, and the Artifact Registry reader only when it is enabled", () => {
    const rolesOf = (json: StackJson) =>
      resourcesOf(json, "google_project_iam_member")
        .map(([, m]) => m.role)
        .sort();
    expect(rolesOf(stacksOf("default")["cloud-network"])).toEqual([
      "roles/container.defaultNodeServiceAccount",
    ]);
    expect(rolesOf(stacksOf("default")["onprem-network"])).toEqual([
      "roles/container.defaultNodeServiceAccount",
    ]);
    expect(rolesOf(ar)).toEqual([
      "roles/artifactregistry.reader",
      "roles/container.defaultNodeServiceAccount",
    ]);
  });

  it("lets the node service account read Artifact Registry", () => {
    const nodeRoles = resourcesOf(ar, "google_project_iam_member")
      .map(([, m]) => m)
      .filter((m) => m.member === ref("google_service_account", arNodeAccountId, "member"))
      .map((m) => m.role);
    expect(nodeRoles).toContain("roles/artifactregistry.reader");
  });

  it("gives the external reader account read access on the repository only, and a key", () => {
    expect(readerAccounts).toHaveLength(1);
    const [readerId] = readerAccounts[0];
    const member = ref("google_service_account", readerId, "member");
    const [, binding] = only(ar, "google_artifact_registry_repository_iam_member");
    expect(binding).toMatchObject({
      role: "roles/artifactregistry.reader",
      member,
      repository: expect.stringMatching(
        new RegExp(`^\\$\\{google_artifact_registry_repository\\.${repositoryId}\\.`),
      ),
    });
    const projectMembers = resourcesOf(ar, "google_project_iam_member").map(([, m]) => m.member);
    expect(projectMembers).not.toContain(member);
    const [, key] = only(ar, "google_service_account_key");
    expect(key.service_account_id).toMatch(
      new RegExp(`^\\$\\{google_service_account\\.${readerId}\\.(name|id|email)\\}$`),
    );
  });

  it("outputs a sensitive .dockerconfigjson built from the key with the _json_key user", () => {
    const [keyId] = only(ar, "google_service_account_key");
    const output = ar.output?.artifact_registry_docker_config_json;
    expect(output?.sensitive).toBe(true);
    expect(output?.value).toEqual(expect.stringContaining("_json_key"));
    expect(output?.value).toEqual(
      expect.stringContaining(`google_service_account_key.${keyId}.private_key`),
    );
    expect(output?.value).toEqual(
      expect.stringContaining(`${cloudOf(arConfig).region}-docker.pkg.dev`),
    );
    expect(secretLiterals(ar)).toEqual([]);
  });

  it("publishes the repository URL", () => {
    expect(ar.output?.artifact_registry_url.value).toBe(
      `${cloudOf(arConfig).region}-docker.pkg.dev/${cloudOf(arConfig).projectId}/${ref("google_artifact_registry_repository", repositoryId, "repository_id")}`,
    );
  });

  it("creates no repository, reader or key in the default environment", () => {
    expect(resourcesOf(stack, "google_artifact_registry_repository")).toEqual([]);
    expect(resourcesOf(stack, "google_artifact_registry_repository_iam_member")).toEqual([]);
    expect(resourcesOf(stack, "google_service_account_key")).toEqual([]);
    expect(resourcesOf(stack, "google_service_account")).toHaveLength(1);
    expect(stack.output?.artifact_registry_url.value).toBe("");
    expect(stack.output?.artifact_registry_docker_config_json.value).toBe("");
  });
});

describe("cloud-network: pull-through cache", () => {
  const ar = stacksOf("artifactRegistry")["cloud-network"];
  const arConfig = hybridConfig("artifactRegistry");
  const cacheFqdn = arConfig.app.pullThroughCache.fqdn;
  const [addressId, address] = only(ar, "google_compute_address");
  const [subnetId] = only(ar, "google_compute_subnetwork");
  const [zoneId] = only(ar, "google_dns_managed_zone");
  const [, pool] = only(ar, "google_container_node_pool");

  it("reserves an internal address for the cache in the app subnet", () => {
    expect(address).toMatchObject({
      address_type: "INTERNAL",
      subnetwork: ref("google_compute_subnetwork", subnetId, "id"),
      region: cloudOf(arConfig).region,
    });
    const ip = strAt(address, "address");
    expect(isUsableGcpSubnetHost(cloudOf(arConfig).network.subnetCidr, ip)).toBe(true);
    expect(cidrContains(cloudOf(arConfig).network.subnetCidr, ip)).toBe(true);
  });

  it("resolves the cache FQDN to that address", () => {
    const records = resourcesOf(ar, "google_dns_record_set").map(([, r]) => r);
    expect(records).toContainEqual(
      expect.objectContaining({
        managed_zone: ref("google_dns_managed_zone", zoneId, "name"),
        name: `${cacheFqdn}.`,
        type: "A",
        rrdatas: [ref("google_compute_address", addressId, "address")],
      }),
    );
    expect(ar.output?.cache_ip.value).toBe(ref("google_compute_address", addressId, "address"));
  });

  it("lets containerd trust the registry CA for the registry and the cache", () => {
    expect(
      at(
        pool,
        "node_config",
        "containerd_config",
        "private_registry_access_config",
        "certificate_authority_domain_config",
      ),
    ).toEqual([expect.objectContaining({ fqdns: [arConfig.registry.fqdn, cacheFqdn] })]);
  });

  it("reserves nothing for a cache in the default environment", () => {
    expect(resourcesOf(stack, "google_compute_address")).toEqual([]);
    expect(stack.output?.cache_ip.value).toBe("");
  });
});

/* ------------------------------------------------------------------------------------------ */
/* External peer: a real VPN device                                                            */
/* ------------------------------------------------------------------------------------------ */

interface ExternalCase {
  readonly name: string;
  readonly build: () => StackJson;
  readonly ips: string[];
  readonly redundancy: string;
  readonly linkLocalRange: string;
  /** [HA VPN interface, device interface] of each tunnel, in order. */
  readonly pairs: Array<[number, number]>;
}

const externalConfig = hybridConfig("externalPeer");
if (externalConfig.onprem.mode !== "external") throw new Error("externalPeer fixture");
const device = externalConfig.onprem;

const EXTERNAL_CASES: ExternalCase[] = [
  {
    name: "two-IP device (externalPeer environment)",
    build: () => stacksOf("externalPeer")["cloud-network"],
    ips: device.peerInterfaces,
    redundancy: "TWO_IPS_REDUNDANCY",
    linkLocalRange: "169.254.0.0/29",
    pairs: [
      [0, 0],
      [1, 1],
    ],
  },
  {
    name: "one-IP device",
    build: () => stacksOf("externalPeerOneIp")["cloud-network"],
    ips: ["198.51.100.10"],
    redundancy: "SINGLE_IP_INTERNALLY_REDUNDANT",
    linkLocalRange: "169.254.0.0/29",
    pairs: [
      [0, 0],
      [1, 0],
    ],
  },
  {
    name: "four-IP device with a configured /28",
    build: () => stacksOf("externalPeerFourIps")["cloud-network"],
    ips: ["198.51.100.10", "198.51.100.11", "198.51.100.12", "198.51.100.13"],
    redundancy: "FOUR_IPS_REDUNDANCY",
    linkLocalRange: "169.254.10.0/28",
    pairs: [
      [0, 0],
      [0, 1],
      [1, 2],
      [1, 3],
    ],
  },
];

describe.each(EXTERNAL_CASES)(
  "cloud-network: external peer, $name",
  ({ build, ips, redundancy, linkLocalRange, pairs }) => {
    const cloud = build();
    const [externalId, externalGateway] = only(cloud, "google_compute_external_vpn_gateway");
    const [gatewayId] = only(cloud, "google_compute_ha_vpn_gateway");
    const tunnels = resourcesOf(cloud, TUNNEL).map(([, t]) => t);
    const sessions = sessionsOf(cloud).sort(byInterface);

    it("models the device as an external VPN gateway with its public IPs", () => {
      expect(externalGateway).toMatchObject({
        project: cloudOf(externalConfig).projectId,
        redundancy_type: redundancy,
        interface: ips.map((ip_address, id) => ({ id, ip_address })),
      });
    });

    it("builds one tunnel per recommended interface pairing, to the external gateway", () => {
      expect(tunnels).toHaveLength(pairs.length);
      expect(
        sessions.map((s) => [
          s.tunnel.vpn_gateway_interface,
          s.tunnel.peer_external_gateway_interface,
        ]),
      ).toEqual(pairs);
      for (const tunnel of tunnels) {
        expect(tunnel).toMatchObject({
          vpn_gateway: ref("google_compute_ha_vpn_gateway", gatewayId, "self_link"),
          peer_external_gateway: expect.stringMatching(
            new RegExp(
              `^\\$\\{google_compute_external_vpn_gateway\\.${externalId}\\.(id|self_link)\\}$`,
            ),
          ),
          ike_version: 2,
        });
        expect(tunnel.peer_gcp_gateway).toBeUndefined();
      }
    });

    it("gives every tunnel its own random_password", () => {
      const keys = tunnels.map((t) => pskOf(cloud, t));
      expect(new Set(keys).size).toBe(tunnels.length);
      expect(resourcesOf(cloud, "random_password")).toHaveLength(tunnels.length);
      expect(secretLiterals(cloud)).toEqual([]);
    });

    it("peers BGP with the device ASN over distinct /30s of the configured range", () => {
      expect(sessions).toHaveLength(pairs.length);
      for (const { iface, peer } of sessions) {
        const ipRange = strAt(iface, "ip_range");
        expect(peer.peer_asn).toBe(remoteOf(cloud)("asn"));
        expect(peer.ip_address).toBe(linkOf(ipRange).host);
        expect(peer.peer_ip_address).toBe(otherEnd(ipRange));
        expect(peer.bfd).toBeUndefined();
      }
      const links = sessions.map((s) => s.link);
      expect(new Set(links).size).toBe(links.length);
      for (const link of links) expect(inside(linkLocalRange, link)).toBe(true);
    });

    it("builds nothing on a GCP peer: no reverse tunnels, no aliased provider", () => {
      expect(sessions.every((s) => s.side === "local")).toBe(true);
      expect(cloud.provider?.google).toHaveLength(1);
      expect(cloud.provider?.google?.[0].alias).toBeUndefined();
      const aliased = Object.values(cloud.resource ?? {}).flatMap((resources) =>
        Object.values(resources).filter((body) => body.provider !== undefined),
      );
      expect(aliased).toEqual([]);
      const gcpPeerReads = allStrings(cloud).filter((s) =>
        /outputs\.(vpn_gateway_self_link|router_name|network_self_link)\b/.test(s),
      );
      expect(gcpPeerReads).toEqual([]);
    });

    it("outputs, sensitively, what the device admin must enter for each tunnel", () => {
      const output = cloud.output?.vpn_device_settings;
      expect(output?.sensitive).toBe(true);
      expect(output?.value).toMatchObject(
        sessions.map(({ tunnel, peer, link }) => ({
          tunnel: tunnel.name,
          cloudVpnPublicIp: ref(
            "google_compute_ha_vpn_gateway",
            gatewayId,
            `vpn_interfaces[${numAt(tunnel, "vpn_gateway_interface")}].ip_address`,
          ),
          deviceInterfaceIp: ips[numAt(tunnel, "peer_external_gateway_interface")],
          preSharedKey: tunnel.shared_secret,
          insideCidr: link,
          cloudBgpIp: peer.ip_address,
          deviceBgpIp: peer.peer_ip_address,
          cloudAsn: cloudOf(externalConfig).asn,
          deviceAsn: remoteOf(cloud)("asn"),
        })),
      );
    });

    it("makes the registry zone visible to the app network only", () => {
      const [networkId] = only(cloud, "google_compute_network");
      const [, zone] = only(cloud, "google_dns_managed_zone");
      expect(zone.private_visibility_config).toEqual({
        networks: [{ network_url: ref("google_compute_network", networkId, "self_link") }],
      });
    });
  },
);

describe("cloud-network: external peer settings in the externalPeer environment", () => {
  const cloud = stacksOf("externalPeer")["cloud-network"];

  it("hands the device admin the two tunnels' inside CIDRs and BGP addresses", () => {
    expect(cloud.output?.vpn_device_settings.value).toMatchObject([
      {
        insideCidr: "169.254.0.0/30",
        cloudBgpIp: "169.254.0.1",
        deviceBgpIp: "169.254.0.2",
        deviceInterfaceIp: "198.51.100.10",
        cloudAsn: 64513,
        deviceAsn: expect.stringMatching(/\.outputs\.asn\}$/),
        preSharedKey: expect.stringMatching(RANDOM_PASSWORD_REF),
      },
      {
        insideCidr: "169.254.0.4/30",
        cloudBgpIp: "169.254.0.5",
        deviceBgpIp: "169.254.0.6",
        deviceInterfaceIp: "198.51.100.11",
        cloudAsn: 64513,
        deviceAsn: expect.stringMatching(/\.outputs\.asn\}$/),
        preSharedKey: expect.stringMatching(RANDOM_PASSWORD_REF),
      },
    ]);
  });

  it("still reads the on-prem ranges and registry IP from the contract", () => {
    const externalRemote = remoteOf(cloud);
    const rules = resourcesOf(cloud, "google_compute_firewall").map(([, r]) => r.source_ranges);
    expect(rules).toContain(externalRemote("networkCidrs"));
    const [, record] = only(cloud, "google_dns_record_set");
    expect(record.rrdatas).toEqual([externalRemote("registryIp")]);
  });

  it("has no vpn_device_settings output in the simulated mode", () => {
    expect(stack.output?.vpn_device_settings).toBeUndefined();
  });
});

/* ------------------------------------------------------------------------------------------ */
/* Contract                                                                                    */
/* ------------------------------------------------------------------------------------------ */

describe.each(["default", "externalPeer", "artifactRegistry"] as const)(
  "cloud-network contract outputs (%s)",
  (environment) => {
    const cloud = stacksOf(environment)["cloud-network"];

    it("publishes every contract output with its declared sensitivity", () => {
      for (const [key, spec] of Object.entries(cloudNetworkContract.outputs)) {
        const output = cloud.output?.[outputName(key)];
        expect({ key, defined: output !== undefined }).toEqual({ key, defined: true });
        expect({ key, sensitive: Boolean(output?.sensitive) }).toEqual({
          key,
          sensitive: spec.sensitive,
        });
      }
      expect(cloud.output?.artifact_registry_docker_config_json.sensitive).toBe(true);
    });
  },
);

describe("cloud-network: API enablement first", () => {
  it("creates every resource of a not-yet-enabled API after the API", () => {
    const stacks = stacksOf("artifactRegistry")["cloud-network"];
    const services = resourcesOf(stacks, "google_project_service").map(
      ([id]) => `google_project_service.${id}`,
    );
    for (const type of [
      "google_service_account",
      "google_secret_manager_secret",
      "google_artifact_registry_repository",
    ]) {
      const found = resourcesOf(stacks, type);
      expect(found.length).toBeGreaterThan(0);
      for (const [, resource] of found) {
        expect([...(resource.depends_on as string[])].sort()).toEqual(services.sort());
      }
    }
  });
});
