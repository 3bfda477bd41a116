/** Why a host name is not a public destination. */
export type HostNameCategory = "localhost" | "metadata" | "internal" | "numeric";

/** How each category reads in a refusal ("Must not point at <label> (…)"). */
export const HOST_NAME_LABELS: Record<HostNameCategory, string> = {
  localhost: "a loopback host name",
  metadata: "a cloud metadata host name",
  internal: "an internal host name",
  numeric: "a host name that reads as a number",
};

/** Names of instance metadata services; `.internal` ones are caught by the suffix rule too. */
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal", "metadata.azure.com"]);

/**
 * Suffixes that only resolve inside a private network or on this machine: RFC 6761 `localhost`
 * and `local` (mDNS), RFC 8375 `home.arpa`, ICANN's reserved private-use `internal`, and the
 * resolver defaults `localdomain` and `lan`.
 */
const INTERNAL_SUFFIXES = ["internal", "local", "localdomain", "home.arpa", "lan"];

/**
 * Classifies a host name (not an IP literal) as a destination: null when it may be public,
 * otherwise why it is not. Case and trailing dots are ignored (`LOCALHOST.` is localhost), and a
 * single-label name (`metadata`, `intranet`) is internal: a public receiver has a dotted name.
 * Only the name is judged; where it resolves is the network's business (see README, "Outbound
 * URLs").
 *
 * @example
 * ```ts
 * classifyHostName("hooks.slack.com")          // null
 * classifyHostName("foo.localhost.")           // "localhost"
 * classifyHostName("metadata.google.internal") // "metadata"
 * classifyHostName("db.corp.internal")         // "internal"
 * ```
 */
export function classifyHostName(host: string): HostNameCategory | null {
  const name = host.toLowerCase().replace(/\.+$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return "localhost";
  if (METADATA_NAMES.has(name)) return "metadata";
  if (!name.includes(".")) return "internal";
  if (INTERNAL_SUFFIXES.some((suffix) => name.endsWith(`.${suffix}`))) return "internal";
  // A URL parser reads such a name as an IPv4 address; one that did not is in disagreement with
  // the network stack about where it goes.
  const last = name.slice(name.lastIndexOf(".") + 1);
  if (/^(?:0x[0-9a-f]*|[0-9]+)$/.test(last)) return "numeric";
  return null;
}
