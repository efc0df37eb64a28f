import { Construct } from "constructs";
import { CertificateAuthority } from "./certificate-authority";
import { keySpec, type KeyAlgorithm } from "./key-spec";
import { CertificateRenewalCheck } from "./renewal-check";
import { ServerCertificate } from "./server-certificate";

/** A new CA must reach every node and client: half a year of notice. */
const CA_NOTICE_DAYS = 180;

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
  /**
   * Days of warning (a Terraform check) before a server certificate's renewal point and
   * before the CA expires.
   * @default 30 for server certificates; the CA always gets 180
   */
  readonly renewalNoticeDays?: number;
}

/** The registry's private CA and server certificate(s); no key ever leaves Terraform state. */
export class RegistryPki extends Construct {
  public readonly ca: CertificateAuthority;
  public readonly server: ServerCertificate;
  public readonly cache?: ServerCertificate;
  /** Warns during plans before the certificates need an apply to renew. */
  public readonly renewalCheck: CertificateRenewalCheck;

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
    const earlyRenewalDays = props.earlyRenewalDays ?? 30;
    const noticeDays = props.renewalNoticeDays ?? 30;
    const rollsPods = "the Pods serving it restart with the new one; clients need nothing new";
    this.renewalCheck = new CertificateRenewalCheck(this, "registry_certificate_renewal", {
      certificates: [
        {
          label: "registry server certificate",
          validityEndTime: this.server.certificate.validityEndTime,
          earlyRenewalDays,
          noticeDays,
          whatRenewalDoes: rollsPods,
        },
        ...(this.cache
          ? [
              {
                label: "pull-through cache certificate",
                validityEndTime: this.cache.certificate.validityEndTime,
                earlyRenewalDays,
                noticeDays,
                whatRenewalDoes: rollsPods,
              },
            ]
          : []),
        {
          label: "registry CA",
          validityEndTime: this.ca.certificate.validityEndTime,
          earlyRenewalDays: 0,
          noticeDays: CA_NOTICE_DAYS,
          whatRenewalDoes:
            "replacing it (raise caValidityDays, or taint tls_self_signed_cert) makes every node and client trust the new CA, so plan it",
        },
      ],
    });
  }
}
