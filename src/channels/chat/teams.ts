import { remoteCode } from "../../lib/outbound/summary";
import { DEFAULT_OUTBOUND_POLICY, type OutboundPolicy } from "../../lib/outbound/url-policy";
import type { ChatMessage, ChatProvider, ProviderErrorKind, SendOutcome } from "../types";
import { postJson, targetFailure } from "./webhook-http";

/**
 * Power Automate answers errors as `{error: {code, message}}`; the code is PascalCase. Only the
 * code is kept: the message is free text from whatever host the URL names.
 */
const FLOW_CODE = /^[A-Z][A-Za-z0-9]{0,63}$/;

function flowErrorCode(text: string): string | undefined {
  try {
    const data: unknown = JSON.parse(text);
    const error = data && typeof data === "object" ? (data as { error?: unknown }).error : undefined;
    return error && typeof error === "object" ? remoteCode((error as { code?: unknown }).code, FLOW_CODE) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Power Automate codes that say the workflow itself is unusable, whatever the status: a flow
 * that is turned off or deleted answers 400 WorkflowTriggerIsNotEnabled, and a wrong `sig`
 * answers 401 DirectApiInvalidAuthorizationSignature (configuration by status anyway).
 */
const TARGET_ERRORS = new Set(["WorkflowTriggerIsNotEnabled", "WorkflowNotFound", "DirectApiInvalidAuthorizationSignature", "DirectApiAuthorizationRequired"]);

/** The card itself when it is an Adaptive Card, otherwise one wrapping TextBlock built from the text. */
function adaptiveCard(message: ChatMessage): Record<string, unknown> {
  const card = message.card;
  if (card && !Array.isArray(card) && card.type === "AdaptiveCard") return card;
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    // Teams renders up to 1.5; a wrapped TextBlock needs nothing newer.
    version: "1.4",
    body: [{ type: "TextBlock", text: message.text, wrap: true }],
  };
}

/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"), the
 * replacement for the retired Office 365 connectors: a message with one Adaptive Card
 * attachment. The flow answers 202 as soon as it is triggered; posting the card happens in the
 * flow run afterwards, so acceptance is all this call can report.
 */
export class TeamsChatProvider implements ChatProvider {
  readonly name = "teams";

  constructor(private readonly policy: OutboundPolicy = DEFAULT_OUTBOUND_POLICY) {}

  async send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const body = {
      type: "message",
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: adaptiveCard(message) }],
    };
    const res = await postJson(this.name, message.target.url, JSON.stringify(body), this.policy, signal);
    if (res.ok) return { status: "delivered" };
    const code = flowErrorCode(res.text);
    const kind: ProviderErrorKind | undefined = code && TARGET_ERRORS.has(code) && res.status < 500 ? "configuration" : undefined;
    throw targetFailure(this.name, res, message.target.url, { code, kind });
  }
}
