import type { z } from "@hono/zod-openapi";
import type { FieldError } from "./api-error";
import { MAX_PROBLEM_ERRORS } from "./problem";

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

type Issue = z.ZodError["issues"][number];

/** Every zod issue becomes one field error; unions report the branch the caller meant. */
export function zodIssuesToFieldErrors(error: z.ZodError, target?: string): FieldError[] {
  const prefix = target ? TARGET_PREFIX[target] : undefined;
  return dedupe(error.issues.flatMap((issue) => toFieldErrors(issue, [], prefix)));
}

function toFieldErrors(issue: Issue, base: ReadonlyArray<PropertyKey>, prefix: string | undefined): FieldError[] {
  const path = [...base, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) return unionErrors(issue.errors, path, prefix);
  if (issue.code === "unrecognized_keys") {
    // Only as many as a problem lists (MAX_PROBLEM_ERRORS), plus one entry counting the rest.
    const listed = issue.keys.slice(0, MAX_PROBLEM_ERRORS - 1).map((key) => ({ path: formatPath([...path, key], prefix), message: "Unknown field" }));
    const more = issue.keys.length - listed.length;
    return more > 0 ? [...listed, { path: formatPath(path, prefix), message: `${more} more unknown fields` }] : listed;
  }
  return [{ path: formatPath(path, prefix), message: issue.message }];
}

/**
 * A union failed every branch. A branch whose type did not even match the value (a string branch
 * given an array) is not what the caller meant, so its "expected string" would mislead: the
 * errors come from the branches whose type matched, the one that got furthest. When no branch's
 * type matched, one error lists every type the field accepts.
 *
 * @example
 * ```ts
 * // z.union([z.string(), z.array(z.string()).max(1000)]) given 1001 strings:
 * // [{ path: "to", message: "Too big: expected array to have <=1000 items" }]
 * ```
 */
function unionErrors(branches: ReadonlyArray<ReadonlyArray<Issue>>, path: PropertyKey[], prefix: string | undefined): FieldError[] {
  const typeMismatch = (branch: ReadonlyArray<Issue>) => branch.some((i) => i.code === "invalid_type" && i.path.length === 0);
  const candidates = branches.filter((branch) => !typeMismatch(branch));
  if (candidates.length === 0) {
    const expected = [...new Set(branches.flatMap((b) => b.flatMap((i) => (i.code === "invalid_type" && i.path.length === 0 ? [i.expected] : []))))];
    const received = /received (\w+)/.exec(branches[0]?.[0]?.message ?? "")?.[1];
    return [{ path: formatPath(path, prefix), message: `Invalid input: expected ${expected.join(" or ")}${received ? `, received ${received}` : ""}` }];
  }
  const best = [...candidates].sort((a, b) => depth(b) - depth(a))[0]!;
  return best.flatMap((inner) => toFieldErrors(inner, path, prefix));
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
