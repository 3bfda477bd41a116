import type {
  ChatMessage,
  ChatProvider,
  EmailMessage,
  EmailProvider,
  OutcomeStatus,
  SendOutcome,
  SmsMessage,
  SmsProvider,
} from "./types";

/**
 * GOV.UK Notify's simulator recipients: a test key sending to one of these gets that outcome;
 * anything else is delivered. (Email addresses compare case-insensitively.)
 */
export const SIMULATED_OUTCOMES: Record<string, OutcomeStatus> = {
  "temp-fail@simulator.notify": "temporary-failure",
  "perm-fail@simulator.notify": "permanent-failure",
  "+447700900003": "temporary-failure",
  "+447700900002": "permanent-failure",
};

function outcomeFor(recipients: string[]): SendOutcome {
  const recipientStatuses: Record<string, OutcomeStatus> = {};
  for (const r of recipients) recipientStatuses[r] = SIMULATED_OUTCOMES[r.toLowerCase()] ?? "delivered";
  const statuses = Object.values(recipientStatuses);
  const status: OutcomeStatus = statuses.every((s) => s === "delivered") ? "delivered" : statuses.find((s) => s !== "delivered")!;
  return { providerMessageId: `sim-${crypto.randomUUID()}`, status, recipientStatuses };
}

/**
 * Delivery for test keys: the same pipeline, statuses and callbacks as a real send, but no
 * provider is ever called.
 */
export class SimulatorProvider implements EmailProvider, SmsProvider, ChatProvider {
  readonly name = "simulator";

  async send(message: EmailMessage | SmsMessage | ChatMessage): Promise<SendOutcome> {
    if ("subject" in message) return outcomeFor([...message.to, ...message.cc, ...message.bcc]);
    if ("target" in message) return outcomeFor([]);
    return outcomeFor([message.to]);
  }
}
