import type { Hono } from "hono";
import { ApiError } from "../../../lib/errors/api-error";
import { audit } from "../../../services/admin-identity";
import { MAX_GUEST_LIST_ENTRIES, normaliseGuestList, readGuestList, replaceGuestList, type GuestList } from "../../../services/guest-list/guest-list";
import { defaultRegion } from "../../../services/send/defaults";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, type FormError, page, TextArea } from "../../layout";
import { requireAdmin } from "../../middleware";
import { Banner } from "../templates/shared";
import { canManage, formString, RecipientsNav } from "./shared";
import { sha256Hex } from "../../../lib/crypto/hash";

/** The API's bounds: 1000 addresses and 1000 numbers, an address at most 320 characters. */
const MAX_LINES = MAX_GUEST_LIST_ENTRIES * 2;
const MAX_ENTRY_CHARS = 320;
const MAX_TEXT = MAX_LINES * (MAX_ENTRY_CHARS + 2);

/**
 * Reads the textarea: one address (has `@`) or number a line, blank lines skipped, with the line
 * of each entry kept for errors. Validation and normalising are the service's.
 *
 * @example
 * ```ts
 * splitGuestLines("ann@example.gov\n\n+17787001234") // { list: { emails: ["ann@example.gov"], phones: ["+17787001234"] }, emailLines: [1], phoneLines: [3], errors: [] }
 * ```
 */
export function splitGuestLines(text: string): { list: GuestList; emailLines: number[]; phoneLines: number[]; errors: FormError[] } {
  const list: GuestList = { emails: [], phones: [] };
  const emailLines: number[] = [];
  const phoneLines: number[] = [];
  const errors: FormError[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    if (line.length > MAX_ENTRY_CHARS) errors.push({ field: "entries", message: `Line ${i + 1}: is longer than ${MAX_ENTRY_CHARS} characters` });
    else if (line.includes("@")) {
      list.emails.push(line);
      emailLines.push(i + 1);
    } else {
      list.phones.push(line);
      phoneLines.push(i + 1);
    }
  });
  if (list.emails.length > MAX_GUEST_LIST_ENTRIES) errors.push({ field: "entries", message: `At most ${MAX_GUEST_LIST_ENTRIES} email addresses, not ${list.emails.length}` });
  if (list.phones.length > MAX_GUEST_LIST_ENTRIES) errors.push({ field: "entries", message: `At most ${MAX_GUEST_LIST_ENTRIES} phone numbers, not ${list.phones.length}` });
  return { list, emailLines, phoneLines, errors };
}

/** A digest of the list a form showed, sent back with it to tell whether the list changed meanwhile. */
const listHash = (list: GuestList) => sha256Hex(JSON.stringify([list.emails, list.phones]));

/**
 * The guest list (GET: read; POST: manage, replacing the whole list as the API's PUT does): who
 * team keys, and every key while the tenant is in trial, may send to.
 */
export function registerGuestList(admin: Hono<AdminEnv>): void {
  admin.get("/recipients/guest-list", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const list = await readGuestList(ctx);
    return page(c, "Guest list", <GuestListPage list={list} text={[...list.emails, ...list.phones].join("\n")} manage={canManage(c)} saved={c.req.query("saved") === "1"} errors={[]} shown={await listHash(list)} />);
  });

  admin.post("/recipients/guest-list", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const form = await c.req.parseBody();
    const text = formString(form, "entries", MAX_TEXT + 1);
    let errors: FormError[] = [];
    const shown = formString(form, "shown", 64);
    // Saving replaces the whole list: over a change someone made since the form was opened, it would undo it.
    if (/^[0-9a-f]{64}$/.test(shown) && shown !== (await listHash(await readGuestList(ctx)))) {
      errors.push({ field: "entries", message: "Someone else changed the guest list after you opened this form. The list above is the current one; the box holds yours: save again to replace it with yours" });
    } else if (typeof form.entries !== "string") errors.push({ field: "entries", message: "Enter the guest list, one address or number a line" });
    else if (text.length > MAX_TEXT) errors.push({ field: "entries", message: `The list is too long: at most ${MAX_GUEST_LIST_ENTRIES} addresses and ${MAX_GUEST_LIST_ENTRIES} numbers` });
    else {
      const split = splitGuestLines(text);
      errors = split.errors.slice(0, 20);
      if (errors.length === 0) {
        try {
          const stored = await replaceGuestList(ctx, normaliseGuestList(split.list, defaultRegion(ctx)));
          await audit(ctx, "guest_list.replace", "guest_list", { emails: stored.emails.length, phones: stored.phones.length });
          return c.redirect("/admin/recipients/guest-list?saved=1", 303);
        } catch (err) {
          if (!(err instanceof ApiError) || err.status !== 422) throw err;
          errors = (err.errors ?? [{ path: "", message: err.detail ?? "The guest list could not be saved" }]).slice(0, 20).map((e) => {
            const match = /^(emails|phones)\[(\d+)\]$/.exec(e.path ?? "");
            const line = match ? (match[1] === "emails" ? split.emailLines : split.phoneLines)[Number(match[2])] : undefined;
            return { field: "entries", message: line !== undefined ? `Line ${line}: ${e.message}` : e.message };
          });
        }
      }
    }
    const list = await readGuestList(ctx);
    return page(c, "Error: Guest list", <GuestListPage list={list} text={text.slice(0, MAX_TEXT)} manage saved={false} errors={errors} shown={await listHash(list)} />, 422);
  });
}

function GuestListPage(props: { list: GuestList; text: string; manage: boolean; saved: boolean; errors: FormError[]; shown: string }) {
  const { list } = props;
  return (
    <>
      <ErrorSummary errors={props.errors} />
      {props.saved && <Banner>Guest list saved</Banner>}
      <h1 class="heading-l">Recipients</h1>
      <RecipientsNav current="guest-list" />
      <h2 class="heading-m">Guest list</h2>
      <p class="body">Team keys, and every key while your service is in trial, may send only to these addresses and numbers.</p>
      <table class="table">
        <caption class="table__caption">{`${list.emails.length} email address${list.emails.length === 1 ? "" : "es"} and ${list.phones.length} phone number${list.phones.length === 1 ? "" : "s"}`}</caption>
        <thead>
          <tr>
            <th scope="col">Guest</th>
            <th scope="col">Kind</th>
          </tr>
        </thead>
        <tbody>
          {list.emails.length + list.phones.length === 0 ? (
            <tr>
              <td colspan={2}>The guest list is empty</td>
            </tr>
          ) : (
            [...list.emails.map((v) => [v, "Email address"]), ...list.phones.map((v) => [v, "Phone number"])].map(([value, kind]) => (
              <tr>
                <td class="code">{value}</td>
                <td>{kind}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      {props.manage && (
        <form method="post" action="/admin/recipients/guest-list" novalidate>
          <input type="hidden" name="shown" value={props.shown} />
          <h2 class="heading-m">Change the guest list</h2>
          <TextArea
            id="entries"
            name="entries"
            label="Guests"
            hint={`One email address or phone number a line; saving replaces the whole list. Numbers without a country code are read in your default region. At most ${MAX_GUEST_LIST_ENTRIES} of each.`}
            value={props.text}
            error={props.errors.length > 0 ? props.errors.map((e) => e.message).join(". ") : undefined}
            rows={12}
          />
          <button type="submit" class="button">
            Save guest list
          </button>
        </form>
      )}
    </>
  );
}
