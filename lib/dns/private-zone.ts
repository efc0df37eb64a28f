import { Construct } from "constructs";
import { DnsManagedZone } from "@cdktf/provider-google/lib/dns-managed-zone";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";

export interface PrivateZoneProps {
  readonly projectId: string;
  /** Zone resource name. */
  readonly name: string;
  /** Domain without the trailing dot, e.g. `onprem.internal`. */
  readonly domain: string;
  /** Self links of the VPCs that resolve the zone. */
  readonly networks: string[];
  /** A records: host name -> IPv4 address. */
  readonly aRecords: ReadonlyArray<{ readonly fqdn: string; readonly ip: string }>;
  /** @default 300 */
  readonly ttl?: number;
}

/** A Cloud DNS private zone visible only to the given VPCs, with A records. */
export class PrivateZone extends Construct {
  public readonly zone: DnsManagedZone;
  public readonly records: DnsRecordSet[];

  constructor(scope: Construct, id: string, props: PrivateZoneProps) {
    super(scope, id);
    this.zone = new DnsManagedZone(this, "zone", {
      project: props.projectId,
      name: props.name,
      dnsName: `${props.domain}.`,
      description: `Private zone for ${props.domain}`,
      visibility: "private",
      privateVisibilityConfig: {
        networks: props.networks.map((networkUrl) => ({ networkUrl })),
      },
    });
    this.records = props.aRecords.map(
      (record) =>
        new DnsRecordSet(this, record.fqdn, {
          project: props.projectId,
          managedZone: this.zone.name,
          name: `${record.fqdn}.`,
          type: "A",
          ttl: props.ttl ?? 300,
          rrdatas: [record.ip],
        }),
    );
  }
}
