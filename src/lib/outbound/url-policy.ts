import type { Env } from "../../env";
import { classifyHostName, HOST_NAME_LABELS } from "./host-names";
import { ADDRESS_LABELS, classifyIp } from "./ip-ranges";

/** What a tenant-supplied URL may reach, and how long and how much an answer may take. */
export interface OutboundPolicy {
  /** Loopback receivers (127.0.0.0/8, ::1, localhost) allowed over http or https on any port: local development only. */
  readonly allowLoopback: boolean;
  /** Host name of this deployment (from PUBLIC_ORIGIN), refused as a destination; null when unknown. */
  readonly selfHost: string | null;
  /** Milliseconds for the whole exchange, answer body included; the caller's signal may end it sooner. */
  readonly timeoutMs: number;
  /** Bytes of an answer's body read at most; the rest is cancelled unread. */
  readonly maxResponseBytes: number;
}

/** https ports a public receiver may use: the default and its common alternative. */
export const ALLOWED_HTTPS_PORTS: readonly string[] = ["443", "8443"];

/** The production policy: public https receivers only. */
export const DEFAULT_OUTBOUND_POLICY: OutboundPolicy = Object.freeze({
  allowLoopback: false,
  selfHost: null,
  timeoutMs: 10_000,
  maxResponseBytes: 64 * 1024,
});

/** Which rule refused a URL, for callers that react differently (all are permanent). */
export type RefusalRule = "invalid" | "scheme" | "credentials" | "address" | "host" | "port" | "self";

export type UrlCheck = { ok: true; url: URL } | { ok: false; rule: RefusalRule; reason: string };

function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.+$/, "");
}

/**
 * The policy a deployment's settings ask for: OUTBOUND_ALLOW_LOOPBACK="true" admits loopback
 * receivers, and PUBLIC_ORIGIN names the host this service answers on (refused as a target).
 *
 * @example
 * ```ts
 * outboundPolicy({ OUTBOUND_ALLOW_LOOPBACK: "true", PUBLIC_ORIGIN: "https://notify.example.gov" })
 * // { allowLoopback: true, selfHost: "notify.example.gov", timeoutMs: 10000, maxResponseBytes: 65536 }
 * ```
 */
export function outboundPolicy(env: Pick<Env, "OUTBOUND_ALLOW_LOOPBACK" | "PUBLIC_ORIGIN">, overrides: Partial<OutboundPolicy> = {}): OutboundPolicy {
  let selfHost: string | null = null;
  if (env.PUBLIC_ORIGIN) {
    // An origin that does not parse names no host to refuse; it is a deployment setting, not input.
    selfHost = URL.canParse(env.PUBLIC_ORIGIN) ? normalHost(new URL(env.PUBLIC_ORIGIN).hostname) || null : null;
  }
  return { ...DEFAULT_OUTBOUND_POLICY, allowLoopback: env.OUTBOUND_ALLOW_LOOPBACK === "true", selfHost, ...overrides };
}

const refuse = (rule: RefusalRule, reason: string): UrlCheck => ({ ok: false, rule, reason });

/**
 * Decides whether the service may call a tenant-supplied URL. https only; no user or password; no
 * IP literal (in any notation `new URL` understands: decimal, hex, octal, short IPv4, bracketed
 * IPv6, IPv4 embedded in IPv6) that is loopback, private, link-local, CGNAT, unique-local,
 * multicast, broadcast, reserved or cloud metadata; no local or internal host name; port 443 or
 * 8443; not this service's own host. With `allowLoopback`, loopback receivers pass over http or
 * https on any port, and nothing else changes. The reason is worded for a 422 field error.
 *
 * On success the URL is the parsed, canonical one: fetch that, not the original text, so what was
 * checked is what is called.
 *
 * @example
 * ```ts
 * checkOutboundUrl("https://hooks.slack.com/services/T0/B0/x", policy) // { ok: true, url: URL }
 * checkOutboundUrl("http://0x7f.1/", policy)
 * // { ok: false, rule: "address", reason: "Must not point at a loopback address (127.0.0.1)" }
 * ```
 */
export function checkOutboundUrl(input: string | URL, policy: OutboundPolicy): UrlCheck {
  const text = String(input);
  if (!URL.canParse(text)) return refuse("invalid", "Not a valid URL");
  const url = new URL(text);
  if (url.protocol !== "https:" && url.protocol !== "http:") return refuse("scheme", "Must be an https URL");
  // fetch refuses URLs with userinfo, and credentials there would travel wherever the URL is shown.
  if (url.username || url.password) return refuse("credentials", "Must not contain a user name or password");

  const host = url.hostname;
  const address = classifyIp(host);
  const name = address === undefined ? classifyHostName(host) : null;
  const loopback = address === "loopback" || (name === "localhost" && normalHost(host) === "localhost");
  // The loopback allowance covers the local sink on this service's own origin too.
  if (loopback && policy.allowLoopback) return { ok: true, url };

  if (address) return refuse("address", `Must not point at ${ADDRESS_LABELS[address]} (${host})`);
  if (name) return refuse("host", `Must not point at ${HOST_NAME_LABELS[name]} (${host})`);
  if (url.protocol !== "https:") {
    return refuse("scheme", policy.allowLoopback ? "Must be an https URL (http is allowed for loopback receivers only)" : "Must be an https URL");
  }
  if (url.port && !ALLOWED_HTTPS_PORTS.includes(url.port)) return refuse("port", `Must use port ${ALLOWED_HTTPS_PORTS.join(" or ")} (not ${url.port})`);
  if (policy.selfHost && normalHost(host) === policy.selfHost) return refuse("self", `Must not point at this service itself (${host})`);
  return { ok: true, url };
}
