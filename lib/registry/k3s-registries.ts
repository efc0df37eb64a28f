import { Fn } from "cdktf";

/** Where the k3s docs put the CA file referenced by registries.yaml. */
export const K3S_CA_FILE = "/etc/rancher/k3s/registry-ca.crt";

export interface K3sRegistriesProps {
  /** Registry name as in image references. */
  readonly registry: string;
  /** URL k3s's containerd connects to. */
  readonly endpoint: string;
  readonly username: string;
  /** Token of the generated password. */
  readonly password: string;
}

/**
 * A ready `/etc/rancher/k3s/registries.yaml`: the registry as a mirror of itself on the
 * endpoint, with the CA file and the pulling user. Rendered by Terraform (it holds a password).
 */
export function k3sRegistriesYaml(props: K3sRegistriesProps): string {
  const endpointHost = props.endpoint.replace(/^https:\/\//, "");
  const tlsAndAuth = {
    tls: { ca_file: K3S_CA_FILE },
    auth: { username: props.username, password: props.password },
  };
  return Fn.yamlencode({
    mirrors: { [props.registry]: { endpoint: [props.endpoint] } },
    configs: {
      [props.registry]: tlsAndAuth,
      ...(endpointHost !== props.registry ? { [endpointHost]: tlsAndAuth } : {}),
    },
  });
}
