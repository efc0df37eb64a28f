import { Construct } from "constructs";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { CertRequest } from "@cdktf/provider-tls/lib/cert-request";
import { LocallySignedCert } from "@cdktf/provider-tls/lib/locally-signed-cert";
import { HOURS_PER_DAY, SERVER_CERTIFICATE_USES, type KeySpec } from "./key-spec";
import type { CertificateAuthority } from "./certificate-authority";

export interface ServerCertificateProps {
  readonly ca: CertificateAuthority;
  readonly key: KeySpec;
  readonly organization: string;
  /** DNS SANs; the first is also the common name. */
  readonly dnsNames: string[];
  /**
   * IP SANs.
   * @default []
   */
  readonly ipAddresses?: string[];
  /** @default 365 */
  readonly validityDays?: number;
  /**
   * Terraform replaces the certificate when a plan runs this close to expiry.
   * @default 30
   */
  readonly earlyRenewalDays?: number;
}

/** A TLS server key and certificate signed by the private CA, SANs from props. */
export class ServerCertificate extends Construct {
  public readonly privateKey: PrivateKey;
  public readonly request: CertRequest;
  public readonly certificate: LocallySignedCert;
  public readonly certificatePem: string;
  public readonly privateKeyPem: string;

  constructor(scope: Construct, id: string, props: ServerCertificateProps) {
    super(scope, id);
    this.privateKey = new PrivateKey(this, "key", { ...props.key });
    this.request = new CertRequest(this, "request", {
      privateKeyPem: this.privateKey.privateKeyPem,
      subject: [{ commonName: props.dnsNames[0], organization: props.organization }],
      dnsNames: props.dnsNames,
      ipAddresses: props.ipAddresses,
    });
    this.certificate = new LocallySignedCert(this, "certificate", {
      certRequestPem: this.request.certRequestPem,
      caPrivateKeyPem: props.ca.privateKey.privateKeyPem,
      caCertPem: props.ca.certificatePem,
      allowedUses: SERVER_CERTIFICATE_USES,
      validityPeriodHours: (props.validityDays ?? 365) * HOURS_PER_DAY,
      earlyRenewalHours: (props.earlyRenewalDays ?? 30) * HOURS_PER_DAY,
    });
    this.certificatePem = this.certificate.certPem;
    this.privateKeyPem = this.privateKey.privateKeyPem;
  }
}
