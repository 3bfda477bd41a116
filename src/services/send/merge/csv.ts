import { CsvError, parse } from "csv-parse/sync";
import { ApiError } from "../../../lib/errors/api-error";
import { MAX_MERGE_CELL_CHARS, MAX_MERGE_COLUMNS } from "./merge-array";

/** A merge file's size: far above what MAX_MERGE_ROWS rows need, far below what could hold the Worker. */
export const MAX_CSV_BYTES = 12 * 1024 * 1024;

/**
 * Reads a mail-merge CSV (RFC 4180 as spreadsheets write it: quoted fields with embedded commas,
 * quotes and newlines, a UTF-8 BOM, CRLF or LF line ends) into the rows of a `mergeArray`. A blank
 * line stays a blank row, so row numbers count records as written; the merge skips blank rows.
 * A file that cannot be read as CSV is a 400 at `path` naming the line.
 *
 * @example
 * ```ts
 * parseMergeCsv('\uFEFFemail address,name\r\nann@example.com,"Ann, Jr."\r\n', "file")
 * // [["email address", "name"], ["ann@example.com", "Ann, Jr."]]
 * ```
 */
export function parseMergeCsv(text: string, path: string): string[][] {
  const refuse = (message: string) => new ApiError("invalid_request", { detail: `The CSV file cannot be read: ${message}`, errors: [{ path, message }] });
  if (text.includes("\u0000")) throw refuse("A CSV file is text; this one holds NUL bytes");
  let table: string[][];
  try {
    table = parse(text, {
      bom: true,
      // A row of the wrong length is the merge's row error (with its row number), not a parse failure.
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: MAX_MERGE_CELL_CHARS * MAX_MERGE_COLUMNS,
    }) as string[][];
  } catch (err) {
    if (err instanceof CsvError) throw refuse(err.message);
    throw err;
  }
  const wide = table.findIndex((row) => row.length > MAX_MERGE_COLUMNS);
  if (wide !== -1) throw refuse(`Record ${wide} has ${table[wide]!.length} fields; at most ${MAX_MERGE_COLUMNS}`);
  const long = table.findIndex((row) => row.some((cell) => cell.length > MAX_MERGE_CELL_CHARS));
  if (long !== -1) throw refuse(`Record ${long} has a field of more than ${MAX_MERGE_CELL_CHARS} characters`);
  return table;
}

/**
 * A part of an upload as text: a plain form field or a file part, at most `maxBytes` (413 past
 * it) and UTF-8 (a BOM is fine).
 *
 * @example
 * ```ts
 * const rows = parseMergeCsv(await readTextPart(form.file, "file", MAX_CSV_BYTES), "file");
 * ```
 */
export async function readTextPart(value: unknown, path: string, maxBytes: number): Promise<string> {
  if (value === undefined) throw new ApiError("invalid_request", { detail: `The ${path} part is required`, errors: [{ path, message: "Required" }] });
  if (typeof value !== "string" && !(value instanceof Blob)) throw new ApiError("invalid_request", { detail: `Give the ${path} part once`, errors: [{ path, message: "Give this part once" }] });
  const size = typeof value === "string" ? new TextEncoder().encode(value).byteLength : value.size;
  if (size > maxBytes) {
    throw new ApiError("payload_too_large", { detail: `The ${path} part is ${size} bytes; at most ${maxBytes}`, errors: [{ path, message: `At most ${maxBytes} bytes` }] });
  }
  if (typeof value === "string") return value;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await value.arrayBuffer());
  } catch {
    throw new ApiError("invalid_request", { detail: `The ${path} part must be UTF-8`, errors: [{ path, message: "Not valid UTF-8" }] });
  }
}
