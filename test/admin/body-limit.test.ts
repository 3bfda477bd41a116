import { describe, expect, it } from "vitest";
import { createTestTenant } from "../helpers/tenants";
import { ADMIN_FORM_MAX_BYTES, adminBodyLimitFor } from "../../src/admin/body-limit";
import { BASE } from "../helpers/http";
import { call, postForm, signInAsOperator, userSession } from "./helpers";

describe("admin UI body limit", () => {
  it("answers a form over 1 MiB with the UI's HTML page, not problem+json", async () => {
    const cookie = await signInAsOperator();
    const res = await postForm("/admin/tenants/new", { name: "x".repeat(ADMIN_FORM_MAX_BYTES + 10) }, { cookie });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).toContain("The file or form is too large");
    expect(html).toContain("larger than 1 MB");
  });

  it("counts a body sent without Content-Length as it streams", async () => {
    const big = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new TextEncoder().encode(`token=${"a".repeat(64 * 1024)}`);
        for (let i = 0; i < 20; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await call("POST", "/admin/sign-in", {
      rawBody: big as unknown as string,
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("keeps the API's problem+json 413 everywhere else", async () => {
    const res = await call("POST", "/api/v1/templates", {
      rawBody: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }),
      headers: { "content-type": "application/json", "x-api-key": "anything" },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("gives the upload's room only to a signed-in tenant user: no one signed out makes the Worker take 12 MiB", async () => {
    const path = `/admin/send/${crypto.randomUUID()}/merge`;
    const body = `file=${"a".repeat(2 * 1024 * 1024)}`;
    const headers = { "content-type": "application/x-www-form-urlencoded", origin: BASE };
    expect((await call("POST", path, { rawBody: body, headers })).status).toBe(413);
    const operator = await signInAsOperator();
    expect((await call("POST", path, { rawBody: body, headers: { ...headers, cookie: operator } })).status).toBe(413);
    const tenant = await createTestTenant("Body limit uploader");
    const user = await call("POST", path, { rawBody: body, headers: { ...headers, cookie: await userSession(tenant, "send") } });
    // Taken and read: the screen itself answers (no such template here), not the body limit.
    expect(user.status).not.toBe(413);
    expect(user.status).toBeLessThan(500);
  });

  it("gives the mail-merge upload room for a 12 MiB file and nothing else more than 1 MiB", () => {
    expect(adminBodyLimitFor("/admin/send/merge")).toBeGreaterThan(12 * 1024 * 1024);
    expect(adminBodyLimitFor("/admin/sign-in")).toBe(ADMIN_FORM_MAX_BYTES);
    expect(adminBodyLimitFor("/admin/send/merge/x/y/z")).toBe(ADMIN_FORM_MAX_BYTES);
    expect(adminBodyLimitFor("/admin/send/merge", false)).toBe(ADMIN_FORM_MAX_BYTES);
  });
});
