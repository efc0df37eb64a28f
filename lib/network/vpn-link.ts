import { Construct } from "constructs";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { ComputeExternalVpnGateway } from "@cdktf/provider-google/lib/compute-external-vpn-gateway";
import { ComputeRouterInterface } from "@cdktf/provider-google/lib/compute-router-interface";
import { ComputeRouterPeer } from "@cdktf/provider-google/lib/compute-router-peer";
import { ComputeVpnTunnel } from "@cdktf/provider-google/lib/compute-vpn-tunnel";
import { Password } from "@cdktf/provider-random/lib/password";
import { planTunnels, type TunnelPlan } from "./vpn-topology";

/** One end of the link that lives in GCP: an HA VPN gateway and its Cloud Router. */
export interface GcpVpnEnd {
  readonly projectId: string;
  readonly region: string;
  /** HA VPN gateway self link (or id). */
  readonly gateway: string;
  /** Name of the Cloud Router that speaks BGP for this end. */
  readonly routerName: string;
  readonly asn: number;
  /** Provider for this end's resources (another project or alias). @default the stack's default */
  readonly provider?: TerraformProvider;
}

/** A real on-prem VPN device. */
export interface ExternalVpnPeer {
  /** Public IPs of the device's interfaces: 1, 2 or 4. */
  readonly interfaceIps: string[];
  readonly asn: number;
}

export interface VpnLinkProps {
  /** Prefix of every resource name. */
  readonly name: string;
  /** This stack's end; its gateway's public interface IPs go into the device settings. */
  readonly local: GcpVpnEnd & { readonly interfaceIps: string[] };
  /** The other end: another HA VPN gateway (both directions are built) or an external device. */
  readonly peer: { readonly gcp: GcpVpnEnd } | { readonly external: ExternalVpnPeer };
  /** Range the per-tunnel /30s are cut from. @default "169.254.0.0/29" */
  readonly linkLocalRange?: string;
  /** BGP MED on routes this link advertises. @default 100 */
  readonly advertisedRoutePriority?: number;
  /**
   * Resources to create first (the Compute API). Tunnels and peers wait for the gateways and
   * routers they name; the external gateway names nothing, so it needs this.
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** What the device admin enters for one tunnel (external mode). */
export interface DeviceTunnelSettings {
  readonly tunnel: string;
  readonly cloudVpnPublicIp: string;
  readonly deviceInterfaceIp: string;
  readonly preSharedKey: string;
  readonly insideCidr: string;
  readonly cloudBgpIp: string;
  readonly deviceBgpIp: string;
  readonly cloudAsn: number;
  readonly deviceAsn: number;
  readonly ikeVersion: number;
}

interface TunnelEnd {
  readonly end: GcpVpnEnd;
  readonly name: string;
  readonly interface: number;
  readonly bgpIp: string;
  readonly peerBgpIp: string;
  readonly peerAsn: number;
  readonly target: Pick<
    ConstructorParameters<typeof ComputeVpnTunnel>[2],
    "peerGcpGateway" | "peerExternalGateway" | "peerExternalGatewayInterface"
  >;
}

const IKE_VERSION = 2;

/**
 * HA VPN between two Cloud Routers (or a Cloud Router and a device): a tunnel per interface
 * pairing, one pre-shared key per tunnel pair, and per tunnel a router interface + BGP peer on
 * each GCP router, addressed from the two ends of the tunnel's link-local /30.
 * BFD stays off: HA VPN does not support it.
 */
export class VpnLink extends Construct {
  public readonly plans: TunnelPlan[];
  public readonly tunnels: ComputeVpnTunnel[] = [];
  /** Tunnels on the GCP peer's gateway (empty for an external peer). */
  public readonly peerTunnels: ComputeVpnTunnel[] = [];
  public readonly routerPeers: ComputeRouterPeer[] = [];
  public readonly preSharedKeys: Password[] = [];
  public readonly externalGateway?: ComputeExternalVpnGateway;
  /** Per-tunnel settings for the device admin (external peer only). */
  public readonly deviceSettings: DeviceTunnelSettings[] = [];
  /**
   * RE2 patterns matching exactly this link's tunnel and BGP peer names at both ends
   * (`<name>-<i>`, `<name>-reverse-<i>`, each peer `<tunnel>-bgp`), for metric filters.
   */
  public readonly namePatterns: { readonly tunnels: string; readonly bgpPeers: string };

  constructor(scope: Construct, id: string, props: VpnLinkProps) {
    super(scope, id);
    // Names are RFC 1035 labels: nothing in them needs escaping in a pattern.
    const tunnels = `${props.name}-(reverse-)?[0-9]+`;
    this.namePatterns = { tunnels, bgpPeers: `${tunnels}-bgp` };
    const local = props.local;
    const peerInterfaces = "gcp" in props.peer ? 2 : props.peer.external.interfaceIps.length;
    this.plans = planTunnels(peerInterfaces, props.linkLocalRange ?? "169.254.0.0/29");
    const priority = props.advertisedRoutePriority ?? 100;

    if ("external" in props.peer) {
      const device = props.peer.external;
      const redundancy: Record<number, string> = {
        1: "SINGLE_IP_INTERNALLY_REDUNDANT",
        2: "TWO_IPS_REDUNDANCY",
        4: "FOUR_IPS_REDUNDANCY",
      };
      this.externalGateway = new ComputeExternalVpnGateway(this, "external-gateway", {
        project: local.projectId,
        name: `${props.name}-device`,
        redundancyType: redundancy[peerInterfaces],
        interface: device.interfaceIps.map((ipAddress, i) => ({ id: i, ipAddress })),
        provider: local.provider,
        dependsOn: props.dependsOn,
      });
    }

    for (const plan of this.plans) {
      const psk = new Password(this, `psk-${plan.index}`, { length: 32, special: false });
      this.preSharedKeys.push(psk);
      const localEnd: TunnelEnd = {
        end: local,
        name: `${props.name}-${plan.index}`,
        interface: plan.localInterface,
        bgpIp: plan.localBgpIp,
        peerBgpIp: plan.peerBgpIp,
        peerAsn: "gcp" in props.peer ? props.peer.gcp.asn : props.peer.external.asn,
        target:
          "gcp" in props.peer
            ? { peerGcpGateway: props.peer.gcp.gateway }
            : {
                peerExternalGateway: this.externalGateway?.id,
                peerExternalGatewayInterface: plan.peerInterface,
              },
      };
      this.tunnels.push(this.buildEnd("local", plan, localEnd, psk.result, priority));

      if ("gcp" in props.peer) {
        this.peerTunnels.push(
          this.buildEnd(
            "peer",
            plan,
            {
              end: props.peer.gcp,
              name: `${props.name}-reverse-${plan.index}`,
              interface: plan.peerInterface,
              bgpIp: plan.peerBgpIp,
              peerBgpIp: plan.localBgpIp,
              peerAsn: local.asn,
              target: { peerGcpGateway: local.gateway },
            },
            psk.result,
            priority,
          ),
        );
      } else {
        const device = props.peer.external;
        this.deviceSettings.push({
          tunnel: localEnd.name,
          cloudVpnPublicIp: local.interfaceIps[plan.localInterface],
          deviceInterfaceIp: device.interfaceIps[plan.peerInterface],
          preSharedKey: psk.result,
          insideCidr: plan.linkCidr,
          cloudBgpIp: plan.localBgpIp,
          deviceBgpIp: plan.peerBgpIp,
          cloudAsn: local.asn,
          deviceAsn: device.asn,
          ikeVersion: IKE_VERSION,
        });
      }
    }
  }

  /** Tunnel, router interface and BGP peer for one end of one tunnel. */
  private buildEnd(
    side: "local" | "peer",
    plan: TunnelPlan,
    tunnelEnd: TunnelEnd,
    sharedSecret: string,
    advertisedRoutePriority: number,
  ): ComputeVpnTunnel {
    const { end } = tunnelEnd;
    const common = { project: end.projectId, region: end.region, provider: end.provider };
    const tunnel = new ComputeVpnTunnel(this, `${side}-tunnel-${plan.index}`, {
      ...common,
      name: tunnelEnd.name,
      vpnGateway: end.gateway,
      vpnGatewayInterface: tunnelEnd.interface,
      ...tunnelEnd.target,
      router: end.routerName,
      sharedSecret,
      ikeVersion: IKE_VERSION,
    });
    const routerInterface = new ComputeRouterInterface(this, `${side}-interface-${plan.index}`, {
      ...common,
      name: `${tunnelEnd.name}-if`,
      router: end.routerName,
      ipRange: `${tunnelEnd.bgpIp}/30`,
      vpnTunnel: tunnel.name,
    });
    this.routerPeers.push(
      new ComputeRouterPeer(this, `${side}-bgp-peer-${plan.index}`, {
        ...common,
        name: `${tunnelEnd.name}-bgp`,
        router: end.routerName,
        interface: routerInterface.name,
        ipAddress: tunnelEnd.bgpIp,
        peerIpAddress: tunnelEnd.peerBgpIp,
        peerAsn: tunnelEnd.peerAsn,
        advertisedRoutePriority,
      }),
    );
    return tunnel;
  }
}
