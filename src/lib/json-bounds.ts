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

/**
 * The deepest nesting of arrays and objects in JSON text, found in one pass without parsing or
 * recursion, so it is safe on any input. Brackets inside strings do not count. Stops counting
 * once `stopAt` is passed.
 *
 * @example
 * ```ts
 * jsonTextDepth('{"a":[1,{"b":"[["}]}') // 3
 * ```
 */
export function jsonTextDepth(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return max;
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
