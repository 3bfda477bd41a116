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
