import type { z } from "@hono/zod-openapi";
import type { FieldError } from "./api-error";

/**
 * Formats a path as `a.b[0].c`, the form every `errors[].path` uses.
 *
 * @example
 * ```ts
 * formatPath(["recipients", "to", 1]) // "recipients.to[1]"
 * ```
 */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix?: string): string {
  let out = prefix ?? "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out || "(root)";
}

const TARGET_PREFIX: Record<string, string | undefined> = {
  json: undefined,
  form: undefined,
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
};

/** Every zod issue becomes one field error; unions report their most specific branch. */
export function zodIssuesToFieldErrors(error: z.ZodError, target?: string): FieldError[] {
  const prefix = target ? TARGET_PREFIX[target] : undefined;
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === "invalid_union" && "errors" in issue && Array.isArray(issue.errors) && issue.errors.length > 0) {
      // Report the branch that got furthest: its issues name real fields instead of "Invalid input".
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0]!;
      for (const inner of best) {
        out.push({ path: formatPath([...issue.path, ...inner.path], prefix), message: inner.message });
      }
      continue;
    }
    if (issue.code === "unrecognized_keys" && "keys" in issue) {
      for (const key of issue.keys as string[]) {
        out.push({ path: formatPath([...issue.path, key], prefix), message: "Unknown field" });
      }
      continue;
    }
    out.push({ path: formatPath(issue.path, prefix), message: issue.message });
  }
  return dedupe(out);
}

function depth(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>): number {
  return issues.reduce((max, i) => Math.max(max, i.path.length), 0) - issues.length / 1000;
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
