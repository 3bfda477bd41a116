import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { devApp } from "./testing";

const requests: [string, RequestInit][] = [
  ["/dev", {}],
  ["/dev/inbox", {}],
  ["/dev/inbox.json", {}],
  ["/dev/inbox/8106470399999-00000000", {}],
  ["/dev/inbox/8106470399999-00000000/attachments/0", {}],
  ["/dev/inbox/clear", { method: "POST" }],
  ["/dev/sink/ses/v2/email/outbound-emails", { method: "POST", body: "{}" }],
  ["/dev/sink/twilio/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json", { method: "POST", body: "To=%2B1" }],
  ["/dev/sink/slack/T/B/x", { method: "POST", body: '{"text":"hi"}' }],
  ["/dev/sink/teams/x", { method: "POST", body: "{}" }],
  ["/dev/sink/rocketchat/x", { method: "POST", body: "{}" }],
  ["/dev/sink/webhook/x", { method: "POST", body: "{}" }],
  ["/dev/anything/else", { method: "DELETE" }],
];

describe("registerDevRoutes", () => {
  const app = devApp();

  it.each([undefined, "false", "1", "TRUE"])("answers every /dev route with a 404 problem when DEV_SINK is %s", async (flag) => {
    for (const [path, init] of requests) {
      const res = await app.request(path, init, { ...env, DEV_SINK: flag });
      expect(res.status, `${init.method ?? "GET"} ${path}`).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ code: "not_found", instance: path });
    }
  });

  it("keeps the dev routes out of the OpenAPI document", () => {
    const document = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    expect(Object.keys(document.paths ?? {}).filter((p) => p.startsWith("/dev"))).toEqual([]);
  });
});
