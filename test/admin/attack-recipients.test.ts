import { beforeAll, describe, expect, it } from "vitest";
import { formatMembers, parseMembers } from "../../src/admin/screens/recipients/shared";
import type { GroupMember } from "../../src/db/schema";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, userSession } from "./helpers";

// Hostile and careless clients against Recipients → groups (issue 13 attack pass).
let tenant: TestTenant;
let manager: string;

beforeAll(async () => {
  tenant = await createTestTenant("Recipients attack tenant");
  manager = await userSession(tenant, "manage");
});

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** Members set through the API whose names, as plain line parts, would read as something else. */
const TRICKY: GroupMember[] = [
  { name: "Smith, John", email: "john@example.com" },
  { name: "opted out", email: "oo@example.com" },
  { name: "+17787009999", email: "desk@example.com" },
  { name: "Ann @ Finance", phone: "+17787001234" },
  { name: 'Bo "Bobby" Tables', email: "bo@example.com", optedOut: true },
  { name: '"quoted"', email: "q@example.com" },
];

describe("admin UI attack: group members round trip", () => {
  it("saving the edit form unchanged keeps members set through the API exactly (no name turned into a phone number, an address or an opt-out)", async () => {
    const created = await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "tricky-names", members: TRICKY } });
    expect(created.status, await created.clone().text()).toBe(201);
    const id = (await json<{ id: string }>(created)).id;

    const form = await (await getPage(`/admin/recipients/groups/${id}/edit`, manager)).text();
    const members = unescape(/<textarea[^>]*name="members"[^>]*>([\s\S]*?)<\/textarea>/.exec(form)![1]!).replace(/^\n/, "");
    const saved = await postForm(`/admin/recipients/groups/${id}/edit`, { name: "tricky-names", description: "", members }, { cookie: manager });
    expect(saved.status, await saved.clone().text()).toBe(303);

    const after = await json<{ members: GroupMember[] }>(await asTenant(tenant, "GET", `/api/v1/groups/${id}`));
    expect(after.members).toEqual(TRICKY);
  });

  it("parses quoted names and refuses an unclosed quote or text after one at its line", () => {
    expect(parseMembers('"Smith, John", john@example.com\n"+1 555 0100", desk@example.com, opted out', "members").members).toEqual([
      { name: "Smith, John", email: "john@example.com" },
      { name: "+1 555 0100", email: "desk@example.com", optedOut: true },
    ]);
    expect(parseMembers('"Smith, John, john@example.com', "members").errors).toEqual([{ field: "members", message: "Line 1: has a quote that is not closed" }]);
    expect(parseMembers('ok@example.com\n"Smith" John, john@example.com', "members").errors[0]?.message).toMatch(/^Line 2: has text after a closing quote/);
    // Quotes inside an unquoted name are ordinary characters.
    expect(parseMembers('Bo "Bobby" Tables, bo@example.com', "members").members).toEqual([{ name: 'Bo "Bobby" Tables', email: "bo@example.com" }]);
    expect(parseMembers(formatMembers(TRICKY), "members").members).toEqual(TRICKY);
  });

  it("two people editing one group: the second save is refused (not a silent overwrite of the first), and 20 saves of one opened form at once make one change", async () => {
    const created = await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "edited-twice", members: [{ email: "first@example.com" }] } });
    const id = (await json<{ id: string }>(created)).id;
    const versionOf = async () => /<input type="hidden" name="version" value="(\d+)"/.exec(await (await getPage(`/admin/recipients/groups/${id}/edit`, manager)).text())![1]!;
    const opened = await versionOf();

    const first = await postForm(`/admin/recipients/groups/${id}/edit`, { name: "edited-twice", members: "first@example.com\nann@example.com", version: opened }, { cookie: manager });
    expect(first.status).toBe(303);
    const second = await postForm(`/admin/recipients/groups/${id}/edit`, { name: "edited-twice", members: "first@example.com\nbo@example.com", version: opened }, { cookie: manager });
    expect(second.status).toBe(422);
    const html = await second.text();
    expect(html).toContain("Someone else saved this group after you opened it");
    expect(html).toMatch(/href="#members"/);
    let after = await json<{ members: GroupMember[] }>(await asTenant(tenant, "GET", `/api/v1/groups/${id}`));
    expect(after.members.map((m) => m.email)).toEqual(["first@example.com", "ann@example.com"]);

    const fresh = await versionOf();
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => postForm(`/admin/recipients/groups/${id}/edit`, { name: "edited-twice", members: `m${i}@example.com`, version: fresh }, { cookie: manager })));
    expect(burst.filter((r) => r.status === 303)).toHaveLength(1);
    expect(burst.filter((r) => r.status === 422)).toHaveLength(19);
    after = await json<{ members: GroupMember[] }>(await asTenant(tenant, "GET", `/api/v1/groups/${id}`));
    expect(after.members).toHaveLength(1);
    // Another tenant's group id with a version is still the 404 page.
    const other = await createTestTenant("Recipients attack other");
    const theirs = (await json<{ id: string }>(await asTenant(other, "POST", "/api/v1/groups", { body: { name: "theirs", members: [{ email: "t@example.com" }] } }))).id;
    expect((await postForm(`/admin/recipients/groups/${theirs}/edit`, { name: "theirs", members: "x@example.com", version: fresh }, { cookie: manager })).status).toBe(404);
  });

  it("a guest list form opened before someone else saved the list does not silently undo their change; saving again from the refused page does", async () => {
    const shownOf = async () => /<input type="hidden" name="shown" value="([0-9a-f]{64})"/.exec(await (await getPage("/admin/recipients/guest-list", manager)).text())![1]!;
    const opened = await shownOf();
    expect((await postForm("/admin/recipients/guest-list", { entries: "first@example.com", shown: opened }, { cookie: manager })).status).toBe(303);
    const stale = await postForm("/admin/recipients/guest-list", { entries: "second@example.com", shown: opened }, { cookie: manager });
    expect(stale.status).toBe(422);
    const html = await stale.text();
    expect(html).toContain("Someone else changed the guest list after you opened this form");
    expect(html).toContain("second@example.com");
    let list = await json<{ emails: string[] }>(await asTenant(tenant, "GET", "/api/v1/tenant/guest-list"));
    expect(list.emails).toEqual(["first@example.com"]);
    const again = /<input type="hidden" name="shown" value="([0-9a-f]{64})"/.exec(html)![1]!;
    expect((await postForm("/admin/recipients/guest-list", { entries: "second@example.com", shown: again }, { cookie: manager })).status).toBe(303);
    list = await json<{ emails: string[] }>(await asTenant(tenant, "GET", "/api/v1/tenant/guest-list"));
    expect(list.emails).toEqual(["second@example.com"]);
  });
});
