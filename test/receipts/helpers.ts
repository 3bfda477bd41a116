import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import worker from "../../src/index";
import { createDb } from "../../src/db/client";
import type { Env } from "../../src/env";
import { processDeliveries } from "../../src/services/delivery/process";
import { json } from "../helpers/http";
import { asTenant, type TestTenant } from "../helpers/tenants";

/** The SNS topic this test deployment expects SES events from. */
export const SES_TOPIC_ARN = "arn:aws:sns:ca-central-1:123456789012:notify-ses-events";
export const PUBLIC_ORIGIN = "https://notify.test";

/**
 * The suite's deployment with Twilio and SES receipts wired: the suite's own env leaves them
 * unwired, so every other test keeps seeing acceptance as `delivered`.
 */
export function wiredEnv(extra: Partial<Env> = {}): Env {
  return { ...env, RECEIPT_PROVIDERS: "twilio,ses", PUBLIC_ORIGIN, SES_SNS_TOPIC_ARNS: SES_TOPIC_ARN, ...extra } as Env;
}

/** Calls the Worker with `e` as its environment (the suite's exports use the unwired one). */
export async function callWith(e: Env, path: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${PUBLIC_ORIGIN}${path}`, init), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/**
 * Sends through the tenant API (held back with delayedSend so the suite's queue does not take it),
 * then runs the real delivery pipeline on its deliveries with `e`: the provider calls go to msw.
 */
export async function sendAndDeliver(tenant: TestTenant, path: string, body: object, e: Env = wiredEnv()): Promise<{ notifyId: string; deliveryIds: string[] }> {
  const delayedSend = new Date(Date.now() + 3_600_000).toISOString();
  const res = await asTenant(tenant, "POST", path, { body: { ...body, delayedSend } });
  expect(res.status).toBe(201);
  return deliverHeld((await json(res)).notifyId, e);
}

/** Releases a notification held back with delayedSend and runs the real delivery pipeline on it with `e`. */
export async function deliverHeld(notifyId: string, e: Env): Promise<{ notifyId: string; deliveryIds: string[] }> {
  const rows = await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ?").bind(notifyId).all<{ id: string }>();
  const deliveryIds = rows.results.map((r) => r.id);
  await env.DB.batch([
    env.DB.prepare("UPDATE deliveries SET state = 'queued', enqueued_at = ? WHERE notification_id = ?").bind(Date.now(), notifyId),
    env.DB.prepare("UPDATE messages SET status = 'created' WHERE notification_id = ?").bind(notifyId),
    env.DB.prepare("UPDATE notifications SET count_created = count_created + count_scheduled, count_scheduled = 0, status = 'accepted' WHERE id = ?").bind(notifyId),
  ]);
  await processDeliveries(createDb(env.DB), e, deliveryIds);
  return { notifyId, deliveryIds };
}

/** The status API's view of a notification. */
export async function statusOf(tenant: TestTenant, notifyId: string): Promise<any> {
  return json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
}

/** The provider message id the pipeline stored for a delivery. */
export async function providerMessageIdOf(deliveryId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT provider_message_id AS id FROM deliveries WHERE id = ?").bind(deliveryId).first<{ id: string }>();
  return row!.id;
}
