import { Construct } from "constructs";
import {
  ComputeFirewall,
  type ComputeFirewallAllow,
} from "@cdktf/provider-google/lib/compute-firewall";

/** Google's Identity-Aware Proxy TCP forwarding range. */
const IAP_SOURCE_RANGE = "35.235.240.0/20";

export interface FirewallProps {
  readonly projectId: string;
  readonly network: string;
  readonly namePrefix: string;
  /** This network's own ranges (subnet, pods, services): all traffic allowed among them. */
  readonly internalRanges: string[];
  /** The other side's ranges: ICMP and the registry port allowed from them. */
  readonly peerRanges: string[];
  /** TCP ports the peer may reach (the registry's). */
  readonly peerTcpPorts: string[];
  /**
   * Allow SSH through Identity-Aware Proxy.
   * @default false
   */
  readonly iapSsh?: boolean;
}

/** Ingress rules scoped to known ranges; never a 0.0.0.0/0 source. */
export class Firewall extends Construct {
  public readonly rules: ComputeFirewall[];

  constructor(scope: Construct, id: string, props: FirewallProps) {
    super(scope, id);
    const rule = (ruleId: string, sourceRanges: string[], allow: ComputeFirewallAllow[]) =>
      new ComputeFirewall(this, ruleId, {
        project: props.projectId,
        network: props.network,
        name: `${props.namePrefix}-${ruleId}`,
        direction: "INGRESS",
        priority: 1000,
        sourceRanges,
        allow,
      });
    this.rules = [
      rule("allow-internal", props.internalRanges, [
        { protocol: "tcp" },
        { protocol: "udp" },
        { protocol: "icmp" },
      ]),
      rule("allow-peer", props.peerRanges, [
        { protocol: "icmp" },
        { protocol: "tcp", ports: props.peerTcpPorts },
      ]),
    ];
    if (props.iapSsh) {
      this.rules.push(
        rule("allow-iap-ssh", [IAP_SOURCE_RANGE], [{ protocol: "tcp", ports: ["22"] }]),
      );
    }
  }
}
