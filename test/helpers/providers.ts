import { delay, http, HttpResponse, type JsonBodyType } from "msw";
import { setupServer } from "msw/node";
import PostalMime from "postal-mime";

/** What the fake providers received, decoded, in arrival order. */
export interface Captured {
  /**
   * Emails SES took: SendEmail's raw MIME parsed, or one SendBulkEmail entry with its template
   * filled (`bulk`: `mime` then holds the subject, text, html and headers the entry carried).
   */
  ses: { destination: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] }; from: string; mime: Awaited<ReturnType<typeof PostalMime.parse>>; raw: string; bulk?: true }[];
  twilio: { to: string; from: string | null; body: string }[];
  slack: { url: string; body: Record<string, unknown> }[];
}

export const SES_URL = "https://email.ca-central-1.amazonaws.com/v2/email/outbound-emails";
export const SES_BULK_URL = "https://email.ca-central-1.amazonaws.com/v2/email/outbound-bulk-emails";
export const TWILIO_URL = "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json";
export const SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXXXXX";

/**
 * Per-provider scripted failures: the next N calls answer this instead of success, or (`stall`)
 * take the request and never answer, as a provider that accepted it but whose answer was lost.
 */
type Script = ({ status: number; body: unknown; headers?: Record<string, string> } | { stall: true })[];

export function createProviderMocks() {
  const captured: Captured = { ses: [], twilio: [], slack: [] };
  const scripts: Record<keyof Captured, Script> = { ses: [], twilio: [], slack: [] };
  const stalled: Record<keyof Captured, number> = { ses: 0, twilio: 0, slack: 0 };
  /** The scripted answer for this call, if any; a stall never returns. */
  const next = async (name: keyof Captured) => {
    const step = scripts[name].shift();
    if (step && "stall" in step) {
      stalled[name]++;
      await delay("infinite");
    }
    return step as Exclude<Script[number], { stall: true }> | undefined;
  };

  const server = setupServer(
    http.post(SES_URL, async ({ request }) => {
      const auth = request.headers.get("authorization") ?? "";
      if (!auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/")) return HttpResponse.json({ message: "bad auth" }, { status: 403 });
      const failure = await next("ses");
      if (failure) return HttpResponse.json(failure.body as JsonBodyType, { status: failure.status, headers: failure.headers });
      const body = (await request.json()) as { FromEmailAddress: string; Destination: Captured["ses"][number]["destination"]; Content: { Raw: { Data: string } } };
      const raw = atob(body.Content.Raw.Data);
      const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
      captured.ses.push({ destination: body.Destination, from: body.FromEmailAddress, mime: await PostalMime.parse(bytes), raw });
      return HttpResponse.json({ MessageId: `ses-${captured.ses.length}` });
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
        return { Status: "SUCCESS", MessageId: `ses-${captured.ses.length}` };
      });
      return HttpResponse.json({ BulkEmailEntryResults: results });
    }),
    http.post(TWILIO_URL, async ({ request }) => {
      const failure = await next("twilio");
      if (failure) return HttpResponse.json(failure.body as JsonBodyType, { status: failure.status, headers: failure.headers });
      const form = new URLSearchParams(await request.text());
      captured.twilio.push({ to: form.get("To")!, from: form.get("From"), body: form.get("Body")! });
      return HttpResponse.json({ sid: `SM${"0".repeat(31)}${captured.twilio.length}`, status: "queued" }, { status: 201 });
    }),
    http.post(SLACK_URL, async ({ request }) => {
      const failure = await next("slack");
      if (failure) return new HttpResponse(String(failure.body), { status: failure.status, headers: failure.headers });
      captured.slack.push({ url: request.url, body: (await request.json()) as Record<string, unknown> });
      return new HttpResponse("ok", { status: 200, headers: { "content-type": "text/plain" } });
    }),
  );

  return {
    server,
    captured,
    /** Calls that were received and never answered (`{ stall: true }`). */
    stalled,
    /** Make the next calls to `provider` fail with these answers. */
    failNext(provider: keyof Captured, ...answers: Script) {
      scripts[provider].push(...answers);
    },
    reset() {
      captured.ses.length = 0;
      captured.twilio.length = 0;
      captured.slack.length = 0;
      for (const k of Object.keys(scripts) as (keyof Captured)[]) {
        scripts[k].length = 0;
        stalled[k] = 0;
      }
    },
  };
}
