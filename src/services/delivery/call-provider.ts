import { createChatProvider } from "../../channels/chat/registry";
import { createEmailProvider, type EmailProviderName } from "../../channels/email/registry";
import { SimulatorProvider } from "../../channels/simulator";
import { createSmsProvider, type SmsProviderName } from "../../channels/sms/registry";
import type { ChatTargetType, SendOutcome } from "../../channels/types";
import type { DeliveryRow } from "../../db/schema";
import type { Env } from "../../env";
import { SIMULATOR } from "../send/defaults";
import { toChatMessage, toEmailMessage, toSmsMessage } from "./adapter-message";

const DEFAULT_TIMEOUT_MS = 15_000;

export function providerTimeoutMs(env: Env): number {
  const configured = Number(env.PROVIDER_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_TIMEOUT_MS;
}

/**
 * Sends one delivery through its provider (the simulator for test keys) with a timeout.
 * Throws ProviderError for provider failures; anything else is a bug or an infrastructure fault.
 */
export async function callProvider(env: Env, delivery: DeliveryRow): Promise<SendOutcome> {
  const signal = AbortSignal.timeout(providerTimeoutMs(env));
  const simulated = delivery.provider === SIMULATOR;
  switch (delivery.channel) {
    case "email": {
      const message = await toEmailMessage(env, delivery);
      const provider = simulated ? new SimulatorProvider() : createEmailProvider(delivery.provider as EmailProviderName, env);
      return provider.send(message, signal);
    }
    case "sms": {
      const provider = simulated ? new SimulatorProvider() : createSmsProvider(delivery.provider as SmsProviderName, env);
      return provider.send(toSmsMessage(delivery), signal);
    }
    case "msgApp": {
      const message = toChatMessage(delivery);
      const provider = simulated ? new SimulatorProvider() : createChatProvider(message.target.type as ChatTargetType, env);
      return provider.send(message, signal);
    }
  }
}
