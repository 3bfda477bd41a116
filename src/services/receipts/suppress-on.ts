/**
 * Which provider reports add a recipient to the tenant's suppression list (tenant setting
 * `suppressOn`, services/tenants/settings.ts). A complaint (the recipient marked the message as
 * spam) suppresses by default: sending again to someone who complained harms the sender's
 * reputation with every mailbox provider, and SES and others suspend accounts over complaint
 * rates. A permanent failure (hard bounce, unknown or landline number) does not by default: the
 * message already ends as `permanent-failure`, which tells the tenant, and an address can come
 * back to life; a tenant that wants bounced addresses kept out sets `bounce: true`.
 */
export interface SuppressOn {
  complaint: boolean;
  bounce: boolean;
}

export const DEFAULT_SUPPRESS_ON: SuppressOn = { complaint: true, bounce: false };

/**
 * The tenant's `suppressOn` from its stored settings (a JSON text or object), defaults filled in.
 *
 * @example
 * ```ts
 * suppressOnOf('{"suppressOn":{"bounce":true}}') // { complaint: true, bounce: true }
 * suppressOnOf(null)                              // { complaint: true, bounce: false }
 * ```
 */
export function suppressOnOf(settings: string | Record<string, unknown> | null | undefined): SuppressOn {
  let parsed: unknown = settings;
  if (typeof settings === "string") {
    try {
      parsed = JSON.parse(settings);
    } catch {
      parsed = null;
    }
  }
  const value = parsed && typeof parsed === "object" ? (parsed as { suppressOn?: unknown }).suppressOn : undefined;
  const given = value && typeof value === "object" ? (value as Partial<Record<keyof SuppressOn, unknown>>) : {};
  return {
    complaint: typeof given.complaint === "boolean" ? given.complaint : DEFAULT_SUPPRESS_ON.complaint,
    bounce: typeof given.bounce === "boolean" ? given.bounce : DEFAULT_SUPPRESS_ON.bounce,
  };
}
