/** Where containerd (config_path) and Docker look for per-registry trust. */
export const CONTAINERD_CERTS_DIR = "/etc/containerd/certs.d";
export const DOCKER_CERTS_DIR = "/etc/docker/certs.d";

/** One URL containerd may pull from, with the CA it trusts there. */
export interface HostsTomlHost {
  /** URL containerd connects to. */
  readonly endpoint: string;
  /** Path of the CA certificate on the node. */
  readonly caFile: string;
}

export interface HostsTomlProps {
  /** Registry name as written in image references (host or host:port). */
  readonly registry: string;
  /** URL containerd connects to (may differ from the name, e.g. an IP or localhost:5000). */
  readonly endpoint: string;
  /** Path of the CA certificate on the node. */
  readonly caFile: string;
  /**
   * Hosts tried, in this order, when the endpoint fails (connection refused, 4xx or 5xx),
   * e.g. the registry behind a pull-through cache. They must serve the same repositories.
   * @default none
   */
  readonly fallbacks?: readonly HostsTomlHost[];
}

/**
 * containerd's `certs.d/<registry>/hosts.toml`: pull and resolve from the endpoint, then from
 * each fallback, each trusting its own CA file. "When host(s) are specified, the hosts will be
 * tried first in the order listed. If all host(s) are tried then server will be used as a
 * fallback" (https://github.com/containerd/containerd/blob/main/docs/hosts.md, "server field").
 */
export function renderHostsToml(props: HostsTomlProps): string {
  const hosts: HostsTomlHost[] = [
    { endpoint: props.endpoint, caFile: props.caFile },
    ...(props.fallbacks ?? []),
  ];
  return [
    `server = ${JSON.stringify(props.endpoint)}`,
    ...hosts.flatMap((host) => [
      "",
      `[host.${JSON.stringify(host.endpoint)}]`,
      `  capabilities = ["pull", "resolve"]`,
      `  ca = ${JSON.stringify(host.caFile)}`,
    ]),
    "",
  ].join("\n");
}
