/** The two placeholder engines. */
export type Renderer = "mustache" | "gc";

/**
 * Renderer names a request may use: the seed writes "handlebar", the common-notify spec
 * "handlebars" and "mustache" (all `{{name}}`); "gc" / "notify" select GOV.UK Notify's `((name))`.
 */
export const RENDERER_NAMES = ["mustache", "handlebar", "handlebars", "gc", "notify"] as const;

/**
 * @example
 * ```ts
 * toRenderer("Handlebar") // "mustache"
 * toRenderer("notify")    // "gc"
 * toRenderer()            // "mustache"
 * ```
 */
export function toRenderer(name?: string): Renderer {
  const n = name?.toLowerCase();
  return n === "gc" || n === "notify" ? "gc" : "mustache";
}
