import { configuredEmailProviders } from "../../channels/email/registry";
import { configuredSmsProviders } from "../../channels/sms/registry";
import type { Env } from "../../env";
import type { FieldError } from "../../lib/errors/api-error";
import { checkOutboundUrl, outboundPolicy } from "../../lib/outbound/url-policy";
import { parseMailbox } from "../../lib/mailbox";
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from "../../lib/display-name";
import { validateEmailAddress } from "../recipients/email";
import { requiredParams } from "../render/engine";
import type { TenantSettings } from "./settings";

/**
 * Whether a stored cc / bcc / reply-to entry will pass the send path's own recipient check
 * (services/send/recipients.ts: comma-separated values, each a bare address). An entry with a
 * placeholder is filled per send, so only its syntax can be checked now.
 *
 * @example
 * ```ts
 * storedRecipientProblem("{{#open") // "Unclosed section …"; storedRecipientProblem("ann@example.com") // null
 * ```
 */
export function storedRecipientProblem(entry: string): string | null {
  if (/\{\{|\(\(/.test(entry)) {
    try {
      requiredParams(entry, /\(\(/.test(entry) ? "gc" : "mustache");
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : "Cannot be parsed";
    }
  }
  for (const value of entry.split(",").map((v) => v.trim()).filter(Boolean)) {
    const result = validateEmailAddress(value);
    if (!result.ok) {
      return /<[^<>]+>\s*$/.test(value)
        ? `Give the address alone (${parseMailbox(value).email}): display names are kept only for email.from`
        : `${result.message}: ${value}`;
    }
  }
  return null;
}

/**
 * What is wrong with a channel's provider setting: a single name, or a failover list whose every
 * entry must be configured on this deployment and named once (a repeat would make failover call
 * the same provider again in place of the next one). List entries are blamed at their index.
 *
 * @example
 * ```ts
 * providerProblems(["ses", "mailgun", "ses"], ["ses", "postmark"], "email.provider")
 * // [{ path: "email.provider[1]", message: "Not configured …" }, { path: "email.provider[2]", message: "Listed twice …" }]
 * ```
 */
export function providerProblems(value: string | string[], configured: readonly string[], path: string): FieldError[] {
  const unconfigured = `Not configured on this deployment (configured: ${configured.join(", ") || "none"})`;
  if (!Array.isArray(value)) return configured.includes(value) ? [] : [{ path, message: unconfigured }];
  const errors: FieldError[] = [];
  value.forEach((name, i) => {
    if (value.indexOf(name) !== i) errors.push({ path: `${path}[${i}]`, message: `Listed twice (first at ${path}[${value.indexOf(name)}]): each provider may appear once` });
    else if (!configured.includes(name)) errors.push({ path: `${path}[${i}]`, message: unconfigured });
  });
  return errors;
}

/**
 * Checks what the schema cannot: that chosen providers are configured on this deployment and
 * that addresses and webhook URLs are usable. Returns every problem, with `prefix` on each path.
 */
export function checkSettings(settings: TenantSettings, env: Env, prefix = "settings"): FieldError[] {
  const errors: FieldError[] = [];
  const at = (path: string) => (prefix ? `${prefix}.${path}` : path);
  const email = settings.email;
  if (email?.provider !== undefined) errors.push(...providerProblems(email.provider, configuredEmailProviders(env), at("email.provider")));
  if (email?.from !== undefined && hasUnsafeText(email.from)) {
    errors.push({ path: at(`email.from`), message: UNSAFE_TEXT_MESSAGE });
  } else if (email?.from !== undefined && !validateEmailAddress(parseMailbox(email.from).email).ok) {
    errors.push({ path: at(`email.from`), message: "Not a valid email address" });
  }
  for (const field of ["replyTo", "cc", "bcc"] as const) {
    email?.[field]?.forEach((entry, i) => {
      const problem = storedRecipientProblem(entry);
      if (problem) errors.push({ path: at(`email.${field}[${i}]`), message: problem });
    });
  }
  if (settings.sms?.provider !== undefined) errors.push(...providerProblems(settings.sms.provider, configuredSmsProviders(env), at("sms.provider")));
  for (const [name, target] of Object.entries(settings.msgApp?.targets ?? {})) {
    // Stored but never used would suggest the messages are signed when they are not.
    if (target.secret !== undefined && target.type !== "webhook") errors.push({ path: at(`msgApp.targets.${name}.secret`), message: "Only webhook targets are signed" });
    const check = checkOutboundUrl(target.url, outboundPolicy(env));
    if (!check.ok) errors.push({ path: at(`msgApp.targets.${name}.url`), message: check.reason });
  }
  return errors;
}
