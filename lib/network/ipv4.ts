import ipaddr from "ipaddr.js";

/** IPv4 arithmetic shared by config validation and the network constructs. */

const IPV4_CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

export function isIpv4Address(value: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(value);
}

/** A CIDR whose address is the network address itself (no host bits set). */
export function isIpv4Cidr(value: string): boolean {
  if (!IPV4_CIDR.test(value) || !ipaddr.IPv4.isValidCIDR(value)) return false;
  const [address] = value.split("/");
  return ipaddr.IPv4.networkAddressFromCIDR(value).toString() === address;
}

function toNumber(address: string): number {
  return ipaddr.IPv4.parse(address)
    .toByteArray()
    .reduce((acc, byte) => acc * 256 + byte, 0);
}

function fromNumber(value: number): string {
  const bytes = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256);
  return ipaddr.fromByteArray(bytes).toString();
}

export interface Ipv4Range {
  readonly first: number;
  readonly last: number;
  readonly prefix: number;
}

export function rangeOf(cidr: string): Ipv4Range {
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  const first = toNumber(address);
  return { first, last: first + 2 ** (32 - prefix) - 1, prefix };
}

export function prefixLength(cidr: string): number {
  return rangeOf(cidr).prefix;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const ra = rangeOf(a);
  const rb = rangeOf(b);
  return ra.first <= rb.last && rb.first <= ra.last;
}

/** Whether every address of `inner` lies in `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = rangeOf(inner);
  const b = rangeOf(outer);
  return a.first >= b.first && a.last <= b.last;
}

export function cidrContains(cidr: string, address: string): boolean {
  const range = rangeOf(cidr);
  const value = toNumber(address);
  return value >= range.first && value <= range.last;
}

/** The n-th address of a network (0 = network address). */
export function nthAddress(cidr: string, n: number): string {
  const range = rangeOf(cidr);
  if (n < 0 || range.first + n > range.last) {
    throw new RangeError(`${cidr} has no address number ${n}`);
  }
  return fromNumber(range.first + n);
}

/** Consecutive subnets of `prefix` bits cut from the start of `cidr`. */
export function subnets(cidr: string, prefix: number, count: number): string[] {
  const range = rangeOf(cidr);
  const size = 2 ** (32 - prefix);
  if (prefix < range.prefix || range.first + size * count - 1 > range.last) {
    throw new RangeError(`${cidr} cannot hold ${count} /${prefix} networks`);
  }
  return Array.from({ length: count }, (_, i) => `${fromNumber(range.first + i * size)}/${prefix}`);
}

/** Addresses usable by hosts in a GCP subnet: GCP reserves the first two and the last two. */
export function isUsableGcpSubnetHost(cidr: string, address: string): boolean {
  const range = rangeOf(cidr);
  const value = toNumber(address);
  return value >= range.first + 2 && value <= range.last - 2;
}

export function isRfc1918(cidr: string): boolean {
  return ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].some((block) => {
    const outer = rangeOf(block);
    const inner = rangeOf(cidr);
    return inner.first >= outer.first && inner.last <= outer.last;
  });
}

/**
 * Why an address cannot be a host's unicast address, if it cannot: unspecified, loopback,
 * link-local, multicast, broadcast or reserved (240.0.0.0/4) (RFC 6890,
 * https://www.iana.org/assignments/iana-ipv4-special-registry). Private and documentation
 * ranges are usable hosts.
 */
export function nonUnicastReason(address: string): string | undefined {
  const range = ipaddr.IPv4.parse(address).range();
  const reasons: Record<string, string> = {
    unspecified: "the unspecified address",
    loopback: "a loopback address",
    linkLocal: "a link-local address",
    multicast: "a multicast address",
    broadcast: "the broadcast address",
  };
  if (reasons[range]) return reasons[range];
  return cidrContains("240.0.0.0/4", address) ? "a reserved address (240.0.0.0/4)" : undefined;
}

/**
 * Why an address cannot be a VPN peer's public interface, if it cannot: any non-unicast
 * address, RFC 1918, shared (carrier-grade NAT, 100.64.0.0/10) or benchmarking space.
 * Documentation ranges (TEST-NET) are accepted: examples use them.
 */
export function nonPublicReason(address: string): string | undefined {
  const unicast = nonUnicastReason(address);
  if (unicast) return unicast;
  const range = ipaddr.IPv4.parse(address).range();
  if (range === "private") return "a private (RFC 1918) address";
  if (range === "carrierGradeNat") return "a shared (carrier-grade NAT) address";
  if (cidrContains("198.18.0.0/15", address)) return "a benchmarking address (198.18.0.0/15)";
  return undefined;
}

/** Why `address` cannot be a host inside `cidr` (its network or broadcast address). */
export function notAHostOf(cidr: string, address: string): string | undefined {
  const range = rangeOf(cidr);
  const value = toNumber(address);
  if (range.prefix >= 31) return undefined;
  if (value === range.first) return `the network address of ${cidr}`;
  if (value === range.last) return `the broadcast address of ${cidr}`;
  return undefined;
}
