import { MissingParamsError, RenderLimitError } from "./errors";
import { type EscapeMode, escapeFor } from "./escape";
import { MAX_FIELD_OUTPUT, type RenderBudget } from "./limits";

/** GOV.UK Notify's placeholder: `((name))` or `((name??optional text))`. */
const PLACEHOLDER = /\(\(([^()]+)\)\)/g;
const TRUTHY = new Set(["yes", "y", "true", "t", "1", "include", "show"]);

/** Notify matches names ignoring case, spaces, underscores and hyphens: ((First Name)) ≡ first_name. */
function key(name: string): string {
  return name.replace(/[\s_-]/g, "").toLowerCase();
}

function parsePlaceholder(inner: string): { name: string; conditional?: string } {
  const at = inner.indexOf("??");
  return at === -1 ? { name: inner.trim() } : { name: inner.slice(0, at).trim(), conditional: inner.slice(at + 2) };
}

/**
 * Names a GOV.UK-style template needs. Conditional placeholders count too: Notify refuses a send
 * that leaves one of them out.
 *
 * @example
 * ```ts
 * requiredGcParams("Hi ((First Name))((vip?? – welcome back))") // ["First Name", "vip"]
 * ```
 */
export function requiredGcParams(template: string): string[] {
  const seen = new Map<string, string>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    const { name } = parsePlaceholder(match[1]!);
    if (!seen.has(key(name))) seen.set(key(name), name);
  }
  return [...seen.values()];
}

/** "a, b and c", as GOV.UK Notify writes a list inside a sentence. */
function prose(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function stringify(value: unknown, escape: EscapeMode): string {
  const esc = escapeFor(escape);
  if (Array.isArray(value)) {
    const items = value.map((v) => stringify(v, "none")).filter((v) => v.trim() !== "");
    // Notify turns a list into bullets in a markdown body; the blank line starts the list block.
    if (escape === "markdown") return items.length === 0 ? "" : `\n\n${items.map((i) => `* ${esc(i)}`).join("\n")}`;
    return prose(items.map(esc));
  }
  if (value === null || typeof value !== "object") return esc(String(value));
  try {
    return esc(JSON.stringify(value));
  } catch {
    throw new RenderLimitError("A parameter is too deeply nested to print");
  }
}

/**
 * Fills `((name))` placeholders. Unlike mustache there is no syntax to get wrong: as in Notify,
 * text that is not a complete placeholder (`((name`) stays as typed. Names are matched against
 * the parameters' own keys only, so no prototype member can be reached; output longer than
 * `maxOutput` characters is refused as a RenderLimitError (one long value used many times).
 *
 * @example
 * ```ts
 * renderGc("Hi ((First Name))((vip?? – welcome back))", { first_name: "Ann", vip: "yes" }, "none") // "Hi Ann – welcome back"
 * ```
 */
export function renderGc(
  template: string,
  params: Record<string, unknown>,
  escape: EscapeMode,
  maxOutput = MAX_FIELD_OUTPUT,
  budget?: RenderBudget,
): string {
  const values = new Map<string, unknown>();
  for (const [name, value] of Object.entries(params)) values.set(key(name), value);
  const missing = requiredGcParams(template).filter((name) => values.get(key(name)) == null);
  if (missing.length > 0) throw new MissingParamsError(missing);
  let output = template.length;
  const out = template.replace(PLACEHOLDER, (whole: string, inner: string) => {
    const { name, conditional } = parsePlaceholder(inner);
    const value = values.get(key(name));
    const piece = conditional !== undefined ? (TRUTHY.has(String(value).trim().toLowerCase()) ? conditional : "") : stringify(value, escape);
    output += piece.length - whole.length;
    if (output > maxOutput) throw new RenderLimitError(`Renders to more than ${maxOutput} characters`);
    return piece;
  });
  if (out.length > maxOutput) throw new RenderLimitError(`Renders to more than ${maxOutput} characters`);
  budget?.spendOutput(out.length);
  return out;
}
