import { ApiError, type FieldError } from "../../../lib/errors/api-error";
import type { ChannelLayer } from "../../resolve/layers";

/**
 * Mail merge input (the seed's §4): a header row naming the columns, then one row per message.
 * `to` (GOV.UK Notify's `email address` / `phone number` too) holds the row's recipients, `cc`
 * and `bcc` are email-only, every other column names a parameter.
 */

/**
 * Rows one request may merge. Past plan.ts FANOUT_MIN_ROWS the rows are checked in the request
 * and fanned out through R2 and the notify-fanout queue, so the request's work stays linear and
 * small (docs/scaling.md works out the production ceiling).
 */
export const MAX_MERGE_ROWS = 50_000;
/** Recipients (addresses and numbers in the recipient cells) of one merge: each is a message. */
export const MAX_MERGE_RECIPIENTS = 100_000;
/** Columns of a merge: the header is data too, so it is bounded like the rest. */
export const MAX_MERGE_COLUMNS = 100;
/** A cell of a merge (a recipient list or a parameter value). */
export const MAX_MERGE_CELL_CHARS = 10_000;

export type MergeChannel = "email" | "sms";

/** One data row's problem: `row` counts data rows from 1 (the header is row 0), `column` is the header's name for the cell. */
export interface RowError extends FieldError {
  row: number;
  column: string | null;
}

export interface MergeRow {
  /** 1-based data row number, as the caller counts it (empty rows keep their number). */
  row: number;
  recipients: Partial<Record<"to" | "cc" | "bcc", string[]>>;
  params: Record<string, string>;
}

export interface ParsedMerge {
  /** Normalised header: `to`, `cc`, `bcc`, or the parameter's name as written (trimmed). */
  columns: string[];
  rows: MergeRow[];
  /** Rows refused before planning (cell count), in row order. */
  errors: RowError[];
}

const RECIPIENT_ALIASES: Record<string, "to" | "cc" | "bcc"> = {
  to: "to",
  cc: "cc",
  bcc: "bcc",
  "email address": "to",
  "email_address": "to",
  "phone number": "to",
  "phone_number": "to",
};

/** A header cell as the merge reads it: recipient columns case-insensitively (aliases included), parameters as written. */
function columnName(raw: string): string {
  const trimmed = raw.replace(/^\uFEFF/, "").trim();
  const key = trimmed.toLowerCase().replace(/\s+/g, " ");
  // Own keys only: `__proto__` or `constructor` would otherwise read the object's prototype.
  return Object.hasOwn(RECIPIENT_ALIASES, key) ? RECIPIENT_ALIASES[key]! : trimmed;
}

/** A recipient cell: several comma-separated addresses or numbers, blanks dropped. */
function splitRecipients(cell: string): string[] {
  return cell
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/**
 * Checks a merge's header and turns its data rows into recipients and params. Shape problems of
 * the merge as a whole (no `to` column, a repeated column, `cc` on SMS, a group, too many rows)
 * are 400s (413 past the row bound); a row whose cell count differs from the header is a row
 * error. Rows whose cells are all blank are skipped (a trailing empty line of a spreadsheet).
 *
 * @example
 * ```ts
 * parseMerge([["to", "firstname"], ["fred@example.com", "Frederic"]], "email", "recipients.mergeArray")
 * // { columns: ["to", "firstname"], rows: [{ row: 1, recipients: { to: ["fred@example.com"] }, params: { firstname: "Frederic" } }], errors: [] }
 * ```
 */
export function parseMerge(table: string[][], channel: MergeChannel, path: string): ParsedMerge {
  const [header, ...data] = table;
  const invalid = (errors: FieldError[], detail: string) => new ApiError("invalid_request", { detail, errors });
  if (!header || header.length === 0) throw invalid([{ path: `${path}[0]`, message: "A header row is required" }], "The merge has no header row");
  if (header.length > MAX_MERGE_COLUMNS) throw invalid([{ path: `${path}[0]`, message: `At most ${MAX_MERGE_COLUMNS} columns` }], "The merge has too many columns");

  const columns = header.map(columnName);
  const headerErrors: FieldError[] = [];
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    const at = `${path}[0][${i}]`;
    if (name === "") headerErrors.push({ path: at, message: "A column needs a name" });
    else if (seen.has(name)) headerErrors.push({ path: at, message: `The column ${name} is repeated` });
    else if (channel === "sms" && (name === "cc" || name === "bcc")) headerErrors.push({ path: at, message: `${name} is an email column; a text message has only to` });
    else if (name.length > 256) headerErrors.push({ path: at, message: "A column name is at most 256 characters" });
    // Refused like a `__proto__` key anywhere in a JSON body: as a parameter it would vanish silently.
    else if (name === "__proto__") headerErrors.push({ path: at, message: "__proto__ is not a usable column name" });
    seen.add(name);
  });
  if (!seen.has("to")) headerErrors.push({ path: `${path}[0]`, message: `The header must have a to column (or ${channel === "email" ? "email address" : "phone number"})` });
  if (headerErrors.length > 0) throw invalid(headerErrors, "The merge's header row is not usable");

  const nonEmpty = data.filter((cells) => cells.some((c) => c.trim() !== "")).length;
  if (nonEmpty === 0) throw invalid([{ path: `${path}[1]`, message: "At least one data row is required" }], "The merge has no data rows");
  if (nonEmpty > MAX_MERGE_ROWS) {
    throw new ApiError("payload_too_large", {
      detail: `The merge has ${nonEmpty} rows; a request may merge at most ${MAX_MERGE_ROWS} rows (split larger lists into several merges)`,
      errors: [{ path, message: `At most ${MAX_MERGE_ROWS} data rows` }],
    });
  }

  const rows: MergeRow[] = [];
  const errors: RowError[] = [];
  const groupErrors: FieldError[] = [];
  data.forEach((cells, index) => {
    const row = index + 1;
    if (cells.every((c) => c.trim() === "")) return;
    if (cells.length !== columns.length) {
      errors.push({ row, column: null, path: `${path}[${row}]`, message: `${cells.length} cells; the header has ${columns.length}` });
      return;
    }
    const merged: MergeRow = { row, recipients: {}, params: {} };
    columns.forEach((name, col) => {
      const cell = cells[col]!;
      if (name === "to" || name === "cc" || name === "bcc") {
        const values = splitRecipients(cell);
        // Groups address many people in one message; a merge is one message per row.
        if (values.some((v) => v.toLowerCase().startsWith("group:"))) groupErrors.push({ path: `${path}[${row}][${col}]`, message: "A merge cell cannot name a group" });
        merged.recipients[name] = values;
      } else if (cell !== "") {
        // A blank cell gives no value, so the request's params (and the cascade beneath) apply.
        merged.params[name] = cell;
      }
    });
    if ((merged.recipients.to ?? []).length === 0) {
      errors.push({ row, column: "to", path: `${path}[${row}][${columns.indexOf("to")}]`, message: "No recipient in the to column" });
      return;
    }
    rows.push(merged);
  });
  if (groupErrors.length > 0) throw invalid(groupErrors, "mergeArray cannot be combined with recipient groups");
  const recipients = rows.reduce((n, r) => n + (r.recipients.to?.length ?? 0) + (r.recipients.cc?.length ?? 0) + (r.recipients.bcc?.length ?? 0), 0);
  if (recipients > MAX_MERGE_RECIPIENTS) {
    throw new ApiError("payload_too_large", {
      detail: `The merge addresses ${recipients} recipients; a request may merge at most ${MAX_MERGE_RECIPIENTS} recipients (split larger lists into several merges)`,
      errors: [{ path, message: `At most ${MAX_MERGE_RECIPIENTS} recipients in all` }],
    });
  }
  return { columns, rows, errors };
}

/**
 * The row as a request layer over the channel's own: its recipient columns replace the inherited
 * lists, its cells win over every params layer. Paths point at the row's cells, so whatever a
 * value breaks is reported at `recipients.mergeArray[row][column]`.
 */
export function rowLayer(merge: ParsedMerge, row: MergeRow, path: string): ChannelLayer {
  const cellPath = (column: string) => {
    const col = merge.columns.indexOf(column);
    return col >= 0 ? `${path}[${row.row}][${col}]` : `${path}[${row.row}]`;
  };
  return {
    source: "request",
    mode: "override",
    value: { recipients: row.recipients, params: row.params },
    pathOf: (leaf) => {
      const recipient = /^recipients\.(to|cc|bcc)\b/.exec(leaf);
      if (recipient) return cellPath(recipient[1]!);
      if (leaf.startsWith("params.")) return cellPath(leaf.slice("params.".length).split(/[.[]/)[0]!);
      return `${path}[${row.row}]`;
    },
  };
}

/**
 * Reads a planner's path back as a row error when it points into the row (`…mergeArray[3][1]`,
 * or `…mergeArray[3].name` for a parameter no column gives); null for a request-wide problem.
 */
export function toRowError(merge: ParsedMerge, row: number, path: string, error: FieldError): RowError | null {
  const prefix = `${path}[${row}]`;
  if (!error.path.startsWith(prefix)) return null;
  const rest = error.path.slice(prefix.length);
  const cell = /^\[(\d+)\]/.exec(rest);
  // The cell, not the address inside it: `[2][0][1]` (a cell's second address) is reported at `[2][0]`.
  if (cell) return { path: `${prefix}${cell[0]}`, message: error.message, row, column: merge.columns[Number(cell[1])] ?? null };
  const param = /^\.([^.[]+)/.exec(rest);
  if (param) {
    const col = merge.columns.indexOf(param[1]!);
    return { path: col >= 0 ? `${prefix}[${col}]` : error.path, message: error.message, row, column: param[1]! };
  }
  return { ...error, row, column: null };
}
