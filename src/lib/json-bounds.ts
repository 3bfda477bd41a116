import type { z } from "@hono/zod-openapi";

/**
 * Bounds on JSON a client can send. Every renderer, validator and serialiser in the service
 * walks values recursively, so depth is what turns an 11 KB body into a stack overflow; the
 * whole body is held to MAX_BODY_DEPTH before anything parses it, and each free-form value
 * (params, cards) to a tighter bound of its own, wherever it is accepted: in a request, a
 * template or a tenant default. README "Input limits" documents these numbers.
 */
export const MAX_BODY_DEPTH = 32;

/** Free-form values: template parameters and chat cards. */
export const JSON_VALUE_LIMITS = {
  params: { maxDepth: 8, maxBytes: 256 * 1024, maxKeys: 1000 },
  card: { maxDepth: 20, maxBytes: 256 * 1024, maxKeys: 5000 },
} as const;

export interface JsonTextFindings {
  /** Deepest nesting of arrays and objects (counting stops once past `stopAt`). */
  depth: number;
  /** Offset of an escaped half of a UTF-16 surrogate pair (`"\\uD800"` alone), or -1. */
  loneSurrogateAt: number;
  /** Offset of an object key that parses to `__proto__` (which JSON.parse keeps as an own key and later object copies drop), or -1. */
  protoKeyAt: number;
}

/**
 * Reads JSON text once, without parsing or recursion, for what must be refused before anything
 * parses or walks it: nesting depth (brackets inside strings do not count), escaped halves of
 * surrogate pairs (a string that cannot be stored or sent as UTF-8: it would come back as
 * U+FFFD), and `__proto__` keys (silently dropped by the first object copy, so what was accepted
 * would not be what is stored). Safe on any input; linear in its length.
 *
 * @example
 * ```ts
 * inspectJsonText('{"a":[1,{"b":"[["}]}') // { depth: 3, loneSurrogateAt: -1, protoKeyAt: -1 }
 * inspectJsonText('{"__proto__":{}}')     // { depth: 2, loneSurrogateAt: -1, protoKeyAt: 1 }
 * ```
 */
export function inspectJsonText(text: string, stopAt = Number.POSITIVE_INFINITY): JsonTextFindings {
  let depth = 0;
  let max = 0;
  let loneSurrogateAt = -1;
  let protoKeyAt = -1;
  let stringStart = -1;
  let escaped = false;
  let pendingHigh = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (stringStart !== -1) {
      if (c === 0x5c /* \ */) {
        escaped = true;
        if (text.charCodeAt(i + 1) === 0x75 /* u */) {
          const unit = Number.parseInt(text.slice(i + 2, i + 6), 16);
          const low = unit >= 0xdc00 && unit <= 0xdfff;
          if (loneSurrogateAt === -1 && ((pendingHigh !== -1 && !low) || (low && pendingHigh === -1))) loneSurrogateAt = pendingHigh !== -1 ? pendingHigh : i;
          pendingHigh = unit >= 0xd800 && unit <= 0xdbff ? i : -1;
          i += 5;
        } else {
          if (pendingHigh !== -1 && loneSurrogateAt === -1) loneSurrogateAt = pendingHigh;
          pendingHigh = -1;
          i++;
        }
        continue;
      }
      if (pendingHigh !== -1 && loneSurrogateAt === -1) loneSurrogateAt = pendingHigh;
      pendingHigh = -1;
      if (c === 0x22 /* " */) {
        if (protoKeyAt === -1 && isProtoKey(text, stringStart, i)) protoKeyAt = stringStart;
        stringStart = -1;
        escaped = false;
      }
      continue;
    }
    if (c === 0x22) {
      stringStart = i;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAt) break;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return { depth: max, loneSurrogateAt, protoKeyAt };

  /** Whether the string text[open..close] (quotes included) is a key that parses to `__proto__`. */
  function isProtoKey(source: string, open: number, close: number): boolean {
    const length = close - open - 1;
    if (length < 9 || (!escaped && length !== 9)) return false;
    let next = close + 1;
    while (next < source.length && /\s/.test(source[next]!)) next++;
    if (source[next] !== ":") return false;
    try {
      return JSON.parse(source.slice(open, close + 1)) === "__proto__";
    } catch {
      return false;
    }
  }
}

/**
 * The deepest nesting of arrays and objects in JSON text (see inspectJsonText).
 *
 * @example
 * ```ts
 * jsonTextDepth('{"a":[1,{"b":"[["}]}') // 3
 * ```
 */
export function jsonTextDepth(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  return inspectJsonText(text, stopAt).depth;
}

/**
 * Where JSON text escapes half of a surrogate pair alone, or -1 (see inspectJsonText).
 *
 * @example
 * ```ts
 * findLoneSurrogateEscape('{"a":"x\\uD800y"}') // 7
 * ```
 */
export function findLoneSurrogateEscape(text: string): number {
  return inspectJsonText(text).loneSurrogateAt;
}

export interface JsonShape {
  depth: number;
  /** Object keys and array elements, counted over the whole value. */
  entries: number;
}

/**
 * Depth and size of an already parsed value, iteratively (an explicit stack, not recursion), so a
 * value nested past any bound is measured without overflowing. Stops early once a bound is
 * passed. Depth counts containers: a scalar is 0, `{}` is 1, `{"a":[]}` is 2.
 *
 * @example
 * ```ts
 * jsonShape({ a: [1, { b: 2 }] }) // { depth: 3, entries: 4 }
 * ```
 */
export function jsonShape(value: unknown, limits: { maxDepth: number; maxKeys: number } = { maxDepth: Infinity, maxKeys: Infinity }): JsonShape {
  let depth = 0;
  let entries = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (level > depth) depth = level;
    const children = Array.isArray(node) ? node : Object.values(node);
    entries += children.length;
    if (depth > limits.maxDepth || entries > limits.maxKeys) break;
    for (const child of children) if (child !== null && typeof child === "object") stack.push([child, level + 1]);
  }
  return { depth, entries };
}

/**
 * Why `value` breaks a bound, or null. Depth and entries are checked first, so the size check
 * never serialises a value that is too deep to serialise.
 *
 * @example
 * ```ts
 * jsonValueProblem({ a: { b: {} } }, { maxDepth: 2, maxBytes: 100, maxKeys: 10 }) // "Nested more than 2 levels deep; at most 2 allowed"
 * ```
 */
export function jsonValueProblem(value: unknown, limits: { maxDepth: number; maxBytes: number; maxKeys: number }): string | null {
  const shape = jsonShape(value, limits);
  if (shape.depth > limits.maxDepth) return `Nested more than ${limits.maxDepth} levels deep; at most ${limits.maxDepth} allowed`;
  if (shape.entries > limits.maxKeys) return `More than ${limits.maxKeys} keys and elements in all; at most ${limits.maxKeys} allowed`;
  const bytes = new TextEncoder().encode(JSON.stringify(value) ?? "").byteLength;
  if (bytes > limits.maxBytes) return `${bytes} bytes as JSON; at most ${limits.maxBytes} allowed`;
  return null;
}

/**
 * A zod refinement holding a free-form value to `limits`, with the reason as the message.
 *
 * @example
 * ```ts
 * const Params = boundedJson(z.record(z.string(), z.unknown()), JSON_VALUE_LIMITS.params);
 * ```
 */
export function boundedJson<T extends z.ZodType>(schema: T, limits: { maxDepth: number; maxBytes: number; maxKeys: number }): T {
  return schema.superRefine((value, ctx) => {
    const problem = jsonValueProblem(value, limits);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }) as unknown as T;
}
