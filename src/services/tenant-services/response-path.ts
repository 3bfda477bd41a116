/**
 * A tiny path syntax for finding values in a service's JSON answer, with bounded work and no
 * evaluation: names separated by dots, and `[]` after a name (or alone, first) meaning "each
 * element of this array". `recipients[].email` reads the `email` of every element of
 * `recipients`; `emails` reads one string or an array of strings; `[].phone` reads `phone` of each
 * element of an answer that is itself an array.
 */
export interface PathStep {
  /** Property to read, or null for the answer itself (a path starting with `[]`). */
  key: string | null;
  /** Iterate over an array at this step. */
  each: boolean;
}

export const RESPONSE_PATH_LIMITS = { maxChars: 256, maxSteps: 8, maxValues: 1000, maxValueChars: 320 } as const;

const STEP = /^([A-Za-z0-9_$-]{1,64})?(\[\])?$/;

/**
 * Parses a path; answers the steps, or a message saying what is wrong.
 *
 * @example
 * ```ts
 * parseResponsePath("recipients[].email") // [{ key: "recipients", each: true }, { key: "email", each: false }]
 * parseResponsePath("a..b")               // "Empty segment at position 2"
 * ```
 */
export function parseResponsePath(path: string): PathStep[] | string {
  if (path.length === 0) return "Must not be empty";
  if (path.length > RESPONSE_PATH_LIMITS.maxChars) return `At most ${RESPONSE_PATH_LIMITS.maxChars} characters`;
  const parts = path.split(".");
  if (parts.length > RESPONSE_PATH_LIMITS.maxSteps) return `At most ${RESPONSE_PATH_LIMITS.maxSteps} segments`;
  const steps: PathStep[] = [];
  for (const [i, part] of parts.entries()) {
    const m = STEP.exec(part);
    if (!m || part.length === 0) return `Segment ${i + 1} ("${part}") must be a name (letters, digits, _, $, -) optionally followed by [], like recipients[].email`;
    if (!m[1] && i > 0) return `Segment ${i + 1}: a bare [] may only start the path`;
    steps.push({ key: m[1] ?? null, each: m[2] === "[]" });
  }
  return steps;
}

/** The answer does not have the shape the mapping describes. */
export class AnswerShapeError extends Error {}

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Every string the path reaches in `answer`. A missing key or null along the way reaches nothing
 * (a subscriber without a phone number has no SMS); a value of the wrong kind (an object where an
 * array is expected, a number where a string is) is an AnswerShapeError, as are more than
 * maxValues values. The work is bounded by the answer's size.
 */
export function extractStrings(answer: unknown, steps: PathStep[], pathText: string): string[] {
  let current: unknown[] = [answer];
  for (const [i, step] of steps.entries()) {
    const next: unknown[] = [];
    for (const value of current) {
      let v = value;
      if (step.key !== null) {
        if (v === null || v === undefined) continue;
        if (typeof v !== "object" || Array.isArray(v)) throw new AnswerShapeError(`${pathText}: expected an object before "${step.key}", found ${typeName(v)}`);
        v = Object.hasOwn(v, step.key) ? (v as Record<string, unknown>)[step.key] : undefined;
      }
      if (v === null || v === undefined) continue;
      if (step.each) {
        if (!Array.isArray(v)) throw new AnswerShapeError(`${pathText}: expected an array at segment ${i + 1}, found ${typeName(v)}`);
        next.push(...v);
      } else {
        next.push(v);
      }
      if (next.length > RESPONSE_PATH_LIMITS.maxValues) throw new AnswerShapeError(`${pathText}: more than ${RESPONSE_PATH_LIMITS.maxValues} values`);
    }
    current = next;
  }
  const out: string[] = [];
  for (const value of current) {
    // The last step may name a list of strings as well as one string.
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (item === null || item === undefined) continue;
      if (typeof item !== "string") throw new AnswerShapeError(`${pathText}: expected a string, found ${typeName(item)}`);
      if (item.length > RESPONSE_PATH_LIMITS.maxValueChars) throw new AnswerShapeError(`${pathText}: a value longer than ${RESPONSE_PATH_LIMITS.maxValueChars} characters`);
      out.push(item);
      if (out.length > RESPONSE_PATH_LIMITS.maxValues) throw new AnswerShapeError(`${pathText}: more than ${RESPONSE_PATH_LIMITS.maxValues} values`);
    }
  }
  return out;
}
