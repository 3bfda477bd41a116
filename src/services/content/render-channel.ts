import type { BodyType } from "../../db/schema";
import { renderEmailContent } from "../render/email-content";
import { MissingParamsCollector, renderTemplate } from "../render/engine";
import { MAX_CHAT_OUTPUT, RenderBudget } from "../render/limits";
import type { Renderer } from "../render/renderer";
import { normaliseSms, smsStats } from "../render/sms";

export type Params = Record<string, unknown>;

export interface EmailSource {
  subject: string;
  body: string;
  bodyType: BodyType;
  renderer: Renderer;
}

export interface RenderedEmail {
  subject: string;
  body: string;
  bodyType: BodyType;
  html?: string;
  text?: string;
}

export interface RenderedSms {
  body: string;
  length: number;
  fragments: number;
  encoding: "GSM-7" | "UCS-2";
}

export interface ChatSource {
  body?: string;
  card?: Record<string, unknown> | unknown[];
  renderer: Renderer;
}

export interface RenderedChat {
  text: string;
  card?: Record<string, unknown> | unknown[];
}

/** Renders an email's subject and body; throws MissingParamsError naming every absent parameter. */
export function renderEmail(source: EmailSource, params: Params): RenderedEmail {
  return renderEmailContent({ subject: source.subject, body: source.body, bodyType: source.bodyType }, params, source.renderer);
}

export function renderSms(source: { body: string; renderer: Renderer }, params: Params): RenderedSms {
  const body = normaliseSms(renderTemplate(source.body, params, { renderer: source.renderer, escape: "none" }));
  return { body, ...smsStats(body) };
}

/**
 * Renders chat text and every string inside a card. Missing parameters from text and card are
 * reported together; together they produce at most MAX_CHAT_OUTPUT characters.
 */
export function renderChat(source: ChatSource, params: Params): RenderedChat {
  const missing = new MissingParamsCollector();
  // One budget for the text and every card string: a card holds thousands of strings.
  const budget = new RenderBudget(MAX_CHAT_OUTPUT);
  const render = (template: string): string => missing.attempt(() => renderTemplate(template, params, { renderer: source.renderer, escape: "none", budget }), template);
  const text = source.body !== undefined ? render(source.body) : "";
  const card = source.card !== undefined ? mapStrings(source.card, render) : undefined;
  missing.throwIfAny();
  return { text, ...(card !== undefined ? { card: card as RenderedChat["card"] } : {}) };
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}
