import { ApiError } from "../../lib/errors/api-error";
import { MissingParamsError, TemplateSyntaxError } from "../render/engine";

/**
 * Runs a render and turns its failures into 422s: every missing parameter is one field error at
 * `{paramsPath}.{name}` (an email saying "Dear ," is a defect, so nothing is sent), and a broken
 * template is an error at `templatePath`.
 *
 * @example
 * ```ts
 * const rendered = withRenderErrors(() => renderEmail(source, params), { paramsPath: "params", templatePath: "content.body" });
 * ```
 */
export function withRenderErrors<T>(render: () => T, paths: { paramsPath: string; templatePath: string; channel?: string }): T {
  try {
    return render();
  } catch (err) {
    if (err instanceof MissingParamsError) {
      const where = paths.channel ? ` (${paths.channel})` : "";
      throw new ApiError("unprocessable", {
        detail: `The template needs parameters the request does not supply${where}: ${err.missing.join(", ")}`,
        errors: err.missing.map((name) => ({ path: `${paths.paramsPath}.${name}`, message: "Required by the template but not supplied" })),
      });
    }
    if (err instanceof TemplateSyntaxError) {
      throw new ApiError("unprocessable", {
        detail: `The template cannot be parsed: ${err.message}`,
        errors: [{ path: paths.templatePath, message: err.message }],
      });
    }
    throw err;
  }
}
