/** Where containerd (config_path) and Docker look for per-registry trust. */
export const CONTAINERD_CERTS_DIR = "/etc/containerd/certs.d";
export const DOCKER_CERTS_DIR = "/etc/docker/certs.d";

export interface HostsTomlProps {
  /** Registry name as written in image references (host or host:port). */
  readonly registry: string;
  /** URL containerd connects to (may differ from the name, e.g. an IP or localhost:5000). */
  readonly endpoint: string;
  /** Path of the CA certificate on the node. */
  readonly caFile: string;
}

/** containerd's `certs.d/<registry>/hosts.toml`: pull and resolve from the endpoint, trusting the CA. */
export function renderHostsToml(props: HostsTomlProps): string {
  return [
    `server = ${JSON.stringify(props.endpoint)}`,
    "",
    `[host.${JSON.stringify(props.endpoint)}]`,
    `  capabilities = ["pull", "resolve"]`,
    `  ca = ${JSON.stringify(props.caFile)}`,
    "",
  ].join("\n");
}
