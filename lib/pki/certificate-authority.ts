import { Construct } from "constructs";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { SelfSignedCert } from "@cdktf/provider-tls/lib/self-signed-cert";
import { CA_CERTIFICATE_USES, HOURS_PER_DAY, type KeySpec } from "./key-spec";

export interface CertificateAuthorityProps {
  readonly commonName: string;
  readonly organization: string;
  readonly key: KeySpec;
  /** @default 3650 */
  readonly validityDays?: number;
}

/** A private CA: key and self-signed certificate limited to signing certificates and CRLs. */
export class CertificateAuthority extends Construct {
  public readonly privateKey: PrivateKey;
  public readonly certificate: SelfSignedCert;
  public readonly certificatePem: string;

  constructor(scope: Construct, id: string, props: CertificateAuthorityProps) {
    super(scope, id);
    this.privateKey = new PrivateKey(this, "key", { ...props.key });
    this.certificate = new SelfSignedCert(this, "certificate", {
      privateKeyPem: this.privateKey.privateKeyPem,
      subject: [{ commonName: props.commonName, organization: props.organization }],
      isCaCertificate: true,
      setSubjectKeyId: true,
      allowedUses: CA_CERTIFICATE_USES,
      validityPeriodHours: (props.validityDays ?? 3650) * HOURS_PER_DAY,
    });
    this.certificatePem = this.certificate.certPem;
  }
}
