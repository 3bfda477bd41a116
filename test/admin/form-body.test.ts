import { describe, expect, it } from "vitest";
import { BASE } from "../helpers/http";
import { call, postForm, signInAsOperator } from "./helpers";

/** A same-origin post with a raw body and content type, as a broken or hostile client sends it. */
const post = (path: string, contentType: string, body: string, cookie?: string) =>
  call("POST", path, { rawBody: body, headers: { "content-type": contentType, origin: BASE, ...(cookie ? { cookie } : {}) } });

describe("admin UI form bodies", () => {
  it("a multipart body without a boundary, or cut short, is the 400 page on any form (signed in or not), never a 500", async () => {
    const cookie = await signInAsOperator();
    const truncated = '--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nhalf a form';
    const cases: Array<[string, string, string, string | undefined]> = [
      ["/admin/sign-in", "multipart/form-data", "token=x", undefined],
      ["/admin/sign-in", "multipart/form-data; boundary=XyZ", truncated, undefined],
      ["/admin/tenants/new", "multipart/form-data; boundary=XyZ", truncated, cookie],
      ["/admin/sign-out", "multipart/form-data; boundary=", "--\r\n", cookie],
    ];
    for (const [path, type, body, session] of cases) {
      const res = await post(path, type, body, session);
      expect([path, type, res.status]).toEqual([path, type, 400]);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await res.text()).toContain("The form sent could not be read");
    }
  });

  it("well-formed forms still reach their handlers, read once by the guard and again by the handler", async () => {
    const res = await postForm("/admin/sign-in", { token: "not the token" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("The admin token is not correct");
    const multipart = new FormData();
    multipart.set("token", "not the token either");
    const asMultipart = await call("POST", "/admin/sign-in", { rawBody: multipart as unknown as string, headers: { origin: BASE } });
    expect(asMultipart.status).toBe(403);
  });
});
