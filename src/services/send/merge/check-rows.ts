import type { CountryCode } from "libphonenumber-js/max";
import { guestEmailKey, readGuestList } from "../../guest-list/guest-list";
import { validateEmailAddress } from "../../recipients/email";
import { normalisePhoneNumber } from "../../recipients/phone";
import { requiredParams } from "../../render/engine";
import { toRenderer } from "../../render/renderer";
import type { ResolvedChannel } from "../../resolve/cascade";
import type { SendContext } from "../context";
import { defaultRegion, templateFor } from "../defaults";
import { guestListRestriction } from "../guest-list-check";
import type { MergeChannel, MergeRow, ParsedMerge, RowError } from "./merge-array";

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

/** A dotted parameter name (`person.name`) is given when the path leads to a value that is not null. */
function given(params: Record<string, unknown>, name: string): boolean {
  let value: unknown = params;
  for (const part of name.split(".")) {
    if (value === null || typeof value !== "object") return false;
    value = (value as Record<string, unknown>)[part];
  }
  return value !== undefined && value !== null;
}

/** The parameters the channel's content needs: the template's, or the inline subject's and body's. */
async function neededParams(ctx: SendContext, channel: MergeChannel, base: ResolvedChannel): Promise<string[]> {
  const template = await templateFor(ctx, base, channel);
  const content = base.subtree("content") as { subject?: string; body?: string; renderer?: string };
  const renderer = toRenderer(content.renderer ?? template?.version.renderer ?? "mustache");
  const sources = template
    ? [template.version.subject ?? "", template.version.body ?? ""].map((t) => ({ text: t, renderer: toRenderer(template.version.renderer) }))
    : [content.subject ?? "", content.body ?? ""].map((t) => ({ text: t, renderer }));
  return [...new Set(sources.flatMap((s) => requiredParams(s.text, s.renderer)))];
}

/**
 * The up-front check of a merge too large to render in the request (send.ts FANOUT_MIN_ROWS):
 * every row's recipients must be valid addresses or numbers, every parameter the content needs
 * must come from the row or the request (and the cascade beneath it), and team keys and trial
 * tenants may address only the guest list. This is linear and cheap (no rendering), so 50,000
 * rows are checked within the request; the first row is planned in full beforehand, which
 * catches every problem of the request as a whole (sender, template, content). Rendering each
 * row happens in the fan-out, where a row that still fails becomes a failed message.
 *
 * @example
 * ```ts
 * const checked = await checkMergeRows(ctx, "sms", resolvedWithoutRows, parsed, "sms.recipients.mergeArray");
 * checked.errors // [{ row: 3, column: "to", path: "sms.recipients.mergeArray[3][0]", message: "Not a valid phone number: 12" }]
 * ```
 */
export async function checkMergeRows(ctx: SendContext, channel: MergeChannel, base: ResolvedChannel, merge: ParsedMerge, path: string): Promise<CheckedRows> {
  const needed = await neededParams(ctx, channel, base);
  const baseParams = base.params();
  const missingEverywhere = needed.filter((name) => !given(baseParams, name));
  const region: CountryCode = defaultRegion(ctx);
  const restriction = guestListRestriction(ctx);
  const guests = restriction ? await readGuestList(ctx) : null;
  const guestEmails = new Set(guests?.emails ?? []);
  const guestPhones = new Set(guests?.phones ?? []);

  const errors: RowError[] = [...merge.errors];
  const rows: MergeRow[] = [];
  const addresses: string[][] = [];
  let recipients = 0;
  const notAllowed: RowError[] = [];
  for (const row of merge.rows) {
    const rowErrors: RowError[] = [];
    const offList: RowError[] = [];
    const seen = new Set<string>();
    for (const role of ["to", "cc", "bcc"] as const) {
      const cells = row.recipients[role];
      if (!cells) continue;
      const col = merge.columns.indexOf(role);
      const at = `${path}[${row.row}][${col}]`;
      for (const value of cells) {
        // A cell that is itself a template ({{…}}) is rendered, and so checked, in the fan-out.
        if (value.includes("{{")) continue;
        let key: string;
        if (channel === "email") {
          const result = validateEmailAddress(value);
          if (!result.ok) {
            rowErrors.push({ row: row.row, column: role, path: at, message: `${result.message}: ${value}` });
            continue;
          }
          key = result.address.toLowerCase();
          if (guests && !guestEmails.has(guestEmailKey(result.address))) offList.push({ row: row.row, column: role, path: at, message: `${result.address} is not on your guest list (${restriction})` });
        } else {
          const result = normalisePhoneNumber(value, region);
          if (!result.ok) {
            rowErrors.push({ row: row.row, column: role, path: at, message: `${result.message}: ${value}` });
            continue;
          }
          key = result.e164;
          if (guests && !guestPhones.has(result.e164)) offList.push({ row: row.row, column: role, path: at, message: `${result.e164} is not on your guest list (${restriction})` });
        }
        if (!seen.has(key)) seen.add(key);
      }
    }
    for (const name of missingEverywhere) {
      if (given(row.params, name)) continue;
      const col = merge.columns.indexOf(name.split(".")[0]!);
      rowErrors.push({ row: row.row, column: name, path: col >= 0 ? `${path}[${row.row}][${col}]` : `${path}[${row.row}].${name}`, message: "Required by the template but not supplied" });
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
