import type { CountryCode } from "libphonenumber-js/max";
import type { FieldError } from "../../../lib/errors/api-error";
import { RenderProblems } from "../../content/render-errors";
import type { GroupDirectory } from "../../groups/expand";
import { guestEmailKey, readGuestList } from "../../guest-list/guest-list";
import { requiredParams } from "../../render/engine";
import { type Renderer, toRenderer } from "../../render/renderer";
import { MAX_EMAIL_RECIPIENTS } from "../plan-email";
import { MAX_SMS_RECIPIENTS } from "../plan-sms";
import { type RecipientEntry, type RecipientSource, renderRecipientEntries, validEmailRecipients, validPhoneRecipients } from "../recipients";
import type { ResolvedChannel } from "../../resolve/cascade";
import type { SendContext } from "../context";
import { defaultRegion, templateFor } from "../defaults";
import { guestListRestriction } from "../guest-list-check";
import { type MergeChannel, type MergeRow, type ParsedMerge, type RowError, toRowError } from "./merge-array";

/** What the up-front check of a fanned-out merge found. */
export interface CheckedRows {
  /** Rows that pass, in order: these are fanned out. */
  rows: MergeRow[];
  /** Row problems (invalid recipients, missing parameters, off the guest list), in row order. */
  errors: RowError[];
  /** Recipients of the passing rows (each row's addresses, de-duplicated within the row). */
  recipients: number;
  /** Each passing row's recipients (parallel to `rows`), normalised (lower-cased addresses, E.164 numbers), for the suppression count. */
  addresses: string[][];
  /** Rows addressing someone off the guest list (team keys, trial mode), one error per such recipient. */
  notAllowed: RowError[];
}

/** A dotted parameter name (`person.name`) is given when the path leads, through own properties only, to a value that is not null. */
function given(params: Record<string, unknown>, name: string): boolean {
  let value: unknown = params;
  for (const part of name.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return false;
    value = (value as Record<string, unknown>)[part];
  }
  return value !== undefined && value !== null;
}

/**
 * The parameters the channel's content needs: the template's, or the inline subject's and body's.
 * Content that does not parse needs none here: the first row, planned in full, reports it once
 * at its own field.
 */
async function neededParams(ctx: SendContext, channel: MergeChannel, base: ResolvedChannel): Promise<{ names: string[]; renderer: Renderer }> {
  const template = await templateFor(ctx, base, channel);
  const content = base.subtree("content") as { subject?: string; body?: string; renderer?: string };
  const renderer = toRenderer(content.renderer ?? template?.version.renderer ?? "mustache");
  const sources = template
    ? [template.version.subject ?? "", template.version.body ?? ""].map((t) => ({ text: t, renderer: toRenderer(template.version.renderer) }))
    : [content.subject ?? "", content.body ?? ""].map((t) => ({ text: t, renderer }));
  try {
    return { names: [...new Set(sources.flatMap((s) => requiredParams(s.text, s.renderer)))], renderer };
  } catch {
    return { names: [], renderer };
  }
}

const ROLES = { email: ["to", "cc", "bcc"], sms: ["to"] } as const;

/**
 * The up-front check of a merge too large to render in the request (plan.ts FANOUT_MIN_ROWS).
 * Each row's recipients are worked out as the planner would: the row's recipient cells, the
 * inherited lists for recipient columns the header does not have (a tenant default `bcc`, say),
 * placeholders in either rendered with the row's values over the request's, groups expanded,
 * duplicates dropped. Then every recipient must be a valid address or number, an email may have
 * at most 50 and a text at most 50 numbers, every parameter the content needs must come from the
 * row or beneath it, and team keys and trial tenants may address only the guest list. Only
 * recipients are rendered, never the content, so 50,000 rows are checked within the request;
 * the first row is planned in full beforehand, which catches every problem of the request as a
 * whole (sender, template, content). The content of each row is rendered in the fan-out, where a
 * row that still fails (a value making its text too long) becomes a failed message.
 *
 * @example
 * ```ts
 * const checked = await checkMergeRows(ctx, "sms", resolvedWithoutRows, parsed, "sms.recipients.mergeArray", groups);
 * checked.errors // [{ row: 3, column: "to", path: "sms.recipients.mergeArray[3][0]", message: "Not a valid phone number: 12" }]
 * ```
 */
export async function checkMergeRows(ctx: SendContext, channel: MergeChannel, base: ResolvedChannel, merge: ParsedMerge, path: string, groups?: GroupDirectory): Promise<CheckedRows> {
  const { names: needed, renderer } = await neededParams(ctx, channel, base);
  const baseParams = base.params();
  const missingEverywhere = needed.filter((name) => !given(baseParams, name));
  const region: CountryCode = defaultRegion(ctx);
  const restriction = guestListRestriction(ctx);
  const guests = restriction ? await readGuestList(ctx) : null;
  const guestEmails = new Set(guests?.emails ?? []);
  const guestPhones = new Set(guests?.phones ?? []);
  const expand = groups?.expander(channel);
  const limit = channel === "email" ? MAX_EMAIL_RECIPIENTS : MAX_SMS_RECIPIENTS;
  // Lists the rows inherit, for the recipient columns the header does not have.
  const inherited = Object.fromEntries(ROLES[channel].map((role) => [role, merge.columns.includes(role) ? null : base.entries<string>(`recipients.${role}`)]));

  const errors: RowError[] = [...merge.errors];
  const rows: MergeRow[] = [];
  const addresses: string[][] = [];
  let recipients = 0;
  const notAllowed: RowError[] = [];
  for (const row of merge.rows) {
    const rowErrors: RowError[] = [];
    const offList: RowError[] = [];
    const seen = new Set<string>();
    const fieldErrors: FieldError[] = [];
    let params: Record<string, unknown> | null = null;
    const problems = new RenderProblems();
    for (const role of ROLES[channel]) {
      const col = merge.columns.indexOf(role);
      const sources: RecipientSource[] = inherited[role] ?? (row.recipients[role] ?? []).map((value) => ({ value, path: `${path}[${row.row}][${col}]` }));
      // Plain addresses are taken as written; a placeholder or a group is rendered as the planner would.
      const plain = sources.every((e) => !e.value.includes("{{") && !e.value.includes("((") && !e.value.toLowerCase().includes("group:"));
      params ??= plain ? null : { ...baseParams, ...row.params };
      const entries: RecipientEntry[] = plain ? sources : renderRecipientEntries(sources, params!, renderer, problems, expand);
      const valid = channel === "email" ? validEmailRecipients(entries, fieldErrors) : validPhoneRecipients(entries, region, fieldErrors);
      for (const { address, path: at } of valid) {
        const key = channel === "email" ? address.toLowerCase() : address;
        if (seen.has(key)) continue;
        seen.add(key);
        if (guests && !(channel === "email" ? guestEmails.has(guestEmailKey(address)) : guestPhones.has(address))) {
          offList.push(toRowError(merge, row.row, path, { path: at, message: `${address} is not on your guest list (${restriction})` }) ?? { row: row.row, column: null, path: at, message: `${address} is not on your guest list (${restriction})` });
        }
      }
    }
    const rendered = problems.toError(`${path}[${row.row}]`, channel === "email" ? "email" : "SMS");
    for (const error of [...fieldErrors, ...(rendered?.errors ?? [])]) {
      // A problem of an inherited list (a tenant default) is the request's, reported by the first row's plan.
      const rowError = toRowError(merge, row.row, path, error);
      if (rowError) rowErrors.push(rowError);
    }
    if (seen.size === 0 && rowErrors.length === 0) rowErrors.push({ row: row.row, column: "to", path: `${path}[${row.row}]`, message: "No recipient once the row is rendered" });
    if (seen.size > limit) {
      rowErrors.push({ row: row.row, column: null, path: `${path}[${row.row}]`, message: `${seen.size} recipients; ${channel === "email" ? "an email" : "a row"} may have at most ${limit}` });
    }
    for (const name of missingEverywhere) {
      if (given(row.params, name)) continue;
      const col = merge.columns.indexOf(name.split(".")[0]!);
      rowErrors.push({ row: row.row, column: name.split(".")[0]!, path: col >= 0 ? `${path}[${row.row}][${col}]` : `${path}[${row.row}].${name}`, message: "Required by the template but not supplied" });
    }
    if (rowErrors.length === 0 && offList.length > 0) {
      notAllowed.push(...offList);
      continue;
    }
    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      continue;
    }
    rows.push(row);
    recipients += seen.size;
    addresses.push([...seen]);
  }
  errors.sort((a, b) => a.row - b.row);
  return { rows, errors, recipients, addresses, notAllowed };
}
