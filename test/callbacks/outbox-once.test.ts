import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { messages } from "../../src/db/schema";
import { callbackEvents, eventIdsOf } from "../../src/services/callbacks/emit";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant } from "../helpers/tenants";
import { createReceiver } from "./receiver";

const mocks = createProviderMocks();
const receiver = createReceiver(mocks.server);
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => mocks.server.close());

describe("the callback outbox", () => {
  it("writes one event per message, registration and status: the same move again inserts nothing and RETURNING names no id", async () => {
    const tenant = await createTestTenant();
    const registration = await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url: receiver.url(), channelType: ["email"], trigger: ["success"] } });
    expect(registration.status).toBe(201);
    // Held back (delayedSend), so no consumer moves it meanwhile: the message stays `scheduled`.
    const delayedSend = new Date(Date.now() + 3_600_000).toISOString();
    const sent = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { to: ["ann@example.com"] }, content: { subject: "Hi", body: "Body" }, delayedSend } });
    expect(sent.status).toBe(201);
    const { notifyId } = await json(sent);
    const message = await env.DB.prepare("SELECT id FROM messages WHERE notification_id = ?").bind(notifyId).first<{ id: string }>();
    const db = createDb(env.DB);
    const where = eq(messages.id, message!.id);

    const [first] = await db.batch([callbackEvents(db, where, "delivered", new Date())]);
    expect(eventIdsOf(first)).toHaveLength(1);
    // The status guard would normally stop this; the index stops it even when a caller repeats the move.
    const [again] = await db.batch([callbackEvents(db, where, "delivered", new Date())]);
    expect(eventIdsOf(again)).toEqual([]);
    const rows = await env.DB.prepare("SELECT id FROM callback_events WHERE message_id = ? AND status = 'delivered'").bind(message!.id).all<{ id: string }>();
    expect(rows.results.map((r) => r.id)).toEqual(eventIdsOf(first));

  });
});
