import Mustache from "mustache";
import { MissingParamsError, RenderLimitError, TemplateSyntaxError } from "./errors";
import { type EscapeMode, escapeFor } from "./escape";
import { MAX_FIELD_OUTPUT, MAX_TEMPLATE_NESTING, MAX_TEMPLATE_STEPS, type RenderBudget } from "./limits";
import { LruCache } from "../../lib/lru-cache";

/**
 * Mustache is used for its parser only; rendering is ours (below), so lookups never leave the
 * parameters' own data. A writer of our own rather than the shared default, so nothing here
 * changes global mustache state; its template cache is emptied after every parse, because
 * templates are tenant-controlled and the cache would keep every one for the isolate's life.
 */
const writer = new Mustache.Writer();

/** [type, value, start, end, children?, sectionEnd?] as mustache's parser emits them. */
type Token = [string, string, number, number, Token[]?, number?];

/**
 * Every token with its section depth, iteratively (the tree may be arbitrarily deep until checked).
 */
function* walk(tokens: Token[]): Generator<[Token, number]> {
  const stack: [Token[], number][] = [[tokens, 0]];
  while (stack.length > 0) {
    const [list, depth] = stack.pop()!;
    for (const token of list) {
      yield [token, depth];
      if (token[4]) stack.push([token[4], depth + 1]);
    }
  }
}

/**
 * Parsed templates this isolate has checked, by source. A send parses its subject and body
 * several times (the parameters it needs, then each rendering) and a mail merge renders the same
 * template for every row, so parsing once saves most of the work; the tokens are never changed
 * after parsing. Bounded in entries and by the size of what is kept, so tenants' templates cannot
 * grow it without limit (mustache's own cache, which has neither bound, is emptied instead).
 */
const parsed = new LruCache<string, Token[]>(256);
/**
 * Larger templates are parsed every time, so the cache weighs a few MB at most whatever tenants
 * send: a token costs about 100 bytes, and a 16 KB template of tags alone makes thousands.
 */
const MAX_CACHED_TEMPLATE_CHARS = 8_192;
const MAX_CACHED_TOKENS = 256;

/**
 * Parses a template, refusing partials (there is nowhere to define one, and a `{{> footer}}`
 * that silently renders nothing would send a message with a hole in it) and sections nested
 * deeper than MAX_TEMPLATE_NESTING.
 */
function parse(template: string): Token[] {
  const known = parsed.get(template);
  if (known) return known;
  let tokens: Token[];
  try {
    tokens = writer.parse(template) as Token[];
  } catch (err) {
    throw new TemplateSyntaxError(err instanceof Error ? err.message : String(err));
  } finally {
    writer.clearCache();
  }
  let count = 0;
  for (const [token, depth] of walk(tokens)) {
    count++;
    if (token[4] && depth >= MAX_TEMPLATE_NESTING) {
      throw new RenderLimitError(`Sections are nested more than ${MAX_TEMPLATE_NESTING} deep (at ${token[2]})`);
    }
    if (token[0] === ">") throw new TemplateSyntaxError(`Partials are not supported: "{{> ${token[1]}}}" at ${token[2]}`);
  }
  if (template.length <= MAX_CACHED_TEMPLATE_CHARS && count <= MAX_CACHED_TOKENS) parsed.set(template, tokens);
  return tokens;
}

/**
 * Names a mustache template needs: variables outside sections. A section's own name is optional
 * (absent means falsy) and what is inside a section resolves against the section's context, so
 * neither is required.
 *
 * @example
 * ```ts
 * requiredMustacheParams("Dear {{first}} {{#vip}}{{title}}{{/vip}}") // ["first"]
 * ```
 */
export function requiredMustacheParams(template: string): string[] {
  const names: string[] = [];
  for (const [type, name] of parse(template)) {
    if ((type === "name" || type === "&") && name !== ".") names.push(name);
  }
  return [...new Set(names)];
}

const MISS = Symbol("miss");

/**
 * One step of a lookup: only own, enumerable data of plain objects and arrays (plus an array's
 * `length`), so no name — `constructor`, `__proto__`, `map`, `toString` — reaches a prototype,
 * and nothing callable is ever returned.
 */
function member(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object") return MISS;
  if (Array.isArray(value) && key === "length") return value.length;
  const own = Object.getOwnPropertyDescriptor(value, key);
  if (!own || !own.enumerable || !("value" in own) || typeof own.value === "function") return MISS;
  return own.value;
}

/** A dotted name resolved in one view; MISS unless every step is own data. */
function resolve(view: unknown, name: string): unknown {
  let value = view;
  for (const part of name.split(".")) {
    value = member(value, part);
    if (value === MISS) return MISS;
  }
  return value;
}

/**
 * Mustache's context stack: `.` is the innermost view; other names are tried from the innermost
 * view outwards, the first view where the whole name resolves wins.
 */
function lookup(stack: unknown[], name: string): unknown {
  if (name === ".") return stack[stack.length - 1];
  for (let i = stack.length - 1; i >= 0; i--) {
    const value = resolve(stack[i], name);
    if (value !== MISS) return value;
  }
  return undefined;
}

/** Text for a value: objects (which have no useful string form) as JSON, as the gc renderer does. */
function text(value: unknown): string {
  if (value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value)) return value.map((v) => (v == null ? "" : text(v))).join(",");
  try {
    return JSON.stringify(value);
  } catch {
    throw new RenderLimitError("A parameter is too deeply nested to print");
  }
}

interface RenderState {
  escape: (value: string) => string;
  maxOutput: number;
  steps: number;
  output: number;
  /** Shared with the other renders of the same message, when there are several. */
  budget?: RenderBudget;
}

function emit(state: RenderState, piece: string): string {
  state.output += piece.length;
  state.budget?.spendOutput(piece.length);
  if (state.output > state.maxOutput) {
    throw new RenderLimitError(`Renders to more than ${state.maxOutput} characters`);
  }
  return piece;
}

function renderTokens(tokens: Token[], stack: unknown[], state: RenderState): string {
  state.steps += tokens.length + 1;
  state.budget?.spendSteps(tokens.length + 1);
  if (state.steps > MAX_TEMPLATE_STEPS) {
    throw new RenderLimitError(`Takes more than ${MAX_TEMPLATE_STEPS} steps to render (sections repeat over too many items)`);
  }
  let out = "";
  for (const token of tokens) {
    const [type, name] = token;
    if (type === "text") out += emit(state, name);
    else if (type === "name" || type === "&") {
      // `{{{v}}}` and `{{&v}}` are escaped like `{{v}}`: only text output (escape "none") is raw.
      const value = lookup(stack, name);
      if (value != null) out += emit(state, state.escape(text(value)));
    } else if (type === "#") {
      const value = lookup(stack, name);
      if (Array.isArray(value)) for (const item of value) out += renderTokens(token[4]!, [...stack, item], state);
      else if (value === true) out += renderTokens(token[4]!, stack, state);
      else if (value) out += renderTokens(token[4]!, [...stack, value], state);
    } else if (type === "^") {
      const value = lookup(stack, name);
      if (!value || (Array.isArray(value) && value.length === 0)) out += renderTokens(token[4]!, stack, state);
    }
  }
  return out;
}

/**
 * Renders a mustache template. Names resolve only to the parameters' own data (never a
 * prototype member, never a function); every tag form, `{{{v}}}` and `{{&v}}` included, is
 * escaped for `escape`; and the work is bounded: sections at most MAX_TEMPLATE_NESTING deep, at
 * most MAX_TEMPLATE_STEPS tokens visited, at most `maxOutput` characters produced, each
 * refused as a RenderLimitError.
 *
 * @example
 * ```ts
 * renderMustache("Hi {{name}}", { name: "<Ann>" }, "html") // "Hi &lt;Ann&gt;"
 * renderMustache("{{#a}}{{constructor.name}}{{/a}}", { a: [[1]] }, "none") // ""
 * ```
 */
export function renderMustache(
  template: string,
  params: Record<string, unknown>,
  escape: EscapeMode,
  maxOutput = MAX_FIELD_OUTPUT,
  budget?: RenderBudget,
): string {
  const tokens = parse(template);
  const required = new Set<string>();
  for (const [type, name] of tokens) if ((type === "name" || type === "&") && name !== ".") required.add(name);
  const missing = [...required].filter((name) => lookup([params], name) == null);
  if (missing.length > 0) throw new MissingParamsError(missing);
  const esc = escapeFor(escape);
  return renderTokens(tokens, [params], { escape: esc, maxOutput, steps: 0, output: 0, budget });
}
