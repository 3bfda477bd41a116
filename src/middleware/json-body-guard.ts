import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors/api-error";
import { inspectJsonText, MAX_BODY_DEPTH } from "../lib/json-bounds";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const refuse = (detail: string, message: string) => new ApiError("invalid_request", { detail, errors: [{ path: "(body)", message }] });

/**
 * Checks a JSON body before anything parses or walks it: valid UTF-8, no escaped half of a
 * surrogate pair (either would be stored as U+FFFD, not as what was accepted), no `__proto__`
 * key (dropped by the first object copy, so silently lost), and nesting at most MAX_BODY_DEPTH
 * deep. The scans read the text once, without recursion, so no body can
 * overflow a stack; Hono caches the bytes, so the route's validator reads them again for free.
 */
export const jsonBodyGuard = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  if (c.req.method !== "GET" && c.req.method !== "HEAD" && /json/i.test(type)) {
    let bytes: ArrayBuffer;
    try {
      bytes = await c.req.arrayBuffer();
    } catch (err) {
      // A client that hangs up mid-upload is not a server fault (413s from the size limit pass through).
      if (err instanceof ApiError) throw err;
      throw refuse("The request body could not be read to its end", "Incomplete body (the connection closed?)");
    }
    // Handlers that read the raw Request (the dev sinks, signature checks) get the bytes again.
    c.req.raw = new Request(c.req.raw, { body: bytes });
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      throw refuse("JSON bodies must be UTF-8", "Not valid UTF-8");
    }
    assertSafeJsonText(text);
  }
  await next();
});

/**
 * The checks of a JSON text before it is parsed (depth, lone surrogates, `__proto__`), for JSON
 * that arrives inside another body (the `request` part of a multipart mail merge) too.
 *
 * @example
 * ```ts
 * assertSafeJsonText(await part.text(), "request"); // then JSON.parse
 * ```
 */
export function assertSafeJsonText(text: string, path = "(body)"): void {
  const refuseAt = (detail: string, message: string) => new ApiError("invalid_request", { detail, errors: [{ path, message }] });
  const found = inspectJsonText(text, MAX_BODY_DEPTH);
  if (found.depth > MAX_BODY_DEPTH) throw refuseAt(`JSON bodies may be nested at most ${MAX_BODY_DEPTH} levels deep`, `Nested more than ${MAX_BODY_DEPTH} levels deep`);
  if (found.loneSurrogateAt !== -1) {
    const at = found.loneSurrogateAt;
    throw refuseAt("Strings must be valid Unicode", `Unpaired surrogate ${text.slice(at, at + 6)} at character ${at}: not a character, so it cannot be stored or sent`);
  }
  if (found.protoKeyAt !== -1) throw refuseAt("`__proto__` cannot be used as a key", `A "__proto__" key at character ${found.protoKeyAt}: choose another name`);
}
