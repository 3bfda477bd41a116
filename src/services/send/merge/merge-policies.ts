import { ApiError } from "../../../lib/errors/api-error";
import { MAX_PROBLEM_ERRORS } from "../../../lib/errors/problem";
import { guestEmailKey, readGuestList } from "../../guest-list/guest-list";
import type { SuppressedRecipient } from "../../suppressions/apply";
import type { SendContext } from "../context";
import { guestListRestriction } from "../guest-list-check";
import type { Plan, SendRequest } from "../plan";
import { type RowError, toRowError } from "./merge-array";

/**
 * Team keys and trial tenants may address only the guest list. A merge that asked to skip
 * invalid rows loses the rows addressing anyone else (counted as `notAllowed` and listed with
 * the skipped rows); a merge that did not is left whole, so the guest-list check refuses it as it
 * refuses any send.
 *
 * @example
 * ```ts
 * const plan = await skipRowsOffGuestList(ctx, request, await planRequest(ctx, request));
 * await assertRecipientsAllowed(ctx, plan); // nothing left to refuse in a skipping merge
 * ```
 */
export async function skipRowsOffGuestList(ctx: SendContext, request: SendRequest, plan: Plan): Promise<Plan> {
  const restriction = guestListRestriction(ctx);
  // A fanned-out merge's rows were held to the guest list by its up-front check (check-rows.ts).
  const skipping = (["email", "sms"] as const).filter((name) => request.channels[name]?.merge?.skipInvalidRows && plan.merge?.[name] && !plan.fanout?.[name]);
  if (!restriction || skipping.length === 0) return plan;
  const list = await readGuestList(ctx);
  const emails = new Set(list.emails);
  const phones = new Set(list.phones);
  const merge = { ...plan.merge };
  let deliveries = plan.deliveries;
  for (const name of skipping) {
    const mergeRequest = request.channels[name]!.merge!;
    const errors: RowError[] = [];
    for (const d of deliveries) {
      if (d.channel !== name || d.mergeRow === undefined || d.failed) continue;
      for (const r of d.recipients) {
        const allowed = name === "email" ? emails.has(guestEmailKey(r.address)) : phones.has(r.address);
        if (allowed) continue;
        const message = `${r.address} is not on your guest list (${restriction})`;
        errors.push(toRowError(mergeRequest.parsed, d.mergeRow, mergeRequest.path, { path: r.path ?? mergeRequest.path, message }) ?? { row: d.mergeRow, column: null, path: mergeRequest.path, message });
      }
    }
    if (errors.length === 0) continue;
    const refused = new Set(errors.map((e) => e.row));
    deliveries = deliveries.filter((d) => d.channel !== name || d.mergeRow === undefined || !refused.has(d.mergeRow));
    const summary = merge[name]!;
    const all = [...summary.errors, ...errors].sort((a, b) => a.row - b.row);
    merge[name] = {
      ...summary,
      sent: summary.sent - refused.size,
      skipped: summary.skipped + refused.size,
      notAllowed: refused.size,
      errors: all.slice(0, MAX_PROBLEM_ERRORS),
    };
  }
  if (deliveries.length === 0) {
    const errors = skipping.flatMap((name) => merge[name]?.errors ?? []);
    throw new ApiError("unprocessable", { detail: "No row of the merge can be sent: every row was skipped", errors });
  }
  return { ...plan, deliveries, merge };
}

/**
 * The merge summaries once the suppression list has been applied: how many recipients of each
 * merge it removed, and how many rows still have a message to send.
 */
export function finishMergeSummaries(plan: Plan, suppressed: SuppressedRecipient[]): Plan {
  if (!plan.merge) return plan;
  const merge = { ...plan.merge };
  for (const name of ["email", "sms"] as const) {
    const summary = merge[name];
    // A fanned-out merge's summary already counts its rows; its suppressions are counted by send.ts.
    if (!summary || plan.fanout?.[name]) continue;
    const sent = new Set(plan.deliveries.filter((d) => d.channel === name && d.mergeRow !== undefined).map((d) => d.mergeRow)).size;
    // A merge's cells are at `…mergeArray[r][c]`, or `file[r][c]` when it came as a CSV file.
    merge[name] = { ...summary, sent, suppressed: suppressed.filter((s) => s.channel === name && (s.path?.includes("mergeArray[") || s.path?.startsWith("file["))).length };
  }
  return { ...plan, merge };
}
