import type { Channel } from "../../db/schema";
import type { FieldError } from "../../lib/errors/api-error";
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from "../../lib/display-name";
import { parseMailbox } from "../../lib/mailbox";
import { checkOutboundUrl, outboundPolicy } from "../../lib/outbound/url-policy";
import type { ServiceContext } from "../context";
import { requiredParams } from "../render/engine";
import { type Renderer, toRenderer } from "../render/renderer";
import { validateEmailAddress } from "../recipients/email";
import { normalisePhoneNumber } from "../recipients/phone";
import { resolveRegion } from "../resolve/cascade";
import { decodeAttachments } from "../send/attachments";
import { cardStrings, checkTemplateContent } from "../templates/check-content";
import { GROUP_FROM_PARAMETER, loadGroups, splitGroupReferences } from "../groups/expand";
import { checkTemplateRefs, type TemplateRef } from "../templates/refs";
import { checkServiceRefs, type ServiceRef } from "../tenant-services/refs";
import { callbackRefsOf, checkCallbackRefs } from "../callbacks/refs";
import { storedRecipientProblem } from "../tenants/check-settings";
import type { EventDefinition } from "./schema";

const hasPlaceholder = (v: string) => /\{\{|\(\(/.test(v);

type Content = { subject?: string; body?: string; message?: string; bodyType?: "text" | "html" | "markdown"; renderer?: string; card?: Record<string, unknown> | unknown[]; templateId?: string; template?: { templateId: string } };

const list = (v: string | string[] | undefined): { value: string; at: string }[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map((value, i) => ({ value, at: `[${i}]` })) : [{ value: v, at: "" }];

function syntaxProblem(value: string, renderer: Renderer): string | null {
  try {
    requiredParams(value, renderer);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : "Cannot be parsed";
  }
}

/** A channel's content: one kind (template or inline), every field parsed, a complete inline content rendered once. */
function contentErrors(channel: Channel, content: Content | undefined, prefix: string, refs: TemplateRef[]): FieldError[] {
  if (!content) return [];
  const errors: FieldError[] = [];
  const renderer = toRenderer(content.renderer ?? "mustache");
  const templateId = content.templateId ?? content.template?.templateId;
  const body = content.body ?? content.message;
  const inline = content.subject !== undefined || body !== undefined || content.card !== undefined;
  if (templateId) {
    refs.push({ id: templateId, channel, path: `${prefix}.${content.templateId ? "templateId" : "template.templateId"}` });
    if (inline) errors.push({ path: `${prefix}.templateId`, message: "Give either templateId or inline content, not both" });
    return errors;
  }
  const complete = channel === "email" ? content.subject !== undefined && body !== undefined : channel === "sms" ? body !== undefined : body !== undefined || content.card !== undefined;
  if (complete) {
    // The send's own check of stored templates: shape, every field parsed, one render with every parameter given.
    const found = checkTemplateContent(channel, { subject: content.subject, body, bodyType: content.bodyType, renderer, card: content.card });
    return found.map((e) => ({ path: `${prefix}.${e.path === "body" && content.message !== undefined ? "message" : e.path}`, message: e.message }));
  }
  // Partial inline content (a request completes it): each field must at least parse.
  const fields = [
    ...(content.subject !== undefined ? [{ path: "subject", value: content.subject }] : []),
    ...(body !== undefined ? [{ path: content.message !== undefined ? "message" : "body", value: body }] : []),
    ...(content.card !== undefined ? cardStrings(content.card) : []),
  ];
  for (const { path, value } of fields) {
    const problem = syntaxProblem(value, renderer);
    if (problem) errors.push({ path: `${prefix}.${path}`, message: problem });
  }
  return errors;
}

/**
 * A recipient entry as the send reads it: literal `group:` references (collected in `groups`, to
 * be checked against the tenant's groups in one query; one written with a placeholder can never
 * expand), then the rest: placeholders for their syntax, addresses or numbers as normalised.
 */
function recipientErrors(
  entries: { value: string; at: string }[],
  path: string,
  check: (value: string) => string | null,
  renderer: Renderer,
  groups: { name: string; path: string }[],
): FieldError[] {
  const errors: FieldError[] = [];
  for (const { value, at } of entries) {
    const split = splitGroupReferences(value);
    for (const name of split.groups) {
      if (hasPlaceholder(name)) errors.push({ path: `${path}${at}`, message: GROUP_FROM_PARAMETER });
      else groups.push({ name, path: `${path}${at}` });
    }
    if (split.rest.trim() === "") continue;
    const problem = hasPlaceholder(split.rest) ? syntaxProblem(split.rest, renderer) : check(split.rest);
    if (problem) errors.push({ path: `${path}${at}`, message: problem });
  }
  return errors;
}

/**
 * Checks an event type by the rules a send will apply, so nothing stored can break a later send
 * for a reason known now (the same principle as templates/check-content.ts): templates exist for
 * the right channel, content is of one kind and parses (complete inline content is rendered once),
 * recipient entries parse (addresses and numbers as the send normalises them; placeholders for
 * their syntax), groups and services named exist, senders are valid, attachments decode, chat targets
 * are named in the tenant defaults or pass the outbound-URL policy. Every problem is reported.
 *
 * @example
 * ```ts
 * await checkEventDefinition(ctx, { sms: { recipients: { to: ["{{phone"] } } })
 * // [{ path: "sms.recipients.to[0]", message: "Unclosed tag …" }]
 * ```
 */
export async function checkEventDefinition(ctx: ServiceContext, definition: EventDefinition): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const refs: TemplateRef[] = [];
  const groups: { name: string; path: string }[] = [];
  const services: ServiceRef[] = [];
  const { email, sms, msgApp } = definition;

  if (email) {
    const renderer = toRenderer(email.content?.renderer ?? "mustache");
    errors.push(...contentErrors("email", email.content, "email.content", refs));
    for (const field of ["to", "cc", "bcc"] as const) {
      errors.push(...recipientErrors(list(email.recipients?.[field]), `email.recipients.${field}`, storedRecipientProblem, renderer, groups));
    }
    errors.push(...recipientErrors(list(email.sender?.replyTo), "email.sender.replyTo", storedRecipientProblem, renderer, []));
    if (email.recipients?.subscription) services.push({ kind: "subscription", name: email.recipients.subscription, path: "email.recipients.subscription" });
    email.attachments?.forEach((a, i) => {
      if (a.service !== undefined) services.push({ kind: "attachment", name: a.service, path: `email.attachments[${i}].service` });
    });
    const from = email.sender?.from;
    if (from !== undefined && hasUnsafeText(from)) errors.push({ path: "email.sender.from", message: UNSAFE_TEXT_MESSAGE });
    else if (from !== undefined && !validateEmailAddress(parseMailbox(from).email).ok) errors.push({ path: "email.sender.from", message: `Not a valid email address: ${from}` });
    if (email.attachments?.length) errors.push(...decodeAttachments([{ inputs: email.attachments, path: "email.attachments" }]).errors);
  }

  if (sms) {
    const renderer = toRenderer(sms.content?.renderer ?? "mustache");
    errors.push(...contentErrors("sms", sms.content, "sms.content", refs));
    const region = resolveRegion(ctx).value;
    const phone = (value: string) => {
      for (const part of value.split(",").map((v) => v.trim()).filter(Boolean)) {
        const result = normalisePhoneNumber(part, region);
        if (!result.ok) return `${result.message}: ${part}`;
      }
      return null;
    };
    errors.push(...recipientErrors(list(sms.recipients?.to), "sms.recipients.to", phone, renderer, groups));
    if (sms.recipients?.subscription) services.push({ kind: "subscription", name: sms.recipients.subscription, path: "sms.recipients.subscription" });
  }

  if (msgApp) {
    errors.push(...contentErrors("msgApp", msgApp.content, "msgApp.content", refs));
    const targets = msgApp.target === undefined ? [] : Array.isArray(msgApp.target) ? msgApp.target.map((t, i) => ({ t, at: `msgApp.target[${i}]` })) : [{ t: msgApp.target, at: "msgApp.target" }];
    for (const { t, at } of targets) {
      if (typeof t === "string") {
        // Own names only: "constructor" or "toString" would otherwise find Object.prototype's members.
        const known = ctx.settings.msgApp?.targets;
        if (!known || !Object.hasOwn(known, t)) errors.push({ path: at, message: `No chat target named "${t}" in the tenant defaults` });
      } else {
        const check = checkOutboundUrl(t.url, outboundPolicy(ctx.env));
        if (!check.ok) errors.push({ path: `${at}.url`, message: check.reason });
      }
    }
  }

  const [templateErrors, serviceErrors, callbackErrors, directory] = await Promise.all([
    checkTemplateRefs(ctx.db, ctx.tenant.id, refs),
    checkServiceRefs(ctx.db, ctx.tenant.id, services),
    checkCallbackRefs(ctx.db, ctx.tenant.id, callbackRefsOf({ email, sms, msgApp }, (path) => path)),
    loadGroups(ctx, groups.map((g) => g.name)),
  ]);
  errors.push(...templateErrors, ...serviceErrors, ...callbackErrors);
  for (const { name, path } of groups) if (!directory.get(name)) errors.push({ path, message: `No group named "${name}"` });
  return errors;
}
