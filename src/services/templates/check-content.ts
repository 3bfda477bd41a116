import type { Channel } from "../../db/schema";
import type { FieldError } from "../../lib/errors/api-error";
import { type Params, renderChat, renderEmail, renderSms } from "../content/render-channel";
import { RenderProblems } from "../content/render-errors";
import { requiredParams } from "../render/engine";
import type { Renderer } from "../render/renderer";

export interface TemplateContent {
  subject?: string | null;
  body?: string | null;
  bodyType?: "text" | "html" | "markdown" | null;
  renderer: Renderer;
  card?: Record<string, unknown> | unknown[] | null;
}

/**
 * Every string inside a card with its path (`card.blocks[0].text`), iteratively: cards are
 * bounded in depth when accepted, but this also runs over what is already stored.
 *
 * @example
 * ```ts
 * cardStrings({ blocks: [{ text: "Hi {{name}}" }] }) // [{ path: "card.blocks[0].text", value: "Hi {{name}}" }]
 * ```
 */
export function cardStrings(card: unknown, root = "card"): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  const stack: [unknown, string][] = [[card, root]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === "string") out.push({ path, value: node });
    else if (Array.isArray(node)) node.forEach((v, i) => stack.push([v, `${path}[${i}]`]));
    else if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) stack.push([v, `${path}.${k}`]);
  }
  return out.reverse();
}

/**
 * Parameters that satisfy every required placeholder, for a dry-run render: `a.b` becomes
 * `{a: {b: "x"}}`. Optional parts (sections, `((x??…))`) stay absent.
 */
function sampleParams(names: string[]): Params {
  const params: Params = {};
  for (const name of names) {
    const parts = name.split(".");
    let node: Record<string, unknown> = params;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        if (!(part in node)) node[part] = "x";
      } else {
        const next = node[part];
        node = (node[part] = next !== null && typeof next === "object" ? next : {}) as Record<string, unknown>;
      }
    });
  }
  return params;
}

/** What each channel's template must and must not have. */
function shapeErrors(channel: Channel, content: TemplateContent): FieldError[] {
  const errors: FieldError[] = [];
  const has = (v: unknown) => v !== undefined && v !== null && v !== "";
  if (channel === "email") {
    if (!has(content.subject)) errors.push({ path: "subject", message: "Email templates need a subject" });
    if (!has(content.body)) errors.push({ path: "body", message: "Email templates need a body" });
    if (has(content.card)) errors.push({ path: "card", message: "Only msgApp templates have a card" });
  } else if (channel === "sms") {
    if (!has(content.body)) errors.push({ path: "body", message: "SMS templates need a body" });
    if (has(content.subject)) errors.push({ path: "subject", message: "SMS templates have no subject" });
    if (has(content.card)) errors.push({ path: "card", message: "Only msgApp templates have a card" });
  } else {
    if (!has(content.body) && !has(content.card)) errors.push({ path: "body", message: "msgApp templates need a body or a card" });
    if (has(content.subject)) errors.push({ path: "subject", message: "msgApp templates have no subject" });
  }
  return errors;
}

/**
 * Checks a template by the rules a send applies, so nothing stored can fail a later send for a
 * reason known now: the channel's required fields, every field and card string parsed (each
 * broken one named by its path), then one render with every required parameter given, through
 * the send path's own renderers (markdown and output limits included). Every problem is
 * reported at once.
 *
 * @example
 * ```ts
 * checkTemplateContent("msgApp", { renderer: "mustache", card: { text: "{{#open" } })
 * // [{ path: "card.text", message: "Unclosed section \"open\" at 7" }]
 * ```
 */
export function checkTemplateContent(channel: Channel, content: TemplateContent): FieldError[] {
  const errors = shapeErrors(channel, content);
  const problems = new RenderProblems();
  const fields = [
    ...(content.subject ? [{ path: "subject", value: content.subject }] : []),
    ...(content.body ? [{ path: "body", value: content.body }] : []),
    ...(content.card ? cardStrings(content.card) : []),
  ];
  const names = fields.flatMap(({ path, value }) => problems.capture(path, () => requiredParams(value, content.renderer), []));
  if (errors.length === 0 && problems.empty) {
    const params = sampleParams([...new Set(names)]);
    const { renderer } = content;
    if (channel === "email") {
      problems.capture("body", () => renderEmail({ subject: content.subject!, body: content.body!, bodyType: content.bodyType ?? "text", renderer }, params), null);
    } else if (channel === "sms") {
      problems.capture("body", () => renderSms({ body: content.body!, renderer }, params), null);
    } else {
      problems.capture("body", () => renderChat({ body: content.body ?? undefined, card: content.card ?? undefined, renderer }, params), null);
    }
  }
  // Only what is wrong with the template counts here; parameters are the sender's business.
  return [...errors, ...problems.syntaxErrors];
}
