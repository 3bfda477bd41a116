import type { Context } from "hono";
import { decodeWords } from "postal-mime";
import { z } from "zod";
import type { AppEnv } from "../../lib/app-env";
import type { App } from "../../lib/router";
import { randomHex } from "../random";
import { type AttachmentContent, type NewCapture, saveMessage } from "../store";
import { receiptsWired } from "../../services/receipts/wired";
import { DEV_SNS_CERT_PATH, devSnsPublicKeyPem } from "../sns-signing";
import { hasMediaType, isObject, readJson } from "./http";
import { sesDeliveryEvents } from "./receipts";
import { parseRawEmail } from "./mime";

// A local stand-in for Amazon SES API v2 SendEmail and SendBulkEmail, so the real SES adapter
// (SigV4, raw MIME, bulk mail merges) runs end to end with SES_ENDPOINT pointing here.

const SEND_EMAIL_PATH = "/dev/sink/ses/v2/email/outbound-emails";
const SEND_BULK_EMAIL_PATH = "/dev/sink/ses/v2/email/outbound-bulk-emails";

/** An SES error answer: restJson1 puts the error type in `x-amzn-ErrorType` and a `message` in the body. */
class SesRejection extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }

  response(): Response {
    return Response.json(
      { message: this.message },
      { status: this.status, headers: { "x-amzn-ErrorType": this.type, "x-amzn-RequestId": crypto.randomUUID() } },
    );
  }
}

const addresses = z.array(z.string().min(1)).optional();
const content = z.object({ Data: z.string(), Charset: z.string().optional() });
const SendEmailRequest = z.object({
  FromEmailAddress: z.string().min(1).optional(),
  Destination: z.object({ ToAddresses: addresses, CcAddresses: addresses, BccAddresses: addresses }).optional(),
  ReplyToAddresses: addresses,
  ConfigurationSetName: z.string().optional(),
  Content: z.object({
    Raw: z.object({ Data: z.string().min(1) }).optional(),
    Simple: z
      .object({
        Subject: content,
        Body: z.object({ Text: content.optional(), Html: content.optional() }),
        Headers: z.array(z.object({ Name: z.string().min(1), Value: z.string() })).optional(),
      })
      .optional(),
    Template: z.unknown().optional(),
  }),
});
type SendEmailRequest = z.infer<typeof SendEmailRequest>;

const messageHeaders = z.array(z.object({ Name: z.string().min(1), Value: z.string() })).optional();
const destination = z.object({ ToAddresses: addresses, CcAddresses: addresses, BccAddresses: addresses });
const SendBulkEmailRequest = z.object({
  FromEmailAddress: z.string().min(1, "FromEmailAddress is required"),
  ReplyToAddresses: addresses,
  ConfigurationSetName: z.string().optional(),
  DefaultContent: z.object({
    Template: z.object({
      TemplateName: z.string().optional(),
      TemplateArn: z.string().optional(),
      TemplateContent: z.object({ Subject: z.string().optional(), Html: z.string().optional(), Text: z.string().optional() }).optional(),
      TemplateData: z.string().optional(),
      Headers: messageHeaders,
    }),
  }),
  // SES's documented bound: 50 entries per call.
  BulkEmailEntries: z
    .array(
      z.object({
        Destination: destination,
        ReplacementEmailContent: z.object({ ReplacementTemplate: z.object({ ReplacementTemplateData: z.string().optional() }).optional() }).optional(),
        ReplacementHeaders: messageHeaders,
        ReplacementTags: z.unknown().optional(),
      }),
    )
    .min(1)
    .max(50),
});
type SendBulkEmailRequest = z.infer<typeof SendBulkEmailRequest>;
type BulkEmailEntry = SendBulkEmailRequest["BulkEmailEntries"][number];

const SIGV4_PARAMETERS = ["Credential", "SignedHeaders", "Signature"];

/**
 * Checks that the request is SigV4-signed in form. The signature itself is not verified: the
 * sink has no secret to verify it with, and the adapter's signing is aws4fetch's job.
 */
function checkSignaturePresent(request: Request): void {
  const authorization = request.headers.get("authorization");
  if (!authorization) throw new SesRejection(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  const [scheme = "", ...rest] = authorization.split(" ");
  if (scheme !== "AWS4-HMAC-SHA256") {
    throw new SesRejection(400, "IncompleteSignatureException", `Unsupported Authorization scheme '${scheme}': sign requests with AWS4-HMAC-SHA256`);
  }
  const given = new Set(rest.join(" ").split(",").map((part) => part.trim().split("=")[0]));
  const missing = SIGV4_PARAMETERS.filter((name) => !given.has(name));
  if (missing.length > 0) {
    throw new SesRejection(400, "IncompleteSignatureException", missing.map((name) => `Authorization header requires '${name}' parameter.`).join(" "));
  }
  if (!request.headers.has("x-amz-date") && !request.headers.has("date")) {
    throw new SesRejection(400, "IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
}

/** The JSON body as `schema` describes it, refused the way SES refuses a malformed request. */
async function readBody<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  if (!hasMediaType(request, "application/json")) {
    throw new SesRejection(400, "BadRequestException", `Expected an application/json body (got ${request.headers.get("content-type") ?? "no Content-Type"})`);
  }
  const body = await readJson(request);
  if (body === undefined) throw new SesRejection(400, "SerializationException", "The request body is not valid JSON");
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SesRejection(400, "BadRequestException", `${issue.path.join(".") || "(body)"}: ${issue.message}`);
  }
  return parsed.data;
}

async function readRequest(request: Request): Promise<SendEmailRequest> {
  const parsed = await readBody(request, SendEmailRequest);
  const kinds = (["Raw", "Simple", "Template"] as const).filter((kind) => parsed.Content[kind] !== undefined);
  if (kinds.length !== 1) throw new SesRejection(400, "BadRequestException", "Content must have exactly one of Simple, Raw or Template");
  if (kinds[0] === "Template") throw new SesRejection(400, "BadRequestException", "The local sink does not render SES templates; send Simple or Raw content");
  return parsed;
}

/** Strict base64 (whitespace allowed, as SDKs wrap long lines): undefined when it is not base64. */
function decodeBase64(data: string): Uint8Array | undefined {
  const compact = data.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  const binary = atob(compact);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function nonEmpty(list: string[] | undefined): string[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

function requireRecipients(...lists: (string[] | undefined)[]): void {
  if (lists.every((list) => !list?.length)) throw new SesRejection(400, "BadRequestException", "The message has no recipients: set Destination or To/Cc headers");
}

interface Capture {
  capture: NewCapture;
  attachments: AttachmentContent[];
}

async function captureRaw(request: SendEmailRequest, data: string): Promise<Capture> {
  const bytes = decodeBase64(data);
  if (!bytes) throw new SesRejection(400, "BadRequestException", "Content.Raw.Data is not valid base64");
  const mime = await parseRawEmail(bytes).catch(() => {
    throw new SesRejection(400, "MessageRejected", "Content.Raw.Data is not a parsable MIME message");
  });
  const from = mime.from ?? request.FromEmailAddress;
  if (!from) throw new SesRejection(400, "MessageRejected", "The message has no From header and FromEmailAddress is not set");
  const destination = request.Destination ?? {};
  // What the message itself says wins for display; the envelope fills in what it leaves out.
  const to = nonEmpty(mime.to) ?? destination.ToAddresses ?? [];
  const cc = nonEmpty(mime.cc) ?? destination.CcAddresses;
  requireRecipients(to, cc, destination.BccAddresses);
  return {
    capture: {
      channel: "email",
      provider: "ses",
      from,
      to,
      cc: nonEmpty(cc),
      bcc: nonEmpty(destination.BccAddresses),
      // The envelope's list is the complete one: some MIME builders keep only the first Reply-To.
      replyTo: nonEmpty(request.ReplyToAddresses) ?? nonEmpty(mime.replyTo),
      subject: mime.subject,
      text: mime.text,
      html: mime.html,
      headers: mime.headers,
      raw: { ...request, Content: { Raw: { Data: `(${bytes.byteLength} bytes of MIME, parsed above)` } } },
    },
    attachments: mime.attachments,
  };
}

function captureSimple(request: SendEmailRequest, simple: NonNullable<SendEmailRequest["Content"]["Simple"]>): Capture {
  if (!request.FromEmailAddress) throw new SesRejection(400, "BadRequestException", "FromEmailAddress is required with Simple content");
  if (!simple.Body.Text && !simple.Body.Html) throw new SesRejection(400, "BadRequestException", "Content.Simple.Body needs Text or Html");
  const destination = request.Destination ?? {};
  requireRecipients(destination.ToAddresses, destination.CcAddresses, destination.BccAddresses);
  return {
    capture: {
      channel: "email",
      provider: "ses",
      from: request.FromEmailAddress,
      to: destination.ToAddresses ?? [],
      cc: nonEmpty(destination.CcAddresses),
      bcc: nonEmpty(destination.BccAddresses),
      replyTo: nonEmpty(request.ReplyToAddresses),
      subject: simple.Subject.Data,
      text: simple.Body.Text?.Data,
      html: simple.Body.Html?.Data,
      headers: simple.Headers ? Object.fromEntries(simple.Headers.map((h) => [h.Name.toLowerCase(), h.Value])) : undefined,
      raw: request,
    },
    attachments: [],
  };
}

/** The shape of a real SES message id, so nothing downstream is surprised by it. */
function sesMessageId(): string {
  return `${randomHex(8)}-${crypto.randomUUID()}-000000`;
}

async function sendEmail(c: Context<AppEnv>): Promise<Response> {
  try {
    checkSignaturePresent(c.req.raw);
    const request = await readRequest(c.req.raw);
    const { Raw: raw, Simple: simple } = request.Content;
    const { capture, attachments } = raw ? await captureRaw(request, raw.Data) : captureSimple(request, simple!);
    const messageId = sesMessageId();
    await saveMessage(c.env.BUCKET, { ...capture, providerMessageId: messageId }, attachments);
    reportDeliveries(c, request.FromEmailAddress ?? capture.from ?? "", [{ messageId, destination: [...capture.to, ...(capture.cc ?? []), ...(capture.bcc ?? [])] }]);
    return Response.json({ MessageId: messageId }, { headers: { "x-amzn-RequestId": crypto.randomUUID() } });
  } catch (err) {
    if (err instanceof SesRejection) return err.response();
    throw err;
  }
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#x60;", "=": "&#x3D;" };

/**
 * Expands the simple substitutions SES documents for inline templates: `{{{name}}}` inserts the
 * value as it is, `{{name}}` HTML-escaped (Handlebars' escaping, which SES renders with). A
 * missing value is empty. Nothing else of Handlebars is needed: the SES adapter's template is
 * placeholders only.
 *
 * @example
 * ```ts
 * expandTemplate("{{{html}}} by {{name}}", { html: "<b>Hi</b>", name: "A & B" }) // "<b>Hi</b> by A &amp; B"
 * ```
 */
export function expandTemplate(template: string, data: Record<string, unknown>): string {
  return template.replace(/\{\{\{\s*([^{}\s]+)\s*\}\}\}|\{\{\s*([^{}\s]+)\s*\}\}/g, (_, raw: string | undefined, escaped: string | undefined) => {
    const value = data[(raw ?? escaped)!];
    const text = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
    return raw !== undefined ? text : text.replace(/[&<>"'`=]/g, (ch) => HTML_ESCAPES[ch]!);
  });
}

/** A JSON object from template data, or undefined when it is not one. */
function templateData(json: string | undefined): Record<string, unknown> | undefined {
  if (json === undefined) return {};
  try {
    const value = JSON.parse(json) as unknown;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Header fields as the inbox keeps them: lowercase names, a bulk entry's own replacing the template's. */
function headerRecord(...lists: ({ Name: string; Value: string }[] | undefined)[]): Record<string, string> | undefined {
  const headers = Object.fromEntries(lists.flatMap((list) => list ?? []).map((h) => [h.Name.toLowerCase(), h.Value]));
  return Object.keys(headers).length > 0 ? headers : undefined;
}

type BulkEntryResult = { Status: "SUCCESS"; MessageId: string } | { Status: "INVALID_PARAMETER"; Error: string };

/** One bulk entry rendered and captured as its own message, or the reason it is refused. */
async function captureBulkEntry(c: Context<AppEnv>, request: SendBulkEmailRequest, entry: BulkEmailEntry): Promise<BulkEntryResult> {
  const template = request.DefaultContent.Template;
  const defaults = templateData(template.TemplateData);
  const replacement = templateData(entry.ReplacementEmailContent?.ReplacementTemplate?.ReplacementTemplateData);
  if (!defaults || !replacement) return { Status: "INVALID_PARAMETER", Error: "The template data is not a JSON object" };
  const { ToAddresses: to = [], CcAddresses: cc, BccAddresses: bcc } = entry.Destination;
  if (!to.length && !cc?.length && !bcc?.length) return { Status: "INVALID_PARAMETER", Error: "The entry has no recipients" };
  const data = { ...defaults, ...replacement };
  const content = template.TemplateContent!;
  const messageId = sesMessageId();
  const { BulkEmailEntries: _entries, ...shared } = request;
  await saveMessage(c.env.BUCKET, {
    channel: "email",
    provider: "ses",
    providerMessageId: messageId,
    // Sender names arrive as RFC 2047 encoded-words (no MIME message carries them): shown decoded.
    from: decodeWords(request.FromEmailAddress),
    to,
    cc: nonEmpty(cc),
    bcc: nonEmpty(bcc),
    replyTo: nonEmpty(request.ReplyToAddresses?.map((address) => decodeWords(address))),
    subject: expandTemplate(content.Subject ?? "", data),
    text: content.Text !== undefined ? expandTemplate(content.Text, data) : undefined,
    html: content.Html !== undefined ? expandTemplate(content.Html, data) : undefined,
    headers: headerRecord(template.Headers, entry.ReplacementHeaders),
    raw: { ...shared, BulkEmailEntry: entry },
  });
  return { Status: "SUCCESS", MessageId: messageId };
}

/**
 * SendBulkEmail with an inline template (TemplateContent): each entry is rendered with its
 * replacement data over the template's defaults and captured as its own message; the answer
 * has one BulkEmailEntryResult per entry, in order. An entry whose data is not a JSON object or
 * which has no recipient is refused on its own (INVALID_PARAMETER), the others still go out.
 */
async function sendBulkEmail(c: Context<AppEnv>): Promise<Response> {
  try {
    checkSignaturePresent(c.req.raw);
    const request = await readBody(c.req.raw, SendBulkEmailRequest);
    const content = request.DefaultContent.Template.TemplateContent;
    if (!content) throw new SesRejection(400, "BadRequestException", "The local sink does not store SES templates; send DefaultContent.Template.TemplateContent");
    if (!content.Subject) throw new SesRejection(400, "BadRequestException", "DefaultContent.Template.TemplateContent.Subject is required");
    if (content.Html === undefined && content.Text === undefined) throw new SesRejection(400, "BadRequestException", "DefaultContent.Template.TemplateContent needs Text or Html");
    // All at once: each entry takes its (time-ordered) inbox id before its first write, so the
    // inbox still lists them in order, and a merge's delivery is not held up by the sink's writes.
    const results: BulkEntryResult[] = await Promise.all(request.BulkEmailEntries.map((entry) => captureBulkEntry(c, request, entry)));
    reportDeliveries(
      c,
      request.FromEmailAddress,
      results.flatMap((result, i) => {
        const d = request.BulkEmailEntries[i]!.Destination;
        return result.Status === "SUCCESS" ? [{ messageId: result.MessageId, destination: [...(d.ToAddresses ?? []), ...(d.CcAddresses ?? []), ...(d.BccAddresses ?? [])] }] : [];
      }),
    );
    return Response.json({ BulkEmailEntryResults: results }, { headers: { "x-amzn-RequestId": crypto.randomUUID() } });
  } catch (err) {
    if (err instanceof SesRejection) return err.response();
    throw err;
  }
}

function unknownOperation(c: Context<AppEnv>): Response {
  return new SesRejection(
    404,
    "UnknownOperationException",
    `The local SES sink only implements POST ${SEND_EMAIL_PATH} and POST ${SEND_BULK_EMAIL_PATH} (got ${c.req.method} ${c.req.path})`,
  ).response();
}

/**
 * With SES receipts wired (RECEIPT_PROVIDERS names ses, SES_SNS_TOPIC_ARNS set), what SES would
 * publish next: a Delivery event per message through SNS to /hooks/ses, after the answer.
 */
function reportDeliveries(c: Context<AppEnv>, source: string, sent: { messageId: string; destination: string[] }[]): void {
  const topicArn = (c.env.SES_SNS_TOPIC_ARNS ?? "").split(",")[0]?.trim();
  if (!receiptsWired(c.env, "ses") || !topicArn || sent.length === 0) return;
  c.executionCtx.waitUntil(sesDeliveryEvents(c.env.BUCKET, new URL(c.req.url).origin, topicArn, sent.map((m) => ({ ...m, source }))));
}

/** The dev SNS signing key (public half), at the SigningCertURL the sink's notifications name. */
async function signingCert(c: Context<AppEnv>): Promise<Response> {
  return new Response(await devSnsPublicKeyPem(c.env.BUCKET), { headers: { "content-type": "application/x-pem-file" } });
}

/** Mounts the SES v2 SendEmail and SendBulkEmail sink under /dev/sink/ses (SES_ENDPOINT=…/dev/sink/ses), and the dev SNS key. */
export function registerSesSink(app: App): void {
  app.post(SEND_EMAIL_PATH, sendEmail);
  app.post(SEND_BULK_EMAIL_PATH, sendBulkEmail);
  app.get(DEV_SNS_CERT_PATH, signingCert);
  app.all("/dev/sink/ses/*", unknownOperation);
}
