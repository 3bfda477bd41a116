import fc from "fast-check";

/**
 * Generators for the adversarial suite: values a hostile or careless client sends. Each starts
 * from a valid request and breaks it in one of the ways that found bugs before (deep nesting,
 * template syntax, prototype names, control and bidi characters, huge strings, wrong types).
 */

/** Strings that have broken renderers, validators or MIME before, plus arbitrary unicode. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    "{{#unclosed",
    "{{/x}}",
    "{{{raw}}}",
    "{{&raw}}",
    "{{> partial}}",
    "{{constructor.name}}",
    "{{__proto__}}",
    "{{#a}}{{#map}}x{{/map}}{{/a}}",
    "((x??",
    "((a))((b??c))",
    "=?UTF-8?B?ZXZpbC5leGU=?=",
    "a\u0000b",
    "line\r\nBcc: evil@example.com",
    "\u202egnp.exe",
    "Support <support@example.com>",
    ".a@example.com",
    "ann@ｅｘａｍｐｌｅ.com",
    "http://169.254.169.254/latest/meta-data",
    "https://[::ffff:127.0.0.1]/",
    "javascript:alert(1)",
    "*a".repeat(2000),
    "> ".repeat(500) + "x",
    "+99:99",
    "2027-02-30T10:00:00",
    "",
    " ",
    "\uD800",
  ),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ maxLength: 5000 }).map((s) => s.repeat(3)),
);

/** Any JSON value, sometimes nested far deeper than any schema allows. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: hostileString },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 5, max: 60 }).map((n) => JSON.parse(`${"[".repeat(n)}1${"]".repeat(n)}`) as unknown),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, true, -1, 1e308, 0.5, [], {}, { __proto__: { x: 1 } }, { constructor: "x" }) },
);

/** Replaces the value at a random path of `base` (or adds a key) with a hostile one. */
export function mutate(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (node: unknown, path: string[]) => {
    paths.push(path);
    if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(base, []);
  return fc
    .tuple(fc.constantFrom(...paths), hostileJson, fc.boolean(), fc.string({ maxLength: 12 }))
    .map(([path, value, addKey, key]) => {
      const copy = structuredClone(base) as Record<string, unknown>;
      if (path.length === 0) return addKey ? { ...copy, [key]: value } : value;
      let node: Record<string, unknown> = copy;
      for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
      const last = path[path.length - 1]!;
      if (addKey && node[last] !== null && typeof node[last] === "object") (node[last] as Record<string, unknown>)[key] = value;
      else node[last] = value;
      return copy;
    });
}

/** Between one and three mutations of a valid body. */
export function mutated(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(mutate(base), mutate(base).chain((once) => (once && typeof once === "object" && !Array.isArray(once) ? mutate(once as Record<string, unknown>) : fc.constant(once))));
}

/** How many cases each property runs: FC_NUM_RUNS overrides (a longer local soak). */
export const NUM_RUNS = Number(globalThis.process?.env?.FC_NUM_RUNS ?? 100);
