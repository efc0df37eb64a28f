import { Construct } from "constructs";
import { CertificateAuthority } from "./certificate-authority";
import { keySpec, type KeyAlgorithm } from "./key-spec";
import { ServerCertificate } from "./server-certificate";

export interface RegistryPkiProps {
  /** Registry host name: common name and DNS SAN of the server certificate. */
  readonly registryFqdn: string;
  /**
   * IP SANs (the registry's load-balancer IP), so clients that dial the IP also verify.
   * @default []
   */
  readonly ipAddresses?: string[];
  /**
   * More DNS SANs, e.g. `localhost` for a node proxy.
   * @default []
   */
  readonly additionalDnsNames?: string[];
  /**
   * Host name of the pull-through cache; gets its own certificate from the same CA.
   * @default no cache certificate
   */
  readonly cacheFqdn?: string;
  /** @default "ECDSA" (P-256) */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** @default 3072 */
  readonly rsaBits?: number;
  /** @default "hybrid-registry" */
  readonly organization?: string;
  /** @default 3650 */
  readonly caValidityDays?: number;
  /** @default 365 */
  readonly serverValidityDays?: number;
  /** @default 30 */
  readonly earlyRenewalDays?: number;
}

/** The registry's private CA and server certificate(s); no key ever leaves Terraform state. */
export class RegistryPki extends Construct {
  public readonly ca: CertificateAuthority;
  public readonly server: ServerCertificate;
  public readonly cache?: ServerCertificate;

  constructor(scope: Construct, id: string, props: RegistryPkiProps) {
    super(scope, id);
    const key = keySpec(props.keyAlgorithm ?? "ECDSA", props.rsaBits ?? 3072);
    const organization = props.organization ?? "hybrid-registry";
    this.ca = new CertificateAuthority(this, "ca", {
      commonName: `${organization} registry CA`,
      organization,
      key,
      validityDays: props.caValidityDays,
    });
    const serverProps = {
      ca: this.ca,
      key,
      organization,
      validityDays: props.serverValidityDays,
      earlyRenewalDays: props.earlyRenewalDays,
    };
    this.server = new ServerCertificate(this, "server", {
      ...serverProps,
      dnsNames: [props.registryFqdn, ...(props.additionalDnsNames ?? [])],
      ipAddresses: props.ipAddresses ?? [],
    });
    if (props.cacheFqdn) {
      this.cache = new ServerCertificate(this, "cache", {
        ...serverProps,
        dnsNames: [props.cacheFqdn],
      });
    }
  }
}
