/** A template needs parameters the caller did not give; `missing` lists each once, in template order. */
export class MissingParamsError extends Error {
  readonly missing: string[];

  constructor(missing: string[]) {
    super(`Missing parameters: ${missing.join(", ")}`);
    this.name = "MissingParamsError";
    this.missing = missing;
  }
}

/** The template itself cannot be parsed (an unclosed tag or section). */
export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateSyntaxError";
  }
}

/**
 * A template, or the content it renders to, goes past one of the bounds in limits.ts (nesting,
 * work, output size, markdown size or depth). A TemplateSyntaxError, so every place that turns a
 * broken template into a 422 at its field does the same for this.
 */
export class RenderLimitError extends TemplateSyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "RenderLimitError";
  }
}

/**
 * Renders several fields and reports every parameter missing from any of them in one
 * MissingParamsError, rather than stopping at the first field.
 *
 * @example
 * ```ts
 * const missing = new MissingParamsCollector();
 * const subject = missing.attempt(() => render(subjectTemplate), "");
 * const body = missing.attempt(() => render(bodyTemplate), "");
 * missing.throwIfAny(); // MissingParamsError naming the absent parameters of both
 * ```
 */
export class MissingParamsCollector {
  private readonly names = new Set<string>();

  /** `render()`, or `fallback` after noting what it was missing; other errors pass through. */
  attempt<T>(render: () => T, fallback: T): T {
    try {
      return render();
    } catch (err) {
      if (!(err instanceof MissingParamsError)) throw err;
      for (const name of err.missing) this.names.add(name);
      return fallback;
    }
  }

  throwIfAny(): void {
    if (this.names.size > 0) throw new MissingParamsError([...this.names]);
  }
}
