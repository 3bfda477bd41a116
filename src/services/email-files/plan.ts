import { sha256Hex } from "../../lib/crypto/hash";
import { toBase64Url } from "../../lib/crypto/encoding";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import type { ServiceContext } from "../context";
import type { ResolvedChannel } from "../resolve/cascade";
import { EMAIL_FILE_LIMITS, isFileParam, readFileParam } from "./validate";

/** Where download links point (`${origin}/f/{fileId}?key=…`), served without credentials: the key is the authority. */
export const EMAIL_FILE_PATH = "/f";

/** A file of one send, validated and linked, to be stored with its notification (send/store.ts). */
export interface PlannedEmailFile {
  id: string;
  /** The link's secret: written only into the email; stored as its SHA-256. */
  secret: string;
  url: string;
  filename: string;
  contentType: string;
  content: Uint8Array;
  retentionWeeks: number;
  confirmEmail: boolean;
  /** With confirmation: the hashes of the addresses the email goes to (confirmHash), any of which opens the file. */
  confirmEmailHashes: string[];
  /** SHA-256 of the bytes: the duplicate window compares the file, not its link, which is new on every send. */
  contentHash: string;
  /** Where the file was written (`params.link_to_file`). */
  path: string;
}

/** The parameter names whose values are files (Notify's rule: an object with a `file` key). */
export function fileParamNames(params: Record<string, unknown>): string[] {
  return Object.keys(params).filter((name) => isFileParam(params[name]));
}

/**
 * The hash a confirmation address is kept as: salted with the file id, so the stored hashes of
 * one address differ from file to file and a table of addresses' hashes opens nothing.
 *
 * @example
 * ```ts
 * await confirmHash(fileId, " Amala@Example.com") === await confirmHash(fileId, "amala@example.com") // true
 * ```
 */
export function confirmHash(fileId: string, address: string): Promise<string> {
  return sha256Hex(`${fileId}\n${address.trim().toLowerCase()}`);
}

/**
 * An email channel's file parameters, validated and replaced by their download links before the
 * template is rendered (so `((link_to_file))` renders as the URL). Nothing is stored here: the
 * links' ids and secrets are made now, and the files are stored with the notification, after the
 * send is admitted (send/store.ts), so a refused send leaves nothing behind. Only the request's own
 * params may carry files (not tenant defaults or event types, which every send would repeat), at
 * most EMAIL_FILE_LIMITS.maxFiles of them; `merge` refuses them (a mail merge's rows would share
 * one file sent to many people). Every problem is a 400 naming the key at fault.
 *
 * @example
 * ```ts
 * const { params, files } = await planEmailFiles(ctx, resolved, resolved.params(), "params");
 * // params.link_to_file === "https://notify.example.gov/f/0193…?key=…"
 * ```
 */
export async function planEmailFiles(
  ctx: Pick<ServiceContext, "origin" | "now">,
  r: ResolvedChannel,
  params: Record<string, unknown>,
  paramsPath: string,
  options: { merge?: boolean } = {},
): Promise<{ params: Record<string, unknown>; files: PlannedEmailFile[] }> {
  const names = fileParamNames(params);
  if (names.length === 0) return { params, files: [] };
  const pathOf = (name: string) => r.pathOf(`params.${name}`);
  if (options.merge) {
    throw new ApiError("invalid_request", {
      detail: "Files cannot be sent in a mail merge: send each recipient their own email",
      errors: names.map((name) => ({ path: pathOf(name), message: "A mail merge cannot send a file by email" })),
    });
  }
  const errors: FieldError[] = [];
  if (names.length > EMAIL_FILE_LIMITS.maxFiles) {
    errors.push({ path: paramsPath, message: `${names.length} files; an email may carry at most ${EMAIL_FILE_LIMITS.maxFiles}` });
  }
  const out = { ...params };
  const files: PlannedEmailFile[] = [];
  for (const name of names) {
    const source = r.source(`params.${name}`);
    if (source !== "request" && source !== "augment") {
      errors.push({ path: pathOf(name), message: "Files are sent from a request's own params, not from stored defaults or event types" });
      continue;
    }
    const read = readFileParam(params[name] as Record<string, unknown>, pathOf(name));
    errors.push(...read.errors);
    if (!read.file) continue;
    const id = uuidv7(ctx.now.getTime());
    const secret = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const url = `${ctx.origin}${EMAIL_FILE_PATH}/${id}?key=${secret}`;
    out[name] = url;
    files.push({
      id,
      secret,
      url,
      // Notify makes up a name when none is given; ours is the file id's tail, which is unique to the file.
      filename: read.file.filename ?? `file-${id.slice(-12)}.${read.file.extension}`,
      contentType: read.file.contentType,
      content: read.file.content,
      retentionWeeks: read.file.retentionWeeks,
      confirmEmail: read.file.confirmEmail,
      confirmEmailHashes: [],
      contentHash: await sha256Hex(read.file.content),
      path: pathOf(name),
    });
  }
  if (errors.length > 0) throw new ApiError("invalid_request", { detail: "A file to send by email is not valid", errors });
  return { params: out, files };
}

/**
 * The files the rendered email links (a file whose parameter no placeholder uses would be stored
 * for no one), with the addresses that may confirm each: every address the email goes to.
 */
export async function linkedFiles(files: PlannedEmailFile[], rendered: string[], addresses: string[]): Promise<PlannedEmailFile[]> {
  const linked = files.filter((f) => rendered.some((text) => text.includes(f.id)));
  for (const file of linked) {
    if (file.confirmEmail) file.confirmEmailHashes = await Promise.all([...new Set(addresses.map((a) => a.toLowerCase()))].map((a) => confirmHash(file.id, a)));
  }
  return linked;
}
