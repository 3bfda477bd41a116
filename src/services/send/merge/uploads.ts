import type { Env } from "../../../env";
import { toHex } from "../../../lib/crypto/encoding";
import { ApiError, fieldError } from "../../../lib/errors/api-error";
import { MAX_PROBLEM_ERRORS } from "../../../lib/errors/problem";
import type { ServiceContext } from "../../context";
import type { EmailPayload, SmsPayload } from "../payloads";
import { adminSendKey, sentUnderKey, sendUnderKey } from "../keyed-send";
import { previewSend } from "../send";
import type { SendRequest } from "../plan";
import { MAX_CSV_BYTES, parseMergeCsv, readTextPart } from "./csv";
import { MAX_MERGE_ROWS, type MergeChannel } from "./merge-array";
import type { MergeSummary } from "./plan-merge";
import { fromMergeUpload } from "./upload";

/**
 * Mail-merge files the admin UI keeps between its steps (check → preview a row → send): the CSV
 * as uploaded, in R2 under the tenant's prefix, so another tenant's id is simply not found. Each
 * step reads the file and hands it to the same services as `POST /api/v1/notifysimple` with a
 * CSV (`fromMergeUpload`, `previewSend`, `sendNotification`); nothing here decides what a merge
 * may send.
 */

/** R2 prefix of every upload (`merge-uploads/<tenantId>/<id>`); the cron sweeps it. */
export const MERGE_UPLOAD_PREFIX = "merge-uploads/";
/** An upload is kept a day: long enough to fix and send, as long as its send's idempotency key is replayed. */
export const MERGE_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** Objects looked at per cron run (R2 lists 1,000 a call). */
export const MERGE_UPLOADS_SWEPT_PER_RUN = 5_000;
/** Row errors a download lists: every row of the largest merge with one error in each of ten cells. */
export const MAX_ERROR_LINES = MAX_MERGE_ROWS * 10;
const MAX_FILE_NAME = 200;
const UPLOAD_ID = /^[0-9a-f]{32}$/;

export interface MergeUpload {
  id: string;
  templateId: string;
  channel: MergeChannel;
  fileName: string;
  /** Records after the header (blank lines included). */
  rows: number;
  uploadedAt: Date;
  text: string;
}

/** A row problem as the screens show it: `row` counts data rows from 1, `column` the header's name. */
export interface MergeRowError {
  row: number | null;
  column: string | null;
  message: string;
}

export interface MergeCheck {
  /** Data rows (blank rows not counted). */
  rows: number;
  /** Rows that would be sent. */
  sendable: number;
  suppressed: number;
  notAllowed: number;
  /** The first MAX_PROBLEM_ERRORS row errors, in row order. */
  errors: MergeRowError[];
  errorsTotal: number;
  /** Problems of the request as a whole (the template, every recipient suppressed…); nothing can be sent. */
  problems: string[];
}

/**
 * A file name as pages and the audit log show it: the browser's name without control, bidi or
 * other format characters (an RLO would make `gpj.exe` read as `exe.jpg`), bounded in length.
 */
function shownFileName(name: string): string {
  return name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "").trim().slice(0, MAX_FILE_NAME) || "upload.csv";
}

function objectKey(tenantId: string, id: string): string {
  return `${MERGE_UPLOAD_PREFIX}${tenantId}/${id}`;
}

/**
 * Stores an uploaded CSV for `templateId` after the checks that need no template: at most
 * MAX_CSV_BYTES (413), UTF-8, readable as CSV, a header and at most MAX_MERGE_ROWS records after
 * it (413). Each is an ApiError at `file`, as the API reports it. Answers the upload's random id.
 *
 * @example
 * ```ts
 * const { id } = await storeMergeUpload(ctx, { templateId, channel: "email", fileName: "people.csv", file });
 * ```
 */
export async function storeMergeUpload(ctx: ServiceContext, input: { templateId: string; channel: MergeChannel; fileName: string; file: unknown }): Promise<{ id: string; rows: number }> {
  if (input.file === undefined || input.file === "" || (input.file instanceof Blob && input.file.size === 0)) throw fieldError("invalid_request", "file", "Choose a CSV file");
  const text = await readTextPart(input.file, "file", MAX_CSV_BYTES);
  const table = parseMergeCsv(text, "file");
  if (table.length < 2) throw fieldError("invalid_request", "file", "The file needs a header row and at least one row below it");
  const rows = table.length - 1;
  if (rows > MAX_MERGE_ROWS) throw fieldError("payload_too_large", "file", `The file has ${rows} rows; a merge has at most ${MAX_MERGE_ROWS}`);
  const id = toHex(crypto.getRandomValues(new Uint8Array(16)));
  await ctx.env.BUCKET.put(objectKey(ctx.tenant.id, id), text, {
    httpMetadata: { contentType: "text/csv; charset=utf-8" },
    customMetadata: { templateId: input.templateId, channel: input.channel, fileName: shownFileName(input.fileName), rows: String(rows), uploadedAt: ctx.now.toISOString() },
  });
  return { id, rows };
}

/**
 * The tenant's upload `id`; 404 when it is unknown, expired or another tenant's (the key holds
 * the tenant, so those cannot be told apart).
 *
 * @example
 * ```ts
 * const upload = await getMergeUpload(ctx, c.req.param("uploadId"));
 * ```
 */
export async function getMergeUpload(ctx: ServiceContext, id: string): Promise<MergeUpload> {
  const notFound = () => new ApiError("not_found", { detail: "No such upload: it may have expired. Upload the file again." });
  if (!UPLOAD_ID.test(id)) throw notFound();
  const object = await ctx.env.BUCKET.get(objectKey(ctx.tenant.id, id));
  if (!object) throw notFound();
  const meta = object.customMetadata ?? {};
  const uploadedAt = new Date(meta.uploadedAt ?? object.uploaded);
  if (ctx.now.getTime() - uploadedAt.getTime() > MERGE_UPLOAD_TTL_MS) {
    await object.body.cancel();
    throw notFound();
  }
  const channel = meta.channel === "sms" ? "sms" : "email";
  return { id, templateId: meta.templateId ?? "", channel, fileName: meta.fileName ?? "", rows: Number(meta.rows ?? 0), uploadedAt, text: await object.text() };
}

/** Deletes the tenant's upload (sent, or abandoned by its user); unknown ids are ignored. */
export async function deleteMergeUpload(ctx: ServiceContext, id: string): Promise<void> {
  if (UPLOAD_ID.test(id)) await ctx.env.BUCKET.delete(objectKey(ctx.tenant.id, id));
}

/**
 * The cron's part: deletes uploads older than MERGE_UPLOAD_TTL_MS (files checked and never sent).
 * Looks at up to `limit` objects a run; answers how many it deleted.
 *
 * @example
 * ```ts
 * const swept = await sweepMergeUploads(env, new Date(controller.scheduledTime));
 * ```
 */
export async function sweepMergeUploads(env: Pick<Env, "BUCKET">, now: Date, limit = MERGE_UPLOADS_SWEPT_PER_RUN): Promise<number> {
  let cursor: string | undefined;
  let seen = 0;
  let deleted = 0;
  do {
    const page = await env.BUCKET.list({ prefix: MERGE_UPLOAD_PREFIX, limit: 1000, ...(cursor ? { cursor } : {}) });
    seen += page.objects.length;
    const stale = page.objects.filter((o) => now.getTime() - o.uploaded.getTime() > MERGE_UPLOAD_TTL_MS).map((o) => o.key);
    if (stale.length > 0) await env.BUCKET.delete(stale);
    deleted += stale.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor && seen < limit);
  return deleted;
}

/**
 * The API's own request for an upload: the `/notifysimple` JSON a client would post with the
 * file (the template as content, optionally `delayedSend`), read by `fromMergeUpload`.
 */
export async function mergeRequestOf(upload: Pick<MergeUpload, "templateId" | "channel" | "text">, options: { skipInvalidRows?: boolean; delayedSend?: string; text?: string } = {}): Promise<SendRequest> {
  const channel = { content: { templateId: upload.templateId }, ...(options.skipInvalidRows ? { recipients: { skipInvalidRows: true } } : {}) };
  const body = { [upload.channel]: channel, ...(options.delayedSend !== undefined ? { delayedSend: options.delayedSend } : {}) };
  return fromMergeUpload({ request: JSON.stringify(body), file: options.text ?? upload.text, channel: upload.channel });
}

const CELL_PATH = /^file\[(\d+)\](?:\[(\d+)\])?/;

/** A send-path error as a row error when it names a row of the file (`file[3][0]`), else null. */
function rowErrorOf(error: { path?: string; message: string; row?: unknown; column?: unknown }, header: string[]): MergeRowError | null {
  if (typeof error.row === "number") return { row: error.row, column: typeof error.column === "string" ? error.column : null, message: error.message };
  const match = CELL_PATH.exec(error.path ?? "");
  if (!match) return null;
  return { row: Number(match[1]), column: match[2] !== undefined ? (header[Number(match[2])] ?? null) : null, message: error.message };
}

function problemText(error: { path?: string; message: string }): string {
  return error.path && error.path !== "file" && !error.path.startsWith("(") ? `${error.path}: ${error.message}` : error.message;
}

/** Splits a refusal of the send path into row errors and problems of the whole; rethrows anything that is not a 400/413/422. */
function splitRefusal(err: unknown, header: string[]): { rowErrors: MergeRowError[]; problems: string[] } {
  if (!(err instanceof ApiError) || ![400, 413, 422].includes(err.status)) throw err;
  const rowErrors: MergeRowError[] = [];
  const problems: string[] = [];
  for (const e of err.errors?.length ? err.errors : [{ path: "file", message: err.detail ?? err.message }]) {
    const row = rowErrorOf(e as { path?: string; message: string }, header);
    if (row) rowErrors.push(row);
    else problems.push(problemText(e));
  }
  if (rowErrors.length === 0 && problems.length === 0) problems.push(err.detail ?? err.message);
  return { rowErrors, problems };
}

function headerOf(text: string): string[] {
  return parseMergeCsv(text, "file")[0] ?? [];
}

/** Data rows as the merge counts them: records after the header with a cell that is not blank. */
function dataRows(text: string): number {
  return parseMergeCsv(text, "file")
    .slice(1)
    .filter((row) => row.some((cell) => cell.trim() !== "")).length;
}

/**
 * Every row error of an upload, as the API's 422 lists them (it answers the first 100): the
 * merge checked without skipping, through `previewSend`. Empty when every row can be sent.
 */
export async function mergeRowErrors(ctx: ServiceContext, upload: MergeUpload): Promise<{ errors: MergeRowError[]; problems: string[] }> {
  try {
    await previewSend(ctx, await mergeRequestOf(upload), { previewRows: 1 });
    return { errors: [], problems: [] };
  } catch (err) {
    const split = splitRefusal(err, headerOf(upload.text));
    return { errors: split.rowErrors.slice(0, MAX_ERROR_LINES), problems: split.problems };
  }
}

/**
 * The check the merge screen shows: the merge previewed with `skipInvalidRows` (so the counts of
 * sendable, suppressed and not-allowed rows come from the send path's own summary), and, when
 * the summary's first 100 row errors are not all of them, the full list for the total.
 *
 * @example
 * ```ts
 * const check = await checkMergeUpload(ctx, upload); // { rows: 3, sendable: 2, errors: [{ row: 2, column: "to", message: "…" }], errorsTotal: 1, … }
 * ```
 */
export async function checkMergeUpload(ctx: ServiceContext, upload: MergeUpload): Promise<MergeCheck> {
  const header = headerOf(upload.text);
  let summary: MergeSummary | undefined;
  try {
    const preview = await previewSend(ctx, await mergeRequestOf(upload, { skipInvalidRows: true }), { previewRows: 1 });
    summary = preview.merge?.[upload.channel];
  } catch (err) {
    const { rowErrors, problems } = splitRefusal(err, header);
    // No row left to send: the refusal lists every row's errors.
    return { rows: dataRows(upload.text), sendable: 0, suppressed: 0, notAllowed: 0, errors: rowErrors.slice(0, MAX_PROBLEM_ERRORS), errorsTotal: rowErrors.length, problems };
  }
  if (!summary) return { rows: 0, sendable: 0, suppressed: 0, notAllowed: 0, errors: [], errorsTotal: 0, problems: ["The file gave no merge"] };
  const errors = summary.errors.map((e) => rowErrorOf(e, header) ?? { row: e.row, column: e.column, message: e.message });
  let errorsTotal = errors.length;
  if (errors.length >= MAX_PROBLEM_ERRORS) errorsTotal = Math.max(errorsTotal, (await mergeRowErrors(ctx, upload)).errors.length);
  return { rows: summary.rows, sendable: summary.sent, suppressed: summary.suppressed, notAllowed: summary.notAllowed, errors, errorsTotal, problems: [] };
}

/**
 * One row's message exactly as it would be sent: the file's header and that row (blank lines
 * before it keep its number), previewed by `previewSend`. A row with problems answers them.
 */
export async function previewMergeRow(ctx: ServiceContext, upload: MergeUpload, row: number): Promise<{ message: EmailPayload | SmsPayload } | { errors: MergeRowError[]; problems: string[] }> {
  const table = parseMergeCsv(upload.text, "file");
  if (!Number.isInteger(row) || row < 1 || row >= table.length) throw fieldError("invalid_request", "row", `Enter a row number from 1 to ${table.length - 1}`);
  // Written back as read: no formula escaping, which would change the cells the merge reads.
  const text = `${csvText([table[0]!], false)}${"\r\n".repeat(row - 1)}${csvText([table[row]!], false)}`;
  try {
    const preview = await previewSend(ctx, await mergeRequestOf(upload, { text }), { previewRows: 1 });
    const message = preview[upload.channel]?.[0];
    if (!message) return { errors: [], problems: ["Nothing would be sent for this row: its recipients are suppressed"] };
    return { message };
  } catch (err) {
    const { rowErrors, problems } = splitRefusal(err, table[0]!);
    return { errors: rowErrors, problems };
  }
}

/** The idempotency key of an upload's send: one upload makes one merge, however often it is posted. */
const sendKeyOf = (ctx: ServiceContext, uploadId: string) => adminSendKey(ctx, `admin-merge:${uploadId}`);

/**
 * Asks the tenant's object what became of an earlier send of the upload: its notification, or
 * null when none finished. Waits (up to about `waitMs`) while one is still running.
 */
export async function sentMergeOf(ctx: ServiceContext, uploadId: string, waitMs = 0): Promise<string | null> {
  return sentUnderKey(ctx, await sendKeyOf(ctx, uploadId), waitMs);
}

export type MergeSendResult = { kind: "sent"; notifyId: string; replayed: boolean; status: string; duplicate?: true } | { kind: "in_flight" } | { kind: "refused"; errors: MergeRowError[]; problems: string[] };

/**
 * Sends an upload through `sendNotification` (source `admin`) under the upload's own
 * Idempotency-Key (`sendUnderKey`): the same upload posted again (a double click, a retry, twenty
 * tabs) answers the first merge and sends nothing. Another upload of the same file (the same
 * messages to the same recipients) within the tenant's duplicate window is answered with the
 * earlier merge, marked `duplicate`, and sends nothing. The send does not skip invalid rows: a row
 * that has become invalid since the check refuses it. A `delayedSend` is read by the send path
 * (ISO 8601, UTC when no zone, within 30 days).
 */
export async function sendMergeUpload(ctx: ServiceContext, upload: MergeUpload, options: { delayedSend?: string } = {}): Promise<MergeSendResult> {
  const sendKey = await sendKeyOf(ctx, upload.id);
  const result = await sendUnderKey(ctx, sendKey, () => mergeRequestOf(upload, options), "admin");
  if (result.kind !== "refused") return result;
  const err = result.error;
  // A send refused before admission may still have been sent by an earlier post (its row suppressed since).
  const earlier = err instanceof ApiError && !result.keyChecked ? await sentUnderKey(ctx, sendKey) : null;
  if (earlier) return { kind: "sent", notifyId: earlier, replayed: true, status: "" };
  const { rowErrors, problems } = splitRefusal(err, headerOf(upload.text));
  return { kind: "refused", errors: rowErrors, problems };
}

/**
 * CSV text from rows (RFC 4180: cells with a comma, quote or line break quoted, quotes doubled,
 * CRLF line ends). Cells a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
 * a tab or a carriage return) get a leading `'` (OWASP's CSV injection advice), so a downloaded
 * file opens as text; `escapeFormulas: false` only for cells the service wrote itself and that
 * must read back as written (an example phone number). Hand-written: the project's CSV library
 * (csv-parse) only reads.
 *
 * @example
 * ```ts
 * toCsv([["row", "message"], [2, '=HYPERLINK("x")']]) // 'row,message\r\n2,"\'=HYPERLINK(""x"")"\r\n'
 * ```
 */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[], options: { escapeFormulas?: boolean } = {}): string {
  return csvText(rows, options.escapeFormulas ?? true);
}

function csvText(rows: readonly (readonly (string | number | null | undefined)[])[], escapeFormulas: boolean): string {
  return rows.map((row) => row.map((cell) => csvCell(cell, escapeFormulas)).join(",") + "\r\n").join("");
}

function csvCell(value: string | number | null | undefined, escapeFormulas: boolean): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (escapeFormulas && typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
