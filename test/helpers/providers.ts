import { delay, http, HttpResponse, type JsonBodyType } from "msw";
import { setupServer } from "msw/node";
import PostalMime from "postal-mime";
import { settleQueues } from "./queues";

/** What the fake providers received, decoded, in arrival order. */
export interface Captured {
  /**
   * Emails SES took: SendEmail's raw MIME parsed, or one SendBulkEmail entry with its template
   * filled (`bulk`: `mime` then holds the subject, text, html and headers the entry carried).
   */
  ses: { destination: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] }; from: string; mime: Awaited<ReturnType<typeof PostalMime.parse>>; raw: string; bulk?: true }[];
  twilio: { to: string; from: string | null; body: string }[];
  slack: { url: string; body: Record<string, unknown> }[];
  postmark: { to: string; from: string; subject: string; deliveryId: string }[];
  /** Emails Resend created: a repeated Idempotency-Key is answered with the first email, not captured again. */
  resend: { to: string[]; subject: string; idempotencyKey: string }[];
  vonage: { to: string; from: string; text: string; clientRef: string }[];
}

export const SES_URL = "https://email.ca-central-1.amazonaws.com/v2/email/outbound-emails";
export const SES_BULK_URL = "https://email.ca-central-1.amazonaws.com/v2/email/outbound-bulk-emails";
export const TWILIO_URL = "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json";
export const SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXXXXX";
export const POSTMARK_URL = "https://api.postmarkapp.com/email";
export const RESEND_URL = "https://api.resend.com/emails";
export const VONAGE_URL = "https://api.nexmo.com/v1/messages";

/** Idempotency headers some API documents and others do not: a provider that documents none must not be sent one. */
const UNDOCUMENTED_IDEMPOTENCY = ["idempotency-key", "i-twilio-idempotency-token", "x-idempotency-key"];
const refuseUndocumented = (request: { headers: Headers }) => {
  const sent = UNDOCUMENTED_IDEMPOTENCY.filter((name) => request.headers.has(name));
  return sent.length > 0 ? HttpResponse.json({ message: `unexpected idempotency header ${sent.join(", ")}` }, { status: 400 }) : null;
};

/**
 * Per-provider scripted failures: the next N calls answer this instead of success, or (`stall`)
 * take the request and never answer, as a provider that accepted it but whose answer was lost.
 */
type Script = ({ status: number; body: unknown; headers?: Record<string, string> } | { stall: true })[];

export function createProviderMocks() {
  const captured: Captured = { ses: [], twilio: [], slack: [], postmark: [], resend: [], vonage: [] };
  const names = Object.keys(captured) as (keyof Captured)[];
  const scripts = Object.fromEntries(names.map((n) => [n, []])) as unknown as Record<keyof Captured, Script>;
  const stalled = Object.fromEntries(names.map((n) => [n, 0])) as Record<keyof Captured, number>;
  /** Every request each provider received, answered or not (a circuit test's "was it called at all"). */
  const calls = Object.fromEntries(names.map((n) => [n, 0])) as Record<keyof Captured, number>;
  /** Resend's idempotency: each key's email id, kept as Resend keeps it (24 hours; here, the test). */
  const resendKeys = new Map<string, string>();
  // Test files share a database (vitest.config.ts: one runtime per worker), and receipts find
  // their message by provider message id: as a real provider's, these ids never repeat across
  // files. messageId() names the id minted for a provider's nth capture.
  const run = crypto.randomUUID().slice(0, 8);
  const messageId = (name: "ses" | "twilio" | "postmark" | "resend" | "vonage", n: number) =>
    name === "twilio" ? `SM${run}${String(n).padStart(24, "0")}` : `${{ ses: "ses", postmark: "pm", resend: "re", vonage: "vonage" }[name]}-${run}-${n}`;
  /** The scripted answer for this call, if any; a stall never returns (`onStall` runs first: what the provider did with it). */
  const next = async (name: keyof Captured, onStall?: () => void) => {
    calls[name]++;
    const step = scripts[name].shift();
    if (step && "stall" in step) {
      stalled[name]++;
      onStall?.();
      await delay("infinite");
    }
    return step as Exclude<Script[number], { stall: true }> | undefined;
  };

  const server = setupServer(
    http.post(SES_URL, async ({ request }) => {
      const refused = refuseUndocumented(request);
      if (refused) return refused;
      const auth = request.headers.get("authorization") ?? "";
      if (!auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/")) return HttpResponse.json({ message: "bad auth" }, { status: 403 });
      const failure = await next("ses");
      if (failure) return HttpResponse.json(failure.body as JsonBodyType, { status: failure.status, headers: failure.headers });
      const body = (await request.json()) as { FromEmailAddress: string; Destination: Captured["ses"][number]["destination"]; Content: { Raw: { Data: string } } };
      const raw = atob(body.Content.Raw.Data);
      const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
      captured.ses.push({ destination: body.Destination, from: body.FromEmailAddress, mime: await PostalMime.parse(bytes), raw });
      return HttpResponse.json({ MessageId: messageId("ses", captured.ses.length) });
    }),
    // SES v2 SendBulkEmail as the adapter uses it (channels/email/ses.ts): SigV4, an inline
    // template of triple-brace placeholders, one entry per message with its rendered parts as
    // replacement data and its own headers. Each entry is captured like a SendEmail call.
    http.post(SES_BULK_URL, async ({ request }) => {
      const auth = request.headers.get("authorization") ?? "";
      if (!auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/")) return HttpResponse.json({ message: "bad auth" }, { status: 403 });
      const failure = await next("ses");
      if (failure) return HttpResponse.json(failure.body as JsonBodyType, { status: failure.status, headers: failure.headers });
      type Header = { Name: string; Value: string };
      const body = (await request.json()) as {
        FromEmailAddress: string;
        DefaultContent: { Template: { TemplateContent: { Subject: string; Text?: string; Html?: string }; TemplateData?: string; Headers?: Header[] } };
        BulkEmailEntries: { Destination: Captured["ses"][number]["destination"]; ReplacementHeaders?: Header[]; ReplacementEmailContent?: { ReplacementTemplate?: { ReplacementTemplateData?: string } } }[];
      };
      const template = body.DefaultContent?.Template?.TemplateContent;
      if (!template?.Subject || !Array.isArray(body.BulkEmailEntries) || body.BulkEmailEntries.length === 0 || body.BulkEmailEntries.length > 50) {
        return HttpResponse.json({ message: "invalid SendBulkEmail request" }, { status: 400, headers: { "x-amzn-ErrorType": "BadRequestException" } });
      }
      const results = body.BulkEmailEntries.map((entry) => {
        // An address SES refuses on its own (an unverified recipient in the sandbox), the others still go.
        if (entry.Destination.ToAddresses?.some((a) => a.startsWith("rejected-by-ses@"))) return { Status: "MESSAGE_REJECTED", Error: "Email address is not verified." };
        const data = JSON.parse(entry.ReplacementEmailContent?.ReplacementTemplate?.ReplacementTemplateData ?? "{}") as Record<string, string>;
        const fill = (t: string | undefined) => (t === undefined ? undefined : t.replace(/\{\{\{\s*(\w+)\s*\}\}\}/g, (_, name: string) => data[name] ?? ""));
        const headers = [...(body.DefaultContent.Template.Headers ?? []), ...(entry.ReplacementHeaders ?? [])].map((h) => ({ key: h.Name.toLowerCase(), value: h.Value }));
        const mime = { subject: fill(template.Subject), text: fill(template.Text), html: fill(template.Html), headers } as unknown as Captured["ses"][number]["mime"];
        captured.ses.push({ destination: entry.Destination, from: body.FromEmailAddress, mime, raw: JSON.stringify(entry), bulk: true });
        return { Status: "SUCCESS", MessageId: messageId("ses", captured.ses.length) };
      });
      return HttpResponse.json({ BulkEmailEntryResults: results });
    }),
    http.post(TWILIO_URL, async ({ request }) => {
      // Twilio sends I-Twilio-Idempotency-Token on its own webhooks; its Messages API documents none.
      const refused = refuseUndocumented(request);
      if (refused) return refused;
      const failure = await next("twilio");
      if (failure) return HttpResponse.json(failure.body as JsonBodyType, { status: failure.status, headers: failure.headers });
      const form = new URLSearchParams(await request.text());
      captured.twilio.push({ to: form.get("To")!, from: form.get("From"), body: form.get("Body")! });
      return HttpResponse.json({ sid: messageId("twilio", captured.twilio.length), status: "queued" }, { status: 201 });
    }),
    http.post(POSTMARK_URL, async ({ request }) => {
      if (request.headers.get("x-postmark-server-token") !== "test-postmark-token") return HttpResponse.json({ ErrorCode: 10, Message: "Bad or missing Server API token." }, { status: 401 });
      const refused = refuseUndocumented(request);
      if (refused) return refused;
      const failure = await next("postmark");
      if (failure) return HttpResponse.json(failure.body as JsonBodyType, { status: failure.status, headers: failure.headers });
      const body = (await request.json()) as { From: string; To: string; Subject: string; Headers: { Name: string; Value: string }[] };
      const deliveryId = body.Headers.find((h) => h.Name === "X-Notify-Delivery-Id")?.Value ?? "";
      captured.postmark.push({ to: body.To, from: body.From, subject: body.Subject, deliveryId });
      return HttpResponse.json({ To: body.To, SubmittedAt: new Date().toISOString(), MessageID: messageId("postmark", captured.postmark.length), ErrorCode: 0, Message: "OK" });
    }),
    // Resend de-duplicates by Idempotency-Key (24 hours): the adapter must send the delivery id
    // as the key, exactly; a repeated key is answered with the first email, sending nothing more,
    // even when the first answer was lost.
    http.post(RESEND_URL, async ({ request }) => {
      if (request.headers.get("authorization") !== "Bearer re_test_key") return HttpResponse.json({ statusCode: 403, name: "invalid_api_key", message: "API key is invalid" }, { status: 403 });
      const key = request.headers.get("idempotency-key");
      const body = (await request.json()) as { to: string[]; subject: string; headers: Record<string, string> };
      if (!key || key !== body.headers["X-Notify-Delivery-Id"]) {
        return HttpResponse.json({ statusCode: 422, name: "validation_error", message: `Idempotency-Key ${key} is not the delivery id` }, { status: 422 });
      }
      const known = resendKeys.get(key);
      if (known) {
        calls.resend++;
        return HttpResponse.json({ id: known });
      }
      const accept = () => {
        captured.resend.push({ to: body.to, subject: body.subject, idempotencyKey: key });
        resendKeys.set(key, messageId("resend", captured.resend.length));
      };
      // A stalled call was taken before its answer was lost.
      const failure = await next("resend", accept);
      if (failure) return HttpResponse.json(failure.body as JsonBodyType, { status: failure.status, headers: failure.headers });
      accept();
      return HttpResponse.json({ id: resendKeys.get(key) });
    }),
    http.post(VONAGE_URL, async ({ request }) => {
      if (request.headers.get("authorization") !== `Basic ${btoa("test-vonage-key:test-vonage-secret")}`) return HttpResponse.json({ title: "Unauthorized" }, { status: 401 });
      const refused = refuseUndocumented(request);
      if (refused) return refused;
      const failure = await next("vonage");
      if (failure) return HttpResponse.json(failure.body as JsonBodyType, { status: failure.status, headers: failure.headers });
      const body = (await request.json()) as { to: string; from: string; text: string; client_ref: string };
      captured.vonage.push({ to: body.to, from: body.from, text: body.text, clientRef: body.client_ref });
      return HttpResponse.json({ message_uuid: messageId("vonage", captured.vonage.length) }, { status: 202 });
    }),
    http.post(SLACK_URL, async ({ request }) => {
      const failure = await next("slack");
      if (failure) return new HttpResponse(String(failure.body), { status: failure.status, headers: failure.headers });
      captured.slack.push({ url: request.url, body: (await request.json()) as Record<string, unknown> });
      return new HttpResponse("ok", { status: 200, headers: { "content-type": "text/plain" } });
    }),
  );

  // Closing waits first for the queue work this file sent (helpers/queues.ts): it is answered
  // here, not by the next file's mocks or, once closed, the real provider hosts. Within the
  // default hook timeout; `afterAll(() => mocks.server.close())` awaits it.
  const close = server.close.bind(server);
  server.close = (() => settleQueues(8_000).finally(close)) as unknown as typeof server.close;

  return {
    server,
    captured,
    /** Calls that were received and never answered (`{ stall: true }`). */
    stalled,
    calls,
    /**
     * The message id `provider` answered for its `n`th captured message (1-based).
     *
     * @example
     * ```ts
     * expect(message.providerMessageId).toBe(mocks.messageId("ses", 1));
     * ```
     */
    messageId,
    /** Make the next calls to `provider` fail with these answers. */
    failNext(provider: keyof Captured, ...answers: Script) {
      scripts[provider].push(...answers);
    },
    reset() {
      for (const k of names) {
        captured[k].length = 0;
        scripts[k].length = 0;
        stalled[k] = 0;
        calls[k] = 0;
      }
      resendKeys.clear();
    },
  };
}
