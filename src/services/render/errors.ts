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
