/**
 * Whether the request's Content-Type is `type` (parameters such as charset ignored).
 *
 * @example
 * ```ts
 * hasMediaType(req, "application/json") // true for "application/json; charset=utf-8"
 * ```
 */
export function hasMediaType(request: Request, type: string): boolean {
  const header = request.headers.get("content-type") ?? "";
  return header.split(";")[0]!.trim().toLowerCase() === type;
}

/** The request body parsed as JSON, or undefined when it is not JSON. */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return JSON.parse(await request.text()) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether `value` is a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The request headers for the inbox. Credentials keep only their scheme: the inbox shows what
 * was sent, and a developer may have put real provider credentials in .dev.vars.
 *
 * @example
 * ```ts
 * capturedHeaders(new Headers({ authorization: "Basic QUM6dG9rZW4=" })) // { authorization: "Basic (redacted)" }
 * ```
 */
export function capturedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = key === "authorization" ? `${value.split(" ")[0]} (redacted)` : value;
  });
  return out;
}
