import { configuredEmailProviders } from "../../channels/email/registry";
import { assertTargetUrl } from "../../channels/chat/registry";
import { configuredSmsProviders } from "../../channels/sms/registry";
import type { Env } from "../../env";
import type { FieldError } from "../../lib/errors/api-error";
import { parseMailbox } from "../../lib/mailbox";
import { validateEmailAddress } from "../recipients/email";
import type { TenantSettings } from "./settings";

/**
 * Checks what the schema cannot: that chosen providers are configured on this deployment and
 * that addresses and webhook URLs are usable. Returns every problem, with `prefix` on each path.
 */
export function checkSettings(settings: TenantSettings, env: Env, prefix = "settings"): FieldError[] {
  const errors: FieldError[] = [];
  const at = (path: string) => (prefix ? `${prefix}.${path}` : path);
  const email = settings.email;
  if (email?.provider !== undefined) {
    const configured = configuredEmailProviders(env) as string[];
    if (!configured.includes(email.provider)) {
      errors.push({
        path: at(`email.provider`),
        message: `Not configured on this deployment (configured: ${configured.join(", ") || "none"})`,
      });
    }
  }
  if (email?.from !== undefined && !validateEmailAddress(parseMailbox(email.from).email).ok) {
    errors.push({ path: at(`email.from`), message: "Not a valid email address" });
  }
  for (const field of ["replyTo", "cc", "bcc"] as const) {
    email?.[field]?.forEach((address, i) => {
      if (!validateEmailAddress(parseMailbox(address).email).ok) {
        errors.push({ path: at(`email.${field}[${i}]`), message: "Not a valid email address" });
      }
    });
  }
  if (settings.sms?.provider !== undefined) {
    const configured = configuredSmsProviders(env) as string[];
    if (!configured.includes(settings.sms.provider)) {
      errors.push({
        path: at(`sms.provider`),
        message: `Not configured on this deployment (configured: ${configured.join(", ") || "none"})`,
      });
    }
  }
  for (const [name, target] of Object.entries(settings.msgApp?.targets ?? {})) {
    const problem = assertTargetUrl(target.url, env);
    if (problem) errors.push({ path: at(`msgApp.targets.${name}.url`), message: problem });
  }
  return errors;
}
