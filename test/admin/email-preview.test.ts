import { beforeAll, describe, expect, it } from "vitest";
import { previewDocument } from "../../src/admin/email-preview";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { postForm, userSession } from "./helpers";

const NONCE = "AAAAAAAAAAAAAAAAAAAAAA";

/** The srcdoc of the page's first preview frame, unescaped as the browser reads it. */
function srcdocOf(html: string): string {
  const match = /<iframe class="preview-frame" title="[^"]*" sandbox="" srcdoc="([^"]*)"/.exec(html);
  if (!match) throw new Error("no preview frame");
  return match[1]!.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&amp;", "&");
}

describe("email previews keep the email's styles under the page's CSP", () => {
  it("moves inline styles into one nonce'd style element, weighted above the email's own rules", async () => {
    const doc = await previewDocument('<p style="color: red">Hi</p><td style="padding:4px;">x</td>', NONCE);
    expect(doc).not.toMatch(/\sstyle=/);
    expect(doc).toContain('<p data-en-style="0">Hi</p>');
    expect(doc).toContain(`<style nonce="${NONCE}">:is([data-en-style="0"],#en-inline#en-inline#en-inline){color: red}`);
    expect(doc).toContain(':is([data-en-style="1"],#en-inline#en-inline#en-inline){padding:4px;}</style>');
  });

  it("gives the email's own style elements the nonce", async () => {
    const doc = await previewDocument("<html><head><style>p{color:blue}</style></head><body><p>Hi</p></body></html>", NONCE);
    expect(doc).toContain(`<style nonce="${NONCE}">p{color:blue}</style>`);
  });

  it("drops a style attribute that could leave its rule or its element", async () => {
    for (const hostile of ["color:red}body{display:none", "x</style><script>alert(1)</script>", "color:\\7d red", "a{b"]) {
      const doc = await previewDocument(`<p style="${hostile.replaceAll('"', "&quot;")}">Hi</p>`, NONCE);
      expect(doc, hostile).toBe("<p>Hi</p>");
    }
  });

  it("passes HTML without styles through unchanged", async () => {
    const html = "<table><tr><td>Plain</td></tr></table>";
    expect(await previewDocument(html, NONCE)).toBe(html);
  });

  describe("on the template preview page", () => {
    let tenant: TestTenant;
    let cookie: string;
    let id: string;
    beforeAll(async () => {
      tenant = await createTestTenant("Email preview styles");
      cookie = await userSession(tenant, "read");
      const res = await asTenant(tenant, "POST", "/api/v1/templates", {
        body: { name: "Styled", channel: "email", subject: "Hi", bodyType: "html", body: '<p style="color:#b00">Hello {{name}}</p>' },
      });
      id = (await json<{ id: string }>(res)).id;
    });

    it("the page's CSP admits the frame's styles by a style nonce that is not the script nonce", async () => {
      const res = await postForm(`/admin/templates/${id}/preview`, { "param-0": "Ann" }, { cookie });
      expect(res.status).toBe(200);
      const csp = res.headers.get("content-security-policy")!;
      const scriptNonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
      const styleNonce = /style-src 'self' 'nonce-([^']+)'/.exec(csp)![1]!;
      expect(styleNonce).not.toBe(scriptNonce);
      const html = await res.text();
      expect(html).toContain(`hx-headers="{&quot;X-Style-Nonce&quot;:&quot;${styleNonce}&quot;}"`);
      const doc = srcdocOf(html);
      expect(doc).toContain(`<style nonce="${styleNonce}">`);
      expect(doc).toContain("{color:#b00}");
      expect(doc).not.toContain(scriptNonce);
    });

    it("an htmx fragment carries the page's style nonce back, and only in the shape issued", async () => {
      const fragment = await postForm(`/admin/templates/${id}/preview`, { "param-0": "Ann" }, { cookie, headers: { "hx-request": "true", "x-style-nonce": NONCE } });
      expect(srcdocOf(await fragment.text())).toContain(`<style nonce="${NONCE}">`);
      const odd = await postForm(`/admin/templates/${id}/preview`, { "param-0": "Ann" }, { cookie, headers: { "hx-request": "true", "x-style-nonce": "x' 'unsafe-inline" } });
      expect(odd.headers.get("content-security-policy")).not.toContain("unsafe-inline");
      expect(srcdocOf(await odd.text())).not.toContain("unsafe-inline");
      // Without htmx the header is ignored: a full page always gets a fresh nonce.
      const page = await postForm(`/admin/templates/${id}/preview`, { "param-0": "Ann" }, { cookie, headers: { "x-style-nonce": NONCE } });
      expect(page.headers.get("content-security-policy")).not.toContain(NONCE);
    });
  });
});
