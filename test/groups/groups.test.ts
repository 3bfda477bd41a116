import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const create = (tenant: TestTenant, body: unknown, key?: string) => asTenant(tenant, "POST", "/api/v1/groups", { body, key });

describe("recipient groups: CRUD", () => {
  it("creates, reads, lists (cursor), patches and deletes a group; members are normalised", async () => {
    const tenant = await createTestTenant(undefined, { settings: { defaultRegion: "CA" } });
    const res = await create(tenant, {
      name: "FundingApprovers",
      description: "Approves funding",
      members: [
        { name: "Ann", email: "Ann@EXAMPLE.com", phone: "(778) 700-1234" },
        { email: "bob@xn--bcher-kva.example" },
        { phone: "+44 7700 900123", optedOut: true },
      ],
    });
    expect(res.status).toBe(201);
    const group = await json(res);
    expect(res.headers.get("location")).toBe(`/api/v1/groups/${group.id}`);
    expect(group).toMatchObject({
      name: "FundingApprovers",
      description: "Approves funding",
      members: [{ name: "Ann", email: "Ann@example.com", phone: "+17787001234" }, { email: "bob@bücher.example" }, { phone: "+447700900123", optedOut: true }],
      counts: { members: 3, email: 2, sms: 1, optedOut: 1 },
    });

    expect(await json(await asTenant(tenant, "GET", `/api/v1/groups/${group.id}`))).toEqual(group);

    await create(tenant, { name: "Second", members: [{ email: "c@example.com" }] });
    await create(tenant, { name: "Third", members: [] });
    const page1 = await json(await asTenant(tenant, "GET", "/api/v1/groups?limit=2"));
    expect(page1.items.map((g: any) => g.name)).toEqual(["Third", "Second"]);
    const page2 = await json(await asTenant(tenant, "GET", `/api/v1/groups?limit=2&cursor=${page1.nextCursor}`));
    expect(page2.items.map((g: any) => g.name)).toEqual(["FundingApprovers"]);
    expect(page2.nextCursor).toBeNull();
    expect((await json(await asTenant(tenant, "GET", "/api/v1/groups?name=Second"))).items.map((g: any) => g.name)).toEqual(["Second"]);
    expect((await json(await asTenant(tenant, "GET", "/api/v1/groups?name=second"))).items).toEqual([]);

    const patched = await asTenant(tenant, "PATCH", `/api/v1/groups/${group.id}`, { body: { members: [{ email: "new@example.com" }], description: null } });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({ name: "FundingApprovers", description: null, members: [{ email: "new@example.com" }] });
    expect((await json(await asTenant(tenant, "GET", `/api/v1/groups/${group.id}`))).members).toEqual([{ email: "new@example.com" }]);

    expect((await asTenant(tenant, "DELETE", `/api/v1/groups/${group.id}`)).status).toBe(204);
    expect((await asTenant(tenant, "GET", `/api/v1/groups/${group.id}`)).status).toBe(404);
    expect((await asTenant(tenant, "DELETE", `/api/v1/groups/${group.id}`)).status).toBe(404);
  });

  it("409 for a name already used (also when renaming); names are case-sensitive", async () => {
    const tenant = await createTestTenant();
    expect((await create(tenant, { name: "Approvers", members: [] })).status).toBe(201);
    const again = await create(tenant, { name: "Approvers", members: [] });
    expect(again.status).toBe(409);
    expect((await json(again)).errors).toEqual([{ path: "name", message: "Already used by another group" }]);
    const other = await json(await create(tenant, { name: "approvers", members: [] }));
    const rename = await asTenant(tenant, "PATCH", `/api/v1/groups/${other.id}`, { body: { name: "Approvers" } });
    expect(rename.status).toBe(409);
  });

  it("422 naming each invalid, repeated or empty member; 400 for a bad name, too many members or {}", async () => {
    const tenant = await createTestTenant();
    const res = await create(tenant, {
      name: "Bad",
      members: [{ email: "ok@example.com" }, { email: "not-an-address" }, { name: "Nobody" }, { phone: "555" }, { email: "OK@example.com" }],
    });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.errors.map((e: any) => e.path)).toEqual(["members[1].email", "members[2]", "members[3].phone", "members[4].email"]);
    expect(problem.errors[3].message).toContain("members[0]");
    expect((await json(await asTenant(tenant, "GET", "/api/v1/groups"))).items).toEqual([]);

    for (const name of ["has space", "group:x", "a,b", "-lead", "x".repeat(65), "{{p}}", ""]) {
      const bad = await create(tenant, { name, members: [] });
      expect(bad.status, name).toBe(400);
      expect((await json(bad)).errors[0].path).toBe("name");
    }
    const many = await create(tenant, { name: "Many", members: Array.from({ length: 1001 }, (_, i) => ({ email: `m${i}@example.com` })) });
    expect(many.status).toBe(400);
    expect((await json(many)).errors).toEqual([{ path: "members", message: "At most 1000 members" }]);
    const unknownField = await create(tenant, { name: "X", members: [{ email: "a@example.com", role: "boss" }] });
    expect(unknownField.status).toBe(400);

    const ok = await json(await create(tenant, { name: "Ok", members: [] }));
    expect((await asTenant(tenant, "PATCH", `/api/v1/groups/${ok.id}`, { body: {} })).status).toBe(400);
    const badPatch = await asTenant(tenant, "PATCH", `/api/v1/groups/${ok.id}`, { body: { members: [{ email: "x@" }] } });
    expect(badPatch.status).toBe(422);
    expect((await json(badPatch)).errors.map((e: any) => e.path)).toEqual(["members[0].email"]);
  });

  it("1,000 members fit", async () => {
    const tenant = await createTestTenant();
    const res = await create(tenant, { name: "Big", members: Array.from({ length: 1000 }, (_, i) => ({ name: `Member ${i}`, email: `m${i}@example.com`, phone: `+1778700${1000 + i}` })) });
    expect(res.status).toBe(201);
    expect((await json(res)).counts).toEqual({ members: 1000, email: 1000, sms: 1000, optedOut: 0 });
  });

  it("needs manage to change and read to see; another tenant's group is a 404", async () => {
    const owner = await createTestTenant();
    const other = await createTestTenant();
    const forbidden = await create(owner, { name: "T", members: [] }, owner.keys.team);
    expect(forbidden.status).toBe(403);
    const group = await json(await create(owner, { name: "Mine", members: [{ email: "a@example.com" }] }));
    expect((await asTenant(owner, "GET", `/api/v1/groups/${group.id}`, { key: owner.keys.team })).status).toBe(200);
    for (const [method, body] of [["GET"], ["PATCH", { name: "Stolen" }], ["DELETE"]] as const) {
      expect((await asTenant(other, method, `/api/v1/groups/${group.id}`, { body })).status, method).toBe(404);
    }
    expect((await json(await asTenant(other, "GET", "/api/v1/groups?name=Mine"))).items).toEqual([]);
    expect((await json(await asTenant(owner, "GET", `/api/v1/groups/${group.id}`))).name).toBe("Mine");
    // The same name is free in another tenant.
    expect((await create(other, { name: "Mine", members: [] })).status).toBe(201);
  });
});

describe("concurrent PATCHes of a group", () => {
  it("lose nothing: description and members changed at once both stay", async () => {
    const t = await createTestTenant("Group races");
    const group = await json(await asTenant(t, "POST", "/api/v1/groups", { body: { name: "racers", members: [{ email: "a@example.com" }] } }));
    for (let round = 1; round <= 10; round++) {
      const answers = await Promise.all([
        asTenant(t, "PATCH", `/api/v1/groups/${group.id}`, { body: { description: `round ${round}` } }),
        asTenant(t, "PATCH", `/api/v1/groups/${group.id}`, { body: { members: [{ email: `m${round}@example.com` }] } }),
      ]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      const view = await json(await asTenant(t, "GET", `/api/v1/groups/${group.id}`));
      expect(view).toMatchObject({ description: `round ${round}`, members: [{ email: `m${round}@example.com` }] });
    }
  });
});
