/** One line of a line diff: kept in both, only in the old text, or only in the new. */
export interface DiffLine {
  kind: "same" | "del" | "ins";
  text: string;
}

/** Above this many cells (lines × lines) the middle of the texts is not aligned line by line. */
const MAX_CELLS = 4_000_000;

/**
 * A line diff of two texts (longest common subsequence), with the common head and tail trimmed
 * first so a small edit to a long body stays cheap. Past MAX_CELLS the differing middle is shown
 * as all removed then all added: correct, just less precise, and bounded in time and memory.
 *
 * @example
 * ```ts
 * lineDiff("a\nb", "a\nc") // [{ kind: "same", text: "a" }, { kind: "del", text: "b" }, { kind: "ins", text: "c" }]
 * ```
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ kind: "same", text }));
  if ((x.length + 1) * (y.length + 1) > MAX_CELLS) {
    out.push(...x.map((text): DiffLine => ({ kind: "del", text })), ...y.map((text): DiffLine => ({ kind: "ins", text })));
  } else {
    // lcs[i][j]: length of the longest common subsequence of x[i..] and y[j..], in one flat array.
    const w = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * w);
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        out.push({ kind: "same", text: x[i]! });
        i++;
        j++;
      } else if (i < x.length && (j === y.length || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
        out.push({ kind: "del", text: x[i++]! });
      } else {
        out.push({ kind: "ins", text: y[j++]! });
      }
    }
  }
  out.push(...a.slice(a.length - tail).map((text): DiffLine => ({ kind: "same", text })));
  return out;
}
