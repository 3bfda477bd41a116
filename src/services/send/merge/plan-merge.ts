import { ApiError, type FieldError } from "../../../lib/errors/api-error";
import { MAX_PROBLEM_ERRORS } from "../../../lib/errors/problem";
import { type ResolvedChannel, resolveSendChannel } from "../../resolve/cascade";
import type { ChannelLayer } from "../../resolve/layers";
import type { SendContext } from "../context";
import type { PlannedDelivery } from "../payloads";
import { type MergeChannel, type ParsedMerge, type RowError, rowLayer, toRowError } from "./merge-array";

/** A channel's merge as planRequest receives it (plan.ts ChannelRequest.merge). */
export interface MergeRequest {
  /** Where the merge was written (`email.recipients.mergeArray`, `recipients.mergeArray`, or the CSV `file`). */
  path: string;
  parsed: ParsedMerge;
  skipInvalidRows: boolean;
}

/** What a merge answers in the receipt and the preview, per channel. */
export interface MergeSummary {
  /** Data rows given (blank rows not counted). */
  rows: number;
  /** Rows planned as messages. */
  sent: number;
  /** Rows left out with skipInvalidRows: invalid, or (team keys, trial mode) addressed outside the guest list. */
  skipped: number;
  /** The first 100 row problems, in row order. */
  errors: RowError[];
  /** Recipients of the merge the suppression list removed. */
  suppressed: number;
  /** Rows skipped because a recipient is not on the guest list (team keys, trial mode). */
  notAllowed: number;
}

export interface PlannedMerge {
  deliveries: PlannedDelivery[];
  rowErrors: RowError[];
  /** Problems of the request as a whole that a row's planning met (a missing sender, broken content), once each. */
  requestErrors: { code: "invalid_request" | "unprocessable"; error: FieldError; detail?: string }[];
}

/** Plans one row's message(s) from its resolved channel; `paramsPath` is where its missing parameters are reported. */
export type PlanRow = (resolved: ResolvedChannel, paramsPath: string) => Promise<PlannedDelivery[]>;

/**
 * Each row of a merge is planned as its own send of the channel: the row's layer on top of the
 * request's, through the same resolver and planner as any send, so every rule (validation,
 * rendering and its budget, sender, limits per message) applies per row unchanged. A row's own
 * problems become row errors; anything else is a problem of the request, reported once.
 *
 * @example
 * ```ts
 * const { deliveries, rowErrors } = await planMerge(ctx, "email", channel.layers, channel.path, merge, (r, paramsPath) => planEmail(ctx, { ...input, resolved: r, paramsPath }));
 * ```
 */
export async function planMerge(ctx: SendContext, channel: MergeChannel, layers: ChannelLayer[], basePath: string, merge: MergeRequest, planRow: PlanRow): Promise<PlannedMerge> {
  const deliveries: PlannedDelivery[] = [];
  const rowErrors: RowError[] = [...merge.parsed.errors];
  const requestErrors = new Map<string, PlannedMerge["requestErrors"][number]>();
  for (const row of merge.parsed.rows) {
    const resolved = resolveSendChannel(ctx, channel, [...layers, rowLayer(merge.parsed, row, merge.path)], basePath);
    try {
      const planned = await planRow(resolved, `${merge.path}[${row.row}]`);
      // A recipient is reported at its cell (`[2][0]`), not at its place among the cell's addresses.
      const cell = (p?: string) => (p?.startsWith(`${merge.path}[${row.row}][`) ? p.replace(/^(.*\]\[\d+\])\[\d+\]$/, "$1") : p);
      deliveries.push(...planned.map((d) => ({ ...d, mergeRow: row.row, recipients: d.recipients.map((r) => ({ ...r, path: cell(r.path) })) })));
    } catch (err) {
      if (!(err instanceof ApiError) || (err.code !== "invalid_request" && err.code !== "unprocessable")) throw err;
      for (const error of err.errors ?? [{ path: basePath || "(root)", message: err.detail ?? err.message }]) {
        const rowError = toRowError(merge.parsed, row.row, merge.path, error);
        if (rowError) rowErrors.push(rowError);
        else requestErrors.set(`${error.path}\u0000${error.message}`, { code: err.code, error, detail: err.detail });
      }
    }
  }
  rowErrors.sort((a, b) => a.row - b.row);
  return { deliveries, rowErrors, requestErrors: [...requestErrors.values()] };
}

/** Distinct rows among row errors. */
export function rowsWithErrors(errors: RowError[]): number {
  return new Set(errors.map((e) => e.row)).size;
}

/**
 * The 422 of a merge whose rows are not all sendable and that did not ask to skip them: the first
 * 100 row errors (the problem's `errorsTotal` counts them all) and how many rows are at fault.
 */
export function rowErrorsProblem(path: string, rows: number, errors: RowError[], skipping = false): ApiError {
  const bad = rowsWithErrors(errors);
  const hint = skipping ? "no row is left to send" : "set skipInvalidRows to send the valid rows";
  return new ApiError("unprocessable", { detail: `${bad} of ${rows} rows of ${path} cannot be sent; nothing was sent (${hint})`, errors });
}

/** The summary a receipt or preview shows for one merge. */
export function summarize(merge: MergeRequest, sentRows: number, skipped: RowError[], extra: { suppressed?: number; notAllowed?: number } = {}): MergeSummary {
  return {
    rows: merge.parsed.rows.length + rowsWithErrors(merge.parsed.errors),
    sent: sentRows,
    skipped: rowsWithErrors(skipped),
    errors: skipped.slice(0, MAX_PROBLEM_ERRORS),
    suppressed: extra.suppressed ?? 0,
    notAllowed: extra.notAllowed ?? 0,
  };
}
