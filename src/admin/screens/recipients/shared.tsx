import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { permits } from "../../../middleware/auth";
import type { AdminEnv } from "../../env";
import type { GroupMember } from "../../../db/schema";
import { hasUnsafeText } from "../../../lib/display-name";
import { ApiError } from "../../../lib/errors/api-error";
import { AdminPageError } from "../../errors";
import type { FormError } from "../../layout";

/** UUIDs only: anything else cannot be a group or a suppression, and is a 404 before any read. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that can name a row, else the 404 page (another tenant's ids are the services' 404s). */
export function idParam(value: string): string {
  if (!UUID.test(value)) throw new AdminPageError(404);
  return value.toLowerCase();
}

/** A form value as a string, cut at `max` (every input is bounded); files and repeats are "". */
export function formString(form: Record<string, unknown>, name: string, max: number): string {
  const value = form[name];
  return typeof value === "string" ? value.slice(0, max) : "";
}

/** Whether the signed-in user may change things (the API's `manage`, by the same rule), to offer the links. */
export function canManage(c: Context<AdminEnv>): boolean {
  const admin = c.get("admin");
  return !!admin && admin.kind === "user" && permits(admin, "manage");
}

/** The three Recipients screens' own navigation, under the page heading. */
export function RecipientsNav({ current }: { current: "groups" | "suppressions" | "guest-list" }) {
  const items = [
    { key: "groups", href: "/admin/recipients/groups", label: "Groups" },
    { key: "suppressions", href: "/admin/recipients/suppressions", label: "Suppressions" },
    { key: "guest-list", href: "/admin/recipients/guest-list", label: "Guest list" },
  ] as const;
  return (
    <nav aria-label="Recipients">
      <ul class="filter-links">
        {items.map((i) => (
          <li>
            <a href={i.href} aria-current={i.key === current ? "page" : undefined}>
              {i.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A summary list row (GOV.UK's summary list). */
export function Row({ label, children }: { label: string; children?: Child }) {
  return (
    <div class="summary-list__row">
      <dt class="summary-list__key">{label}</dt>
      <dd class="summary-list__value">{children}</dd>
    </div>
  );
}

/**
 * A service's 400/409/422 ApiError as form errors, its field paths mapped by `fieldOf` (null: the
 * fallback field); anything else (a 404 for another tenant's id, a 403, a 500) is rethrown for the
 * error page.
 */
export function apiFormErrors(err: unknown, fallback: string, fieldOf: (path: string, message: string) => FormError | null): FormError[] {
  if (!(err instanceof ApiError) || ![400, 409, 422].includes(err.status)) throw err;
  const errors = (err.errors ?? []).map((e) => fieldOf(e.path ?? "", e.message) ?? { field: fallback, message: e.message });
  if (errors.length === 0) errors.push({ field: fallback, message: err.detail ?? "This could not be saved" });
  return errors;
}

/** Members a group form may hold; the service's MAX_GROUP_MEMBERS is checked by line count first. */
export const MAX_LINE_CHARS = 600;

/** A member line's text marking the member as opted out (kept in the group, skipped by sends). */
const OPTED_OUT = /^opted[ -]?out$/i;
const PHONE_LIKE = /^\+?[\d\s().-]{3,40}$/;

export interface ParsedMembers {
  members: GroupMember[];
  /** The 1-based line of each member, for errors naming the line. */
  lines: number[];
  errors: FormError[];
}

/** One part of a member line; a quoted part is always the name, whatever it looks like. */
interface LinePart {
  text: string;
  quoted: boolean;
}

/**
 * Splits a member line at its commas. A part in double quotes (`"Smith, John"`, a quote inside
 * written twice) is taken whole, commas included; elsewhere quotes are ordinary characters.
 */
function splitMemberLine(line: string): LinePart[] | string {
  const parts: LinePart[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && (line[i] === " " || line[i] === "\t")) i++;
    if (line[i] === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= line.length) return "has a quote that is not closed";
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += line[i++];
      }
      while (i < line.length && (line[i] === " " || line[i] === "\t")) i++;
      if (i < line.length && line[i] !== ",") return "has text after a closing quote: put the whole name in the quotes";
      parts.push({ text, quoted: true });
    } else {
      const comma = line.indexOf(",", i);
      const end = comma === -1 ? line.length : comma;
      parts.push({ text: line.slice(i, end).trim(), quoted: false });
      i = end;
    }
    if (i >= line.length) return parts;
    i++; // the comma
  }
}

/**
 * Reads the members textarea: one member a line, its parts separated by commas: a name, an email
 * address (has `@`), a phone number (digits, spaces, `+ ( ) - .`) and `opted out`, in any order,
 * each at most once. A name in double quotes is a name whatever it holds (commas, `@`, digits, the
 * words "opted out"). Blank lines are skipped. Addresses and numbers are left for the group
 * service to validate and normalise.
 *
 * @example
 * ```ts
 * parseMembers("Ann Approver, ann@example.gov, +1 778 700 1234\nbob@example.gov, opted out", "members")
 * // members: [{ name: "Ann Approver", email: "ann@example.gov", phone: "+1 778 700 1234" }, { email: "bob@example.gov", optedOut: true }], lines: [1, 2]
 * parseMembers('"Smith, John", john@example.gov', "members").members // [{ name: "Smith, John", email: "john@example.gov" }]
 * ```
 */
export function parseMembers(text: string, field: string): ParsedMembers {
  const members: GroupMember[] = [];
  const lines: number[] = [];
  const errors: FormError[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const at = i + 1;
    if (line.trim() === "") return;
    if (line.length > MAX_LINE_CHARS) {
      errors.push({ field, message: `Line ${at}: is longer than ${MAX_LINE_CHARS} characters` });
      return;
    }
    const parts = splitMemberLine(line);
    if (typeof parts === "string") {
      errors.push({ field, message: `Line ${at}: ${parts}` });
      return;
    }
    const member: GroupMember = {};
    const problems: string[] = [];
    for (const { text: part, quoted } of parts) {
      if (part === "") continue;
      const kind = quoted ? "name" : OPTED_OUT.test(part) ? "optedOut" : part.includes("@") ? "email" : PHONE_LIKE.test(part) ? "phone" : "name";
      if (kind === "optedOut") member.optedOut = true;
      else if (member[kind] !== undefined) problems.push(`has more than one ${kind === "name" ? "name" : kind === "email" ? "email address" : "phone number"}`);
      else if (kind === "name" && (part.length > 200 || hasUnsafeText(part))) problems.push("the name must be at most 200 characters, without control characters");
      else member[kind] = part;
    }
    if (member.email === undefined && member.phone === undefined && problems.length === 0) problems.push("needs an email address or a phone number");
    if (problems.length > 0) errors.push({ field, message: `Line ${at}: ${problems.join("; ")}` });
    else {
      members.push(member);
      lines.push(at);
    }
  });
  return { members, lines, errors };
}

/** A name as a line part: quoted when unquoted it would read as something else (or not as one part). */
function namePart(name: string): string {
  const plain = name.trim() === name && name !== "" && !/[,"]/.test(name) && !OPTED_OUT.test(name) && !name.includes("@") && !PHONE_LIKE.test(name);
  return plain ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * Members as the textarea shows them, one a line: the inverse of `parseMembers`, so saving the
 * form unchanged keeps every member as it was (a name that reads as an address, a number or
 * "opted out", or holds a comma, is quoted).
 *
 * @example
 * ```ts
 * formatMembers([{ name: "Ann", email: "ann@example.gov", optedOut: true }]) // "Ann, ann@example.gov, opted out"
 * formatMembers([{ name: "+1 555 0100", email: "desk@example.gov" }]) // '"+1 555 0100", desk@example.gov'
 * ```
 */
export function formatMembers(members: GroupMember[]): string {
  return members.map((m) => [m.name === undefined ? undefined : namePart(m.name), m.email, m.phone, m.optedOut ? "opted out" : undefined].filter((p) => p !== undefined).join(", ")).join("\n");
}

/** The line a service's `members[i]…` error is about, from the parsed lines; null when it names no member. */
export function memberLineOf(path: string, lines: number[]): number | null {
  const match = /^members\[(\d+)\]/.exec(path);
  if (!match) return null;
  return lines[Number(match[1])] ?? null;
}
