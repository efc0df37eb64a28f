import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { HOURS_PER_DAY } from "./key-spec";

/** A certificate the check watches. */
export interface WatchedCertificate {
  /** What the warning calls it, e.g. "registry server certificate". */
  readonly label: string;
  /** The certificate's `validity_end_time` (RFC 3339). */
  readonly validityEndTime: string;
  /**
   * Days before expiry from which an apply renews it (the tls provider's early renewal);
   * 0 when nothing renews it automatically (the CA).
   */
  readonly earlyRenewalDays: number;
  /** Days of notice before that renewal point. */
  readonly noticeDays: number;
  /** What renewing it means for the user. */
  readonly whatRenewalDoes: string;
}

export interface CertificateRenewalCheckProps {
  readonly certificates: readonly WatchedCertificate[];
}

/**
 * A Terraform `check` block (https://developer.hashicorp.com/terraform/language/checks) that
 * warns during every plan, and in Terraform Cloud's continuous validation, once a certificate
 * is within its notice period before renewal. It warns, never fails: the plan still runs.
 *
 * It watches the time before the renewal point rather than the renewal window itself: inside
 * the window the tls provider plans a replacement (terraform-provider-tls
 * internal/provider/common_cert.go `modifyPlanIfCertificateReadyForRenewal`), so the
 * certificate's attributes are unknown during the plan and no condition on them could be
 * evaluated. cdktf 0.21 has no construct for checks: the block is added to the stack's JSON.
 */
export class CertificateRenewalCheck extends Construct {
  /** The check block's name in the stack. */
  public readonly checkName: string;

  constructor(scope: Construct, id: string, props: CertificateRenewalCheckProps) {
    super(scope, id);
    this.checkName = id.replace(/[^A-Za-z0-9_]/g, "_");
    const asserts = props.certificates.map((certificate) => {
      const renewalHours = certificate.earlyRenewalDays * HOURS_PER_DAY;
      const noticeHours = (certificate.earlyRenewalDays + certificate.noticeDays) * HOURS_PER_DAY;
      // A reference inside `${...}` is written bare by cdktf: these stay valid expressions.
      const end = certificate.validityEndTime;
      return {
        condition: `\${timecmp(plantimestamp(), timeadd(${end}, "-${noticeHours}h")) < 0}`,
        error_message:
          certificate.earlyRenewalDays > 0
            ? `The ${certificate.label} expires at ${end}. An apply after \${timeadd(${end}, "-${renewalHours}h")} renews it: ${certificate.whatRenewalDoes}. Schedule one (see the docs/operations.md, Certificate renewal).`
            : `The ${certificate.label} expires at ${end} and is not renewed automatically: ${certificate.whatRenewalDoes}. See the docs/operations.md, Certificate renewal.`,
      };
    });
    TerraformStack.of(this).addOverride(`check.${this.checkName}`, { assert: asserts });
  }
}
