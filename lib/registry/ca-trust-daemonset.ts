import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DaemonSetV1 } from "@cdktf/provider-kubernetes/lib/daemon-set-v1";
import { CONFIG_HASH_ANNOTATION, configHash } from "../k8s/config-hash";
import { appLabels, selectorLabels } from "../k8s/labels";
import { CONTAINERD_CERTS_DIR, DOCKER_CERTS_DIR, renderHostsToml } from "./node-trust-files";

export interface TrustedRegistryHost {
  /** Registry name as in image references. */
  readonly registry: string;
  /** URL containerd connects to. */
  readonly endpoint: string;
  /**
   * Registry names of other entries of `hosts` whose endpoints containerd tries, in this
   * order, when this one fails: a pull-through cache falls back to the registry it proxies,
   * which serves the same repositories under the same names.
   * @default none
   */
  readonly fallbackTo?: readonly string[];
}

/** Where the install script puts a host's CA, beside its hosts.toml. */
function caFileOf(registry: string): string {
  return `${CONTAINERD_CERTS_DIR}/${registry}/ca.crt`;
}

/**
 * Each host's hosts.toml, by registry name: its own endpoint and CA first, then those of its
 * fallbacks, each with the CA file the script writes in that host's own folder.
 */
export function hostsTomlFiles(hosts: readonly TrustedRegistryHost[]): Record<string, string> {
  const byName = new Map(hosts.map((host) => [host.registry, host]));
  return Object.fromEntries(
    hosts.map((host) => {
      const fallbacks = (host.fallbackTo ?? []).map((name) => {
        const fallback = byName.get(name);
        if (!fallback || name === host.registry) {
          throw new Error(
            `CaTrustDaemonSet: ${host.registry} falls back to ${name}, which is not another of its hosts (${[...byName.keys()].join(", ")})`,
          );
        }
        return { endpoint: fallback.endpoint, caFile: caFileOf(name) };
      });
      return [
        host.registry,
        renderHostsToml({
          registry: host.registry,
          endpoint: host.endpoint,
          caFile: caFileOf(host.registry),
          fallbacks,
        }),
      ];
    }),
  );
}

export interface CaTrustDaemonSetProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  readonly caCertificatePem: string;
  readonly hosts: readonly TrustedRegistryHost[];
  /** Tiny image with a POSIX shell, pinned (e.g. busybox). */
  readonly image: string;
  /**
   * The nodes run containerd 2.2 or later, which reads /etc/containerd/certs.d without
   * `config_path`: skip the check of the node's containerd configuration.
   * @default false
   */
  readonly assumeConfigPath?: boolean;
}

/** Where the node's containerd configuration is mounted, read-only, in the init container. */
export const HOST_CONTAINERD_CONFIG_DIR = "/host/etc/containerd";

/**
 * Fails, with what to set, unless the node's containerd reads `certs.d`. The CRI plugin reads
 * hosts.toml files only from its registry `config_path`, which containerd 1.x and 2.0/2.1
 * leave empty by default (`containerd config default` prints `config_path = ""`; see
 * containerd docs/hosts.md "CRI" and docs/cri/config.md "Registry Configuration").
 * containerd 2.2+ reads /etc/containerd/certs.d without it: `assumeConfigPath` skips the check.
 * The config file and drop-ins in conf.d are searched; nothing is ever written there.
 */
function containerdConfigCheck(): string {
  const certsDir = CONTAINERD_CERTS_DIR.replaceAll(".", String.raw`\.`);
  // Double quotes around the pattern (it matches either quote of a TOML string), single quotes
  // around the message (it quotes TOML keys). No ${...}: the script is a Terraform string.
  const pattern = String.raw`"^[[:space:]]*config_path[[:space:]]*=[[:space:]]*[\"'][^\"']*${certsDir}"`;
  const message = `containerd on this node does not read ${CONTAINERD_CERTS_DIR}: in /etc/containerd/config.toml set config_path = "${CONTAINERD_CERTS_DIR}" under [plugins."io.containerd.grpc.v1.cri".registry] (config version 2) or [plugins."io.containerd.cri.v1.images".registry] (version 3), then restart containerd. containerd 2.2 and later read it by default: then set app.caTrustDaemonSet.assumeConfigPath: true.`;
  return [
    'if [ "$ASSUME_CONFIG_PATH" != true ]; then',
    "  found=",
    `  for file in ${HOST_CONTAINERD_CONFIG_DIR}/config.toml ${HOST_CONTAINERD_CONFIG_DIR}/conf.d/*.toml; do`,
    `    if [ -f "$file" ] && grep -Eq ${pattern} "$file"; then found="$file"; fi`,
    "  done",
    '  if [ -z "$found" ]; then',
    `    echo '${message}' >&2`,
    "    exit 1",
    "  fi",
    "fi",
  ].join("\n");
}

/**
 * The script that checks containerd and installs the trust files for every host on the node:
 * every CA first, then the hosts.toml files, since a host's file may name another host's CA
 * (a fallback) and containerd reads the files at the next pull, without a restart.
 */
export function caTrustInstallScript(registries: readonly string[]): string {
  const trust = registries.flatMap((registry) => [
    `mkdir -p ${CONTAINERD_CERTS_DIR}/${registry} ${DOCKER_CERTS_DIR}/${registry}`,
    `cp /trust/ca.crt ${caFileOf(registry)}`,
    `cp /trust/ca.crt ${DOCKER_CERTS_DIR}/${registry}/ca.crt`,
  ]);
  const hosts = registries.map(
    (registry, i) => `cp /trust/hosts-${i}.toml ${CONTAINERD_CERTS_DIR}/${registry}/hosts.toml`,
  );
  return ["set -eu", containerdConfigCheck(), ...trust, ...hosts].join("\n");
}

/**
 * For clusters without GKE's native trust: writes `certs.d/<host>/hosts.toml` + `ca.crt` for
 * containerd (and `ca.crt` for Docker) on every node, tolerating every taint. The only
 * privileged workload of the project: it writes to the host's /etc.
 */
export class CaTrustDaemonSet extends Construct {
  public readonly daemonSet: DaemonSetV1;
  public readonly files: ConfigMapV1;

  constructor(scope: Construct, id: string, props: CaTrustDaemonSetProps) {
    super(scope, id);
    const name = "registry-ca-trust";
    const labels = appLabels(name, "node-trust");
    const hostsToml = hostsTomlFiles(props.hosts);
    const files: Record<string, string> = {
      "ca.crt": props.caCertificatePem,
      ...Object.fromEntries(
        props.hosts.map((host, i) => [`hosts-${i}.toml`, hostsToml[host.registry]]),
      ),
    };
    this.files = new ConfigMapV1(this, "files", {
      provider: props.provider,
      metadata: { name, namespace: props.namespace, labels },
      data: files,
    });
    const script = caTrustInstallScript(props.hosts.map((host) => host.registry));
    const resources = {
      requests: { cpu: "5m", memory: "8Mi" },
      limits: { cpu: "50m", memory: "32Mi" },
    };
    this.daemonSet = new DaemonSetV1(this, "daemonset", {
      provider: props.provider,
      metadata: { name, namespace: props.namespace, labels },
      waitForRollout: false,
      spec: {
        selector: { matchLabels: selectorLabels(name) },
        template: {
          // A rotated CA reaches the nodes only when the init container runs again.
          metadata: {
            labels,
            annotations: { [CONFIG_HASH_ANNOTATION]: configHash(this.files.data) },
          },
          spec: {
            automountServiceAccountToken: false,
            toleration: [{ operator: "Exists" }],
            initContainer: [
              {
                name: "install",
                image: props.image,
                command: ["/bin/sh", "-c", script],
                env: [
                  { name: "ASSUME_CONFIG_PATH", value: String(props.assumeConfigPath ?? false) },
                ],
                // `kubectl describe pod` shows the check's message, not only the exit code.
                terminationMessagePolicy: "FallbackToLogsOnError",
                securityContext: { privileged: true },
                resources,
                volumeMount: [
                  { name: "trust", mountPath: "/trust", readOnly: true },
                  {
                    name: "containerd-config",
                    mountPath: HOST_CONTAINERD_CONFIG_DIR,
                    readOnly: true,
                  },
                  { name: "containerd-certs", mountPath: CONTAINERD_CERTS_DIR },
                  { name: "docker-certs", mountPath: DOCKER_CERTS_DIR },
                ],
              },
            ],
            // Keeps the pod (and so the files' owner) alive without doing anything.
            container: [
              {
                name: "hold",
                image: props.image,
                command: ["/bin/sh", "-c", "trap 'exit 0' TERM; sleep 2147483647 & wait"],
                resources,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: "65534",
                  seccompProfile: { type: "RuntimeDefault" },
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
              },
            ],
            volume: [
              { name: "trust", configMap: { name: this.files.metadata.name } },
              {
                name: "containerd-config",
                hostPath: { path: "/etc/containerd", type: "DirectoryOrCreate" },
              },
              {
                name: "containerd-certs",
                hostPath: { path: CONTAINERD_CERTS_DIR, type: "DirectoryOrCreate" },
              },
              {
                name: "docker-certs",
                hostPath: { path: DOCKER_CERTS_DIR, type: "DirectoryOrCreate" },
              },
            ],
          },
        },
      },
    });
  }
}
