import { ApiError } from "../../lib/errors/api-error";
import { MissingParamsError, RenderLimitError, TemplateSyntaxError } from "../render/engine";

/**
 * Gathers render failures across every field of a channel (recipients, subject, body) so one
 * 422 names every missing parameter and every broken template field at once.
 */
export class RenderProblems {
  private readonly missing = new Set<string>();
  private readonly syntax: { path: string; message: string }[] = [];
  private overLimit = false;

  /** Runs `render`; on a missing parameter or a syntax error records it and returns `fallback`. */
  capture<T>(path: string, render: () => T, fallback: T): T {
    try {
      return render();
    } catch (err) {
      if (err instanceof MissingParamsError) {
        for (const name of err.missing) this.missing.add(name);
        return fallback;
      }
      if (err instanceof TemplateSyntaxError) {
        if (err instanceof RenderLimitError) this.overLimit = true;
        this.syntax.push({ path, message: err.message });
        return fallback;
      }
      throw err;
    }
  }

  /** The broken template fields captured so far, each at its path. */
  get syntaxErrors(): readonly { path: string; message: string }[] {
    return this.syntax;
  }

  get hasSyntaxErrors(): boolean {
    return this.syntax.length > 0;
  }

  get empty(): boolean {
    return this.missing.size === 0 && this.syntax.length === 0;
  }

  /** The 422 describing everything captured, or null. */
  toError(paramsPath: string, channel: string): ApiError | null {
    if (this.empty) return null;
    const errors = [
      ...[...this.missing].map((name) => ({ path: `${paramsPath}.${name}`, message: "Required by the template but not supplied" })),
      ...this.syntax,
    ];
    const detail =
      this.missing.size > 0
        ? `The ${channel} content needs parameters the request does not supply: ${[...this.missing].join(", ")}`
        : this.overLimit
          ? `The ${channel} content is past a rendering limit`
          : `The ${channel} template cannot be parsed`;
    return new ApiError("unprocessable", { detail, errors });
  }
}

/**
 * Runs one render and turns its failures into the same 422 a send gives: every missing parameter
 * at `{paramsPath}.{name}`, a broken template at `templatePath`.
 *
 * @example
 * ```ts
 * const rendered = withRenderErrors(() => renderSms(source, params), { paramsPath: "params", templatePath: "body", channel: "sms" });
 * ```
 */
export function withRenderErrors<T>(render: () => T, paths: { paramsPath: string; templatePath: string; channel: string }): T {
  const problems = new RenderProblems();
  const result = problems.capture(paths.templatePath, render, undefined);
  const error = problems.toError(paths.paramsPath, paths.channel);
  if (error) throw error;
  return result!;
}
