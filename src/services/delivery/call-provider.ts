import { createChatProvider } from "../../channels/chat/registry";
import { createEmailProvider, type EmailProviderName } from "../../channels/email/registry";
import { SimulatorProvider } from "../../channels/simulator";
import { createSmsProvider, type SmsProviderName } from "../../channels/sms/registry";
import { type BatchEmailProvider, type ChatTargetType, type EmailMessage, isBatchEmailProvider, type SendOutcome } from "../../channels/types";
import type { DeliveryRow } from "../../db/schema";
import type { Env } from "../../env";
import { awaitingReceipt, batchAwaitingReceipts } from "../receipts/acceptance";
import { receiptsWired } from "../receipts/wired";
import { SIMULATOR } from "../send/defaults";
import { toChatMessage, toEmailMessage, toSmsMessage } from "./adapter-message";

const DEFAULT_TIMEOUT_MS = 15_000;

export function providerTimeoutMs(env: Pick<Env, "PROVIDER_TIMEOUT_MS">): number {
  const configured = Number(env.PROVIDER_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_TIMEOUT_MS;
}

/**
 * How long a batch holds the deliveries it claimed (and a half-open circuit's probe): two provider
 * timeouts and 30 s more. Past it the cron settles a delivery still in flight as an unknown outcome.
 */
export function deliveryLeaseMs(env: Pick<Env, "PROVIDER_TIMEOUT_MS">): number {
  return providerTimeoutMs(env) * 2 + 30_000;
}

/** A provider call ready to go: everything read from storage, nothing sent yet. */
export interface PreparedCall {
  send(signal: AbortSignal): Promise<SendOutcome>;
  /** Set when the message may share one call with others of the same key (provider batch APIs). */
  batch?: { provider: BatchEmailProvider; message: EmailMessage; key: string };
}

/**
 * Builds the provider call for one delivery (the simulator for test keys): reads attachments and
 * picks the adapter, `provider` (the delivery's own unless it fails over). Kept apart from sending
 * so a failure here is known to have sent nothing.
 */
export async function prepareCall(env: Env, delivery: DeliveryRow, provider: string = delivery.provider): Promise<PreparedCall> {
  const simulated = delivery.provider === SIMULATOR;
  switch (delivery.channel) {
    case "email": {
      const message = await toEmailMessage(env, delivery);
      const adapter = simulated ? new SimulatorProvider() : createEmailProvider(provider as EmailProviderName, env);
      const wired = !simulated && receiptsWired(env, provider);
      const key = isBatchEmailProvider(adapter) ? adapter.batchKey(message) : null;
      return {
        send: async (signal) => pending(wired, await adapter.send(message, signal)),
        ...(key !== null && isBatchEmailProvider(adapter) ? { batch: { provider: wired ? batchAwaitingReceipts(adapter) : adapter, message, key } } : {}),
      };
    }
    case "sms": {
      const message = toSmsMessage(delivery);
      const adapter = simulated ? new SimulatorProvider() : createSmsProvider(provider as SmsProviderName, env);
      const wired = !simulated && receiptsWired(env, provider);
      return { send: async (signal) => pending(wired, await adapter.send(message, signal)) };
    }
    case "msgApp": {
      const message = toChatMessage(delivery);
      const adapter = simulated ? new SimulatorProvider() : createChatProvider(message.target.type as ChatTargetType, env);
      return { send: (signal) => adapter.send(message, signal) };
    }
  }
}

/**
 * Where the provider's delivery receipts are wired (RECEIPT_PROVIDERS), its acceptance is not the
 * end: the message stays `sending` until the receipt moves it (services/receipts/apply.ts).
 */
function pending(wired: boolean, outcome: SendOutcome): SendOutcome {
  return wired ? awaitingReceipt(outcome) : outcome;
}
