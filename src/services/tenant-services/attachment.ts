import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { tenantServices } from "../../db/schema/tenant-services";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import { ALLOWED_ATTACHMENT_TYPES, contentProblem, filenameProblem } from "../send/attachment-content";
import { callService, serviceFailure } from "./call";
import { SERVICE_LIMITS } from "./config";
import { mapParams } from "./mapping";
import { callable } from "./tenant-services";

/**
 * An attachment the email's delivery asks an attachment service for. Planned (and stored in the
 * delivery's payload) when the send is accepted: the service is named and its params mapped then,
 * so a missing param is a 422 and the preview shows exactly what will be asked for.
 */
export interface ServiceAttachmentRef {
  service: string;
  serviceId: string;
  /** What we POST: `{params, filename?}`. */
  request: { params: Record<string, unknown>; filename?: string };
}

/** A document an attachment service rendered, checked by the attachment rules. */
export interface ServiceDocument {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/**
 * Resolves one `{service, params?, filename?}` entry of a send's attachments: the service must
 * exist (422 at `{path}.service`), and its requestMapping is applied to the send's params merged
 * with the entry's own params (a missing param is a 422 at `{path}.params.{name}`).
 */
export async function planServiceAttachment(
  ctx: ServiceContext,
  entry: { service: string; params?: Record<string, unknown>; filename?: string },
  sendParams: Record<string, unknown>,
  path: string,
): Promise<ServiceAttachmentRef> {
  const row = await ctx.db.query.tenantServices.findFirst({
    where: and(eq(tenantServices.tenantId, ctx.tenant.id), eq(tenantServices.kind, "attachment"), eq(tenantServices.name, entry.service)),
  });
  if (!row) {
    throw new ApiError("unprocessable", { detail: `No attachment service named "${entry.service}"`, errors: [{ path: `${path}.service`, message: `No attachment service named "${entry.service}"` }] });
  }
  const config = row.config as { requestMapping?: Record<string, string> | string[] };
  const params = mapParams(config.requestMapping, { ...sendParams, ...entry.params }, { paramsPath: `${path}.params`, service: `attachment service "${row.name}"` });
  return { service: row.name, serviceId: row.id, request: { params, ...(entry.filename !== undefined ? { filename: entry.filename } : {}) } };
}

/** The file name in a Content-Disposition header (`filename*=UTF-8''…` first, then `filename=`). */
export function dispositionFilename(header: string | null): string | undefined {
  if (!header || header.length > 1024) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim());
    } catch {
      return undefined;
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header);
  return plain ? (plain[1]?.replace(/\\(.)/g, "$1") ?? plain[2]) : undefined;
}

/**
 * Calls the attachment service for one stored reference (at delivery time) and checks its answer:
 * the raw document, its Content-Type one of the allowed attachment types, at most 5 MB, passing
 * the content signature and file-name rules. The file name is the send's `filename`, else the
 * answer's Content-Disposition, else the service's configured `filename`. Every failure is a
 * ServiceCallError saying whether a retry may help.
 */
export async function fetchServiceDocument(db: Db, env: Env, tenantId: string, ref: ServiceAttachmentRef, signal?: AbortSignal): Promise<ServiceDocument> {
  const row = await db.query.tenantServices.findFirst({
    where: and(eq(tenantServices.id, ref.serviceId), eq(tenantServices.tenantId, tenantId), eq(tenantServices.kind, "attachment")),
  });
  const named = { row: { kind: "attachment", name: ref.service } };
  if (!row) throw serviceFailure(named, "not_found", "the service no longer exists", { retryable: false });
  const opened = await callable(env.API_KEY_ENCRYPTION_KEY, row);
  if ("error" in opened) throw serviceFailure(named, "misconfigured", opened.error, { retryable: false });

  const res = await callService(env, opened, ref.request, { maxBytes: SERVICE_LIMITS.maxDocumentBytes, accept: [...ALLOWED_ATTACHMENT_TYPES].join(", "), signal });
  const rejected = (message: string) => serviceFailure(opened, "rejected_document", message, { retryable: false, httpStatus: res.status });
  const contentType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!ALLOWED_ATTACHMENT_TYPES.has(contentType)) throw rejected(`the answer's type ${contentType || "(none)"} is not an allowed attachment type`);
  if (res.bytes.byteLength === 0) throw rejected("the document is empty");
  const filename = ref.request.filename ?? dispositionFilename(res.headers.get("content-disposition")) ?? opened.config.filename;
  if (!filename) throw rejected("no file name: give filename in the send or the service's configuration, or answer a Content-Disposition");
  const nameProblem = filename.length > 255 ? "longer than 255 characters" : filenameProblem(contentType, filename);
  if (nameProblem) throw rejected(`file name ${JSON.stringify(filename.slice(0, 100))}: ${nameProblem}`);
  const problem = contentProblem(contentType, res.bytes);
  if (problem) throw rejected(`the document: ${problem}`);
  return { filename, contentType, content: res.bytes };
}

/** Attachment limits for one email (the same as inline attachments: attachments.ts ATTACHMENT_LIMITS). */
const MAX_TOTAL_BYTES = 10 * 1024 * 1024;

/**
 * Every service attachment of one email, fetched in parallel (so the whole takes at most one
 * service timeout), in the order the send listed them. `inlineBytes` is the size of the email's
 * inline attachments: the documents and they together must stay within 10 MB. The first failure
 * (in list order) is thrown.
 */
export async function fetchServiceDocuments(db: Db, env: Env, tenantId: string, refs: ServiceAttachmentRef[], inlineBytes: number): Promise<ServiceDocument[]> {
  if (refs.length === 0) return [];
  const settled = await Promise.allSettled(refs.map((ref) => fetchServiceDocument(db, env, tenantId, ref)));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const documents = settled.map((s) => (s as PromiseFulfilledResult<ServiceDocument>).value);
  const total = documents.reduce((n, d) => n + d.content.byteLength, inlineBytes);
  if (total > MAX_TOTAL_BYTES) {
    const last = refs[refs.length - 1]!;
    throw serviceFailure({ row: { kind: "attachment", name: last.service } }, "too_large", `the email's attachments would total ${total} bytes; at most ${MAX_TOTAL_BYTES}`, { retryable: false });
  }
  return documents;
}
