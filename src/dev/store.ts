import { randomHex } from "./random";

// The dev inbox's storage: R2, under one prefix, so it never mixes with tenant files and clearing
// it is one prefix walk.
//
//   dev-sink/messages/{id}.json             one CapturedMessage per object
//   dev-sink/attachments/{id}/{index}       attachment bytes (content type and file name as metadata)
//
// An id starts with an inverted, zero-padded millisecond timestamp, so R2's lexicographic listing
// returns the newest message first without reading anything else.

export type CapturedChannel = "email" | "sms" | "chat";
export type CapturedProvider = "ses" | "twilio" | "slack" | "teams" | "rocketchat" | "webhook";

export interface CapturedAttachment {
  index: number;
  filename: string;
  contentType: string;
  size: number;
}

/** One message as a provider sink received it. */
export interface CapturedMessage {
  id: string;
  channel: CapturedChannel;
  provider: CapturedProvider;
  /** ISO 8601. */
  receivedAt: string;
  /** The id the sink answered with (SES MessageId, Twilio sid): a delivery's providerMessageId leads here. */
  providerMessageId?: string;
  from?: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string[];
  subject?: string;
  text?: string;
  html?: string;
  /** Email: the MIME headers. SMS and chat: the HTTP request headers, credentials redacted. */
  headers?: Record<string, string>;
  attachments?: CapturedAttachment[];
  /** What was posted: the JSON body (chat), the form fields (SMS), the SES request without the MIME. */
  raw?: unknown;
}

/** A message to capture, as a sink has decoded it; the store assigns id and time. */
export type NewCapture = Omit<CapturedMessage, "id" | "receivedAt" | "attachments">;

export interface AttachmentContent {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

const PREFIX = "dev-sink/";
const MESSAGES = `${PREFIX}messages/`;
const ATTACHMENTS = `${PREFIX}attachments/`;

/** Largest 13-digit millisecond timestamp (year 2286): inverted times stay 13 digits until then. */
const MAX_TIME = 9_999_999_999_999;
const ID_PATTERN = /^\d{13}-[0-9a-f]{8}$/;

/** R2 deletes at most this many keys per call. */
const DELETE_BATCH = 1000;

/**
 * A new message id that sorts before every older one.
 *
 * @example
 * ```ts
 * newMessageId(new Date("2030-01-01T00:00:00Z")) // "8106470399999-3fa9c2d1"
 * ```
 */
export function newMessageId(at: Date): string {
  const inverted = String(MAX_TIME - at.getTime()).padStart(13, "0");
  return `${inverted}-${randomHex(4)}`;
}

/** Whether `id` has the shape of a message id (anything else cannot name an object of ours). */
export function isMessageId(id: string): boolean {
  return ID_PATTERN.test(id);
}

function messageKey(id: string): string {
  return `${MESSAGES}${id}.json`;
}

function attachmentKey(id: string, index: number): string {
  return `${ATTACHMENTS}${id}/${index}`;
}

/**
 * Stores a captured message and its attachments. Attachments are written first, so a message
 * that can be listed always has its files.
 */
export async function saveMessage(
  bucket: R2Bucket,
  capture: NewCapture,
  attachments: AttachmentContent[] = [],
  at: Date = new Date(),
): Promise<CapturedMessage> {
  const id = newMessageId(at);
  await Promise.all(
    attachments.map((a, index) =>
      bucket.put(attachmentKey(id, index), a.content, {
        httpMetadata: { contentType: a.contentType },
        customMetadata: { filename: a.filename },
      }),
    ),
  );
  const message: CapturedMessage = {
    id,
    receivedAt: at.toISOString(),
    ...capture,
    ...(attachments.length > 0
      ? { attachments: attachments.map((a, index) => ({ index, filename: a.filename, contentType: a.contentType, size: a.content.byteLength })) }
      : {}),
  };
  await bucket.put(messageKey(id), JSON.stringify(message), { httpMetadata: { contentType: "application/json" } });
  return message;
}

/** The newest `limit` messages, newest first. */
export async function listMessages(bucket: R2Bucket, limit: number): Promise<CapturedMessage[]> {
  const listed = await bucket.list({ prefix: MESSAGES, limit });
  const messages = await Promise.all(listed.objects.map(async (o) => (await bucket.get(o.key))?.json<CapturedMessage>()));
  // A message cleared between the list and the read is simply gone.
  return messages.filter((m): m is CapturedMessage => m !== undefined);
}

/** One message, or null when there is no such message. */
export async function getMessage(bucket: R2Bucket, id: string): Promise<CapturedMessage | null> {
  if (!isMessageId(id)) return null;
  const object = await bucket.get(messageKey(id));
  return object ? object.json<CapturedMessage>() : null;
}

export interface StoredAttachment {
  filename: string;
  contentType: string;
  size: number;
  body: ReadableStream;
}

/** An attachment's bytes and description, or null when there is no such attachment. */
export async function getAttachment(bucket: R2Bucket, id: string, index: number): Promise<StoredAttachment | null> {
  if (!isMessageId(id) || !Number.isSafeInteger(index) || index < 0) return null;
  const object = await bucket.get(attachmentKey(id, index));
  if (!object) return null;
  return {
    filename: object.customMetadata?.filename ?? `attachment-${index}`,
    contentType: object.httpMetadata?.contentType ?? "application/octet-stream",
    size: object.size,
    body: object.body,
  };
}

/** Deletes every captured message and attachment; answers how many objects went. */
export async function clear(bucket: R2Bucket): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const listed = await bucket.list({ prefix: PREFIX, cursor, limit: DELETE_BATCH });
    const keys = listed.objects.map((o) => o.key);
    if (keys.length > 0) await bucket.delete(keys);
    deleted += keys.length;
    cursor = listed.truncated ? listed.cursor : undefined;
  } while (cursor);
  return deleted;
}
