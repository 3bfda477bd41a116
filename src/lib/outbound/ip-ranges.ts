import ipaddr from "ipaddr.js";

/** Why an address is not a public destination. */
export type AddressCategory =
  | "loopback"
  | "unspecified"
  | "private"
  | "link-local"
  | "cgnat"
  | "unique-local"
  | "site-local"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "metadata"
  | "tunnel";

/** How each category reads in a refusal ("Must not point at <label> (…)"). */
export const ADDRESS_LABELS: Record<AddressCategory, string> = {
  loopback: "a loopback address",
  unspecified: "an unspecified address",
  private: "a private network address",
  "link-local": "a link-local address",
  cgnat: "a carrier-grade NAT address",
  "unique-local": "a unique-local address",
  "site-local": "a site-local address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  reserved: "a reserved, documentation or benchmarking address",
  metadata: "a cloud metadata address",
  tunnel: "an IPv6 tunnel (Teredo) address",
};

/**
 * Cloud instance metadata and platform endpoints. Most sit in ranges refused anyway; they are
 * named so the refusal says what they are, and Azure's WireServer is a public address.
 */
const METADATA_ADDRESSES = new Set([
  "169.254.169.254", // AWS, GCP, Azure, OpenStack, DigitalOcean …
  "169.254.170.2", // AWS ECS task metadata
  "169.254.169.123", // AWS time sync
  "100.100.100.200", // Alibaba Cloud
  "168.63.129.16", // Azure WireServer
  "fd00:ec2::254", // AWS IMDS over IPv6
  "fd00:ec2::23", // AWS DNS over IPv6
]);

/** ipaddr.js range names, mapped to ours; anything it names that is not here counts as reserved. */
const RANGE_CATEGORIES: Record<string, AddressCategory> = {
  loopback: "loopback",
  unspecified: "unspecified",
  private: "private",
  linkLocal: "link-local",
  carrierGradeNat: "cgnat",
  uniqueLocal: "unique-local",
  deprecatedSiteLocal: "site-local",
  multicast: "multicast",
  broadcast: "broadcast",
  teredo: "tunnel",
};

type Address = ipaddr.IPv4 | ipaddr.IPv6;

function embeddedIPv4(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * The IPv4 address an IPv6 address carries and that a network on the way would reach: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64
 * (64:ff9b::/96) and 6to4 (2002:aabb:ccdd::/48).
 */
function embedded(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = address.parts as [number, number, number, number, number, number, number, number];
  const zeroUpTo = (n: number) => p.slice(0, n).every((part) => part === 0);
  if (zeroUpTo(5) && p[5] === 0xffff) return embeddedIPv4(p[6], p[7]);
  if (zeroUpTo(4) && p[4] === 0xffff && p[5] === 0) return embeddedIPv4(p[6], p[7]);
  if (zeroUpTo(6)) return embeddedIPv4(p[6], p[7]);
  if (p[0] === 0x64 && p[1] === 0xff9b && p.slice(2, 6).every((part) => part === 0)) return embeddedIPv4(p[6], p[7]);
  if (p[0] === 0x2002) return embeddedIPv4(p[1], p[2]);
  return undefined;
}

function classify(address: Address): AddressCategory | null {
  if (METADATA_ADDRESSES.has(address.toNormalizedString()) || METADATA_ADDRESSES.has(address.toString())) return "metadata";
  const range = address.range();
  // :: and ::1 first: as IPv4-compatible forms they would read as 0.0.0.0 and 0.0.0.1.
  if (range === "unspecified" || range === "loopback") return range;
  if (address.kind() === "ipv6") {
    const inner = embedded(address as ipaddr.IPv6);
    // The embedded address decides, so ::ffff:8.8.8.8 is as public as 8.8.8.8.
    if (inner) return classify(inner);
  }
  if (range === "unicast") return null;
  return RANGE_CATEGORIES[range] ?? "reserved";
}

/**
 * Classifies an IP literal as a destination: null for a public unicast address, otherwise why it
 * is not one. Takes the host as a parsed URL gives it (IPv6 in brackets, IPv4 already in dotted
 * form: `new URL` turns 0x7f.1, 2130706433 and 0177.0.0.1 into 127.0.0.1). Returns undefined when
 * the text is not an IP literal at all, i.e. a host name.
 *
 * @example
 * ```ts
 * classifyIp("93.184.215.14")          // null (public)
 * classifyIp("169.254.169.254")        // "metadata"
 * classifyIp("[::ffff:7f00:1]")        // "loopback" (IPv4-mapped 127.0.0.1)
 * classifyIp("hooks.slack.com")        // undefined (not an address)
 * ```
 */
export function classifyIp(host: string): AddressCategory | null | undefined {
  const bracketed = host.startsWith("[") && host.endsWith("]");
  const text = bracketed ? host.slice(1, -1) : host;
  if (bracketed ? !ipaddr.IPv6.isValid(text) : !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const address = ipaddr.parse(text);
  // A zone id (fe80::1%eth0) names an interface of this machine: never a public destination.
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).zoneId) return "link-local";
  return classify(address);
}
