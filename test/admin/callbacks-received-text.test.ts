import { beforeAll, describe, expect, it } from "vitest";
import { BASE, json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { call, getPage, userSession } from "./helpers";

/** The callbacks form as a browser posts it, with a checkbox group's repeated names. */
function postCallbackForm(cookie: string, fields: [string, string][]): Promise<Response> {
  return call("POST", "/admin/settings/callbacks", {
    rawBody: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE, cookie },
  });
}

let tenant: TestTenant;
let manager: string;
beforeAll(async () => {
  tenant = await createTestTenant("Received text callbacks UI");
  manager = await userSession(tenant, "manage");
});

describe("admin UI: a callback for received text messages", () => {
  it("the add form offers received texts, which need no trigger; the registration is the API's", async () => {
    const form = await (await getPage("/admin/settings/callbacks/new", manager)).text();
    expect(form).toContain('id="channelType-received-text" name="channelType" type="checkbox" value="received-text"');
    expect(form).toContain("Received text messages");

    const url = "https://receiver.example.com/inbound-texts";
    const res = await postCallbackForm(manager, [["url", url], ["channelType", "received-text"]]);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.text()).toContain("Copy the signing secret now");
    const list = await json<{ items: { url: string; channelType: string[]; trigger: string[] }[] }>(await asTenant(tenant, "GET", "/api/v1/notify/registerCallback"));
    expect(list.items.find((cb) => cb.url === url)).toMatchObject({ channelType: ["received-text"], trigger: [] });
    expect(await (await getPage("/admin/settings/callbacks", manager)).text()).toContain("Received text messages");
  });

  it("with a message channel too, a trigger is still asked for at its field; with one, both are registered", async () => {
    const url = "https://receiver.example.com/everything";
    const missing = await postCallbackForm(manager, [["url", url], ["channelType", "sms"], ["channelType", "received-text"]]);
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('href="#trigger-success"');
    const ok = await postCallbackForm(manager, [["url", url], ["channelType", "sms"], ["channelType", "received-text"], ["trigger", "failure"]]);
    expect(ok.status, await ok.clone().text()).toBe(200);
    const list = await json<{ items: { url: string; channelType: string[]; trigger: string[] }[] }>(await asTenant(tenant, "GET", "/api/v1/notify/registerCallback"));
    expect(list.items.find((cb) => cb.url === url)).toMatchObject({ channelType: ["sms", "received-text"], trigger: ["failure"] });
  });

  it("an unknown channel in the post is ignored, not stored", async () => {
    const res = await postCallbackForm(manager, [["url", "https://receiver.example.com/odd"], ["channelType", "letter"]]);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Select at least one channel");
  });
});
