import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { MonitoringNotificationChannel } from "@cdktf/provider-google/lib/monitoring-notification-channel";

export interface EmailNotificationChannelsProps {
  readonly emails: readonly string[];
  /** @default the provider's project */
  readonly project?: string;
  /** @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/** An email notification channel per address (construct id from the address: order-free). */
export class EmailNotificationChannels extends Construct {
  /** Full channel names, for alert policies. */
  public readonly names: string[];

  constructor(scope: Construct, id: string, props: EmailNotificationChannelsProps) {
    super(scope, id);
    this.names = props.emails.map(
      (email) =>
        new MonitoringNotificationChannel(this, `email-${email}`, {
          project: props.project,
          displayName: `hybrid-registry: ${email}`,
          type: "email",
          labels: { email_address: email },
          dependsOn: props.dependsOn,
        }).name,
    );
  }
}
