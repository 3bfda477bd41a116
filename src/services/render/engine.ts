import { renderGc, requiredGcParams } from "./gc";
import { renderMustache, requiredMustacheParams } from "./mustache";
import type { EscapeMode } from "./escape";
import type { RenderBudget } from "./limits";
import type { Renderer } from "./renderer";

export { MissingParamsCollector, MissingParamsError, RenderLimitError, TemplateSyntaxError } from "./errors";

/**
 * The parameters a template cannot be rendered without.
 *
 * @example
 * ```ts
 * requiredParams("This is an example of {{body-part}}", "mustache") // ["body-part"]
 * ```
 */
export function requiredParams(template: string, renderer: Renderer): string[] {
  return renderer === "gc" ? requiredGcParams(template) : requiredMustacheParams(template);
}

/**
 * Fills a template. `escape` says what the output is: plain text ("none": SMS, subjects,
 * recipients), an HTML body ("html") or a markdown body ("markdown"); values are escaped for it
 * in every tag form. Throws MissingParamsError naming every required parameter that is absent or
 * null (an empty string counts as given), and RenderLimitError past `maxOutput` characters
 * (default MAX_FIELD_OUTPUT) or the template bounds in limits.ts; renders that make one message
 * together can share a `budget` of steps and output.
 *
 * @example
 * ```ts
 * renderTemplate("Dear {{name}}", { name: "<Ann>" }, { renderer: "mustache", escape: "html" }) // "Dear &lt;Ann&gt;"
 * ```
 */
export function renderTemplate(
  template: string,
  params: Record<string, unknown>,
  options: { renderer: Renderer; escape: EscapeMode; maxOutput?: number; budget?: RenderBudget },
): string {
  return options.renderer === "gc"
    ? renderGc(template, params, options.escape, options.maxOutput, options.budget)
    : renderMustache(template, params, options.escape, options.maxOutput, options.budget);
}
