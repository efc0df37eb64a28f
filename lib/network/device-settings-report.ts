import type { DeviceTunnelSettings } from "./vpn-link";

/** One application side's tunnels to the on-prem VPN device. */
export interface SideDeviceSettings {
  /** The side's name (`cloud` for the one-side form). */
  readonly side: string;
  /** Its network stack, where the settings are an output. */
  readonly stack: string;
  readonly tunnels: readonly DeviceTunnelSettings[];
}

/**
 * Everything the device admin enters, for every side: per tunnel the Cloud VPN address, the
 * device interface, the pre-shared key, the inside /30 and both BGP ends. Each side is a BGP
 * neighbour of its own (its own ASN and link-local /30s) on the one device.
 */
export function renderDeviceSettings(sides: readonly SideDeviceSettings[]): string {
  const lines: string[] = [];
  const tunnels = sides.reduce((count, side) => count + side.tunnels.length, 0);
  lines.push(
    `${tunnels} tunnels and BGP sessions for the VPN device, ${sides.length} application side${sides.length === 1 ? "" : "s"} (IKEv2, keys are secrets):`,
  );
  for (const side of sides) {
    const [first] = side.tunnels;
    lines.push(
      "",
      `side ${side.side} (${side.stack}): Cloud Router ASN ${first ? String(first.cloudAsn) : "?"}, device ASN ${first ? String(first.deviceAsn) : "?"}`,
    );
    for (const tunnel of side.tunnels) {
      lines.push(
        `  ${tunnel.tunnel}: device ${tunnel.deviceInterfaceIp} <-> Cloud VPN ${tunnel.cloudVpnPublicIp}, IKEv${String(tunnel.ikeVersion)}, pre-shared key ${tunnel.preSharedKey}`,
        `    inside ${tunnel.insideCidr}: device BGP ${tunnel.deviceBgpIp} (AS ${String(tunnel.deviceAsn)}), Cloud Router BGP ${tunnel.cloudBgpIp} (AS ${String(tunnel.cloudAsn)})`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
