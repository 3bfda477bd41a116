import { ApiError, type FieldError } from "../../lib/errors/api-error";

/**
 * Collects 400 and 422 problems from several independent checks (channels, attachments,
 * schedule) so one answer lists everything to fix. Anything else is rethrown at once.
 */
export class ProblemCollector {
  private readonly invalid: FieldError[] = [];
  private readonly unprocessable: FieldError[] = [];
  private readonly details: string[] = [];

  add(err: unknown, fallbackPath = "(root)"): void {
    if (!(err instanceof ApiError) || (err.code !== "invalid_request" && err.code !== "unprocessable")) throw err;
    const target = err.code === "invalid_request" ? this.invalid : this.unprocessable;
    target.push(...(err.errors?.length ? err.errors : [{ path: fallbackPath, message: err.detail ?? err.message }]));
    if (err.detail) this.details.push(err.detail);
  }

  invalidField(path: string, message: string): void {
    this.invalid.push({ path, message });
  }

  unprocessableField(path: string, message: string): void {
    this.unprocessable.push({ path, message });
  }

  addUnprocessable(errors: FieldError[]): void {
    this.unprocessable.push(...errors);
  }

  /** Runs `fn`, recording a 400/422 it throws; answers undefined in that case. */
  async run<T>(fn: () => Promise<T> | T, fallbackPath?: string): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.add(err, fallbackPath);
      return undefined;
    }
  }

  get empty(): boolean {
    return this.invalid.length === 0 && this.unprocessable.length === 0;
  }

  /** Schema problems make it a 400 (listing the 422 ones too); otherwise a 422. */
  throwIfAny(): void {
    if (this.empty) return;
    const errors = [...this.invalid, ...this.unprocessable];
    const detail =
      this.details.length === 1 && errors.length === 1
        ? this.details[0]
        : `${errors.length} problem${errors.length === 1 ? "" : "s"} with the request${this.details.length ? `: ${[...new Set(this.details)].join("; ")}` : ""}`;
    throw new ApiError(this.invalid.length > 0 ? "invalid_request" : "unprocessable", { detail, errors });
  }
}
