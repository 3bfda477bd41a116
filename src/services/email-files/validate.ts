import type { FieldError } from "../../lib/errors/api-error";
import { contentProblem, filenameProblem } from "../send/attachment-content";

/**
 * GOV.UK Notify's "send a file by email": a template parameter whose value is an object with a
 * `file` key is a file to put behind a download link, not text. Notify's own bounds and messages
 * (its API documentation's error table) are kept so a Notify client's handling carries over.
 */
export const EMAIL_FILE_LIMITS = {
  /** Notify's bound on one file, decoded (document-download's MAX_CONTENT_LENGTH: 2 MiB). */
  maxFileBytes: 2 * 1024 * 1024,
  /** Files in one send: Notify has no bound, ours keeps a send's work and storage bounded. */
  maxFiles: 10,
  maxFilenameChars: 100,
  defaultRetentionWeeks: 26,
  maxRetentionWeeks: 78,
} as const;

/** The keys Notify's `send_a_file_validation` schema allows (`additionalProperties: false`); `is_csv` is its legacy flag. */
export const FILE_PARAM_KEYS = ["file", "filename", "confirm_email_before_download", "retention_period", "is_csv"] as const;

/** Notify's allowed types by extension, with the type the download is served as. */
export const EMAIL_FILE_TYPES: Readonly<Record<string, string>> = {
  csv: "text/csv",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  jpeg: "image/jpeg",
  jpg: "image/jpeg",
  json: "application/json",
  odt: "application/vnd.oasis.opendocument.text",
  pdf: "application/pdf",
  png: "image/png",
  rtf: "application/rtf",
  txt: "text/plain",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

const SUPPORTED = Object.keys(EMAIL_FILE_TYPES).join(", ");

/**
 * What a file's leading bytes are when no name says, in the order tried (Notify guesses the type
 * and generates a name when `filename` is absent). Text is tried last: JSON when it parses, else
 * plain text (CSV only when the legacy `is_csv` says so).
 */
const SNIFFED: readonly [ext: string, type: string][] = [
  ["pdf", "application/pdf"],
  ["png", "image/png"],
  ["jpg", "image/jpeg"],
  ["rtf", "application/rtf"],
  ["doc", "application/msword"],
  ["docx", EMAIL_FILE_TYPES.docx!],
  ["xlsx", EMAIL_FILE_TYPES.xlsx!],
  ["odt", EMAIL_FILE_TYPES.odt!],
];

/** A file parameter as validated: its bytes, name and type, and the recipient's download rules. */
export interface EmailFileInput {
  content: Uint8Array;
  /** The name given, or one made from the id when none was (set by the planner). */
  filename: string | null;
  extension: string;
  contentType: string;
  confirmEmail: boolean;
  retentionWeeks: number;
}

/**
 * Whether a parameter value is a file to send, by Notify's own rule (`isinstance(v, dict) and
 * "file" in v`): any object with a `file` key, whatever else it holds (other keys are then refused).
 *
 * @example
 * ```ts
 * isFileParam({ file: "JVBERi0=", filename: "a.pdf" }) // true
 * isFileParam("plain text")                             // false
 * ```
 */
export function isFileParam(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, "file");
}

// A flat character class (not grouped quads): megabyte-long inputs must not exhaust the regex stack.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const RETENTION = /^(\d{1,3}) weeks?$/;

/** The longest `file` string worth reading: the base64 of the largest file with MIME line breaks, and some slack. */
const MAX_FILE_CHARS = Math.ceil(EMAIL_FILE_LIMITS.maxFileBytes / 3) * 4 * 1.05 + 1024;

const show = (value: unknown) => (typeof value === "string" ? value.slice(0, 40) : JSON.stringify(value)?.slice(0, 40));

/**
 * Validates one file parameter written at `path` (`params.link_to_file`): the keys, the base64
 * (decoded only once its size is known to be within bounds), the name and the type (the bytes must
 * be what the extension says), the confirmation flag and the retention period. Every problem is a
 * FieldError naming the key at fault, with Notify's message where Notify has one.
 *
 * @example
 * ```ts
 * const { file, errors } = readFileParam({ file: "JVBERi0xLjcK", filename: "letter.pdf", retention_period: "4 weeks" }, "params.letter");
 * // file.contentType === "application/pdf", file.retentionWeeks === 4, file.confirmEmail === true
 * ```
 */
export function readFileParam(value: Record<string, unknown>, path: string): { file: EmailFileInput | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const at = (key: string) => `${path}.${key}`;
  for (const key of Object.keys(value)) {
    if (!(FILE_PARAM_KEYS as readonly string[]).includes(key)) errors.push({ path: at(key), message: `Not a key of a file; a file takes ${FILE_PARAM_KEYS.slice(0, 4).join(", ")}` });
  }

  const confirm = value.confirm_email_before_download;
  if (confirm !== undefined && confirm !== null && typeof confirm !== "boolean") {
    errors.push({ path: at("confirm_email_before_download"), message: `Unsupported value for confirm_email_before_download: '${show(confirm)}'. Use a boolean true or false value.` });
  }
  const retention = value.retention_period;
  let retentionWeeks: number = EMAIL_FILE_LIMITS.defaultRetentionWeeks;
  if (retention !== undefined && retention !== null) {
    const match = typeof retention === "string" ? RETENTION.exec(retention) : null;
    const weeks = match ? Number(match[1]) : Number.NaN;
    if (!(weeks >= 1 && weeks <= EMAIL_FILE_LIMITS.maxRetentionWeeks)) {
      errors.push({ path: at("retention_period"), message: `Unsupported value for retention_period '${show(retention)}'. Supported periods are from 1 to ${EMAIL_FILE_LIMITS.maxRetentionWeeks} weeks.` });
    } else retentionWeeks = weeks;
  }
  const isCsv = value.is_csv;
  if (isCsv !== undefined && isCsv !== null && typeof isCsv !== "boolean") errors.push({ path: at("is_csv"), message: "Must be true or false" });

  const filename = value.filename;
  let extension: string | undefined;
  if (filename !== undefined && filename !== null) {
    if (isCsv !== undefined && isCsv !== null) errors.push({ path: at("is_csv"), message: "Give filename or is_csv, not both: the filename's extension says the type" });
    if (typeof filename !== "string" || filename.length === 0) errors.push({ path: at("filename"), message: "Must be a non-empty string" });
    else if (filename.length > EMAIL_FILE_LIMITS.maxFilenameChars) errors.push({ path: at("filename"), message: `\`filename\` cannot be longer than ${EMAIL_FILE_LIMITS.maxFilenameChars} characters` });
    else {
      const dot = filename.lastIndexOf(".");
      if (dot <= 0 || dot === filename.length - 1) errors.push({ path: at("filename"), message: "`filename` must end with a file extension. For example, filename.csv" });
      else {
        extension = filename.slice(dot + 1).toLowerCase();
        if (!EMAIL_FILE_TYPES[extension]) {
          errors.push({ path: at("filename"), message: `Unsupported file type '${extension}'. Supported types are: '${SUPPORTED}'` });
          extension = undefined;
        } else {
          // The name travels in Content-Disposition and shows in the recipient's downloads: the attachments' rules apply.
          const problem = filenameProblem(EMAIL_FILE_TYPES[extension]!, filename);
          if (problem) errors.push({ path: at("filename"), message: problem });
        }
      }
    }
  }

  const content = decodeFile(value.file, at("file"), errors);
  if (!content) return { file: null, errors };
  let contentType: string | undefined;
  if (extension) {
    contentType = EMAIL_FILE_TYPES[extension]!;
    const problem = contentProblem(contentType, content);
    if (problem) errors.push({ path: at("file"), message: `${problem} (the type .${extension} of filename)` });
  } else if (filename === undefined || filename === null) {
    const sniffed = sniff(content, isCsv === true);
    if (!sniffed) errors.push({ path: at("file"), message: `Unsupported file type: the content is none of '${SUPPORTED}' (give filename to say which)` });
    else [extension, contentType] = sniffed;
  }
  if (errors.length > 0 || !extension || !contentType) return { file: null, errors };
  return {
    file: { content, filename: typeof filename === "string" ? filename : null, extension, contentType, confirmEmail: confirm !== false, retentionWeeks },
    errors,
  };
}

/** The bytes of a `file` value, or null with the problem recorded; the size is checked before anything is decoded. */
function decodeFile(value: unknown, path: string, errors: FieldError[]): Uint8Array | null {
  if (typeof value !== "string") {
    errors.push({ path, message: "Must be the file's content as a base64 string" });
    return null;
  }
  const tooBig = (bytes: string) => ({ path, message: `File is larger than 2MB (${bytes} bytes decoded; at most ${EMAIL_FILE_LIMITS.maxFileBytes})` });
  if (value.length > MAX_FILE_CHARS) {
    errors.push(tooBig(`about ${Math.floor((value.length * 3) / 4)}`));
    return null;
  }
  const compact = value.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !BASE64_CHARS.test(compact)) {
    errors.push({ path, message: "Not valid base64" });
    return null;
  }
  const size = (compact.length / 4) * 3 - (compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0);
  if (size === 0) {
    errors.push({ path, message: "The file is empty" });
    return null;
  }
  if (size > EMAIL_FILE_LIMITS.maxFileBytes) {
    errors.push(tooBig(String(size)));
    return null;
  }
  const bin = atob(compact);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The extension and type the bytes are, when no name says (contentProblem's signatures, then text). */
function sniff(content: Uint8Array, csv: boolean): [string, string] | null {
  for (const [ext, type] of SNIFFED) if (contentProblem(type, content) === null) return [ext, type];
  if (contentProblem("text/plain", content) !== null) return null;
  if (csv) return ["csv", "text/csv"];
  try {
    JSON.parse(new TextDecoder().decode(content));
    return ["json", "application/json"];
  } catch {
    return ["txt", "text/plain"];
  }
}
