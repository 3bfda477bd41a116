import { UNSAFE_TEXT } from "../../lib/display-name";

/**
 * What an attachment's bytes and name must look like for its declared type. The declaration is
 * the sender's claim; mail clients open files by their content and their extension, so both are
 * held to it. A small table of signatures is enough here: the allowed types are few and each has a
 * fixed leading signature (or is text).
 */
interface TypeRule {
  /** File name extensions (lower case, without the dot) that open as this type. */
  extensions: readonly string[];
  /** Why the content is not this type, or null when it is. */
  check: (bytes: Uint8Array) => string | null;
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const startsWith = (bytes: Uint8Array, prefix: Uint8Array | readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

const PDF = ascii("%PDF-");
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii("GIF87a");
const GIF89 = ascii("GIF89a");
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const RTF = ascii("{\\rtf");

/** Executables and scripts, refused whatever type they are declared as. */
const EXECUTABLES: ReadonlyArray<{ name: string; magic: readonly number[] }> = [
  { name: "a Windows executable (MZ)", magic: [0x4d, 0x5a] },
  { name: "an ELF executable", magic: [0x7f, 0x45, 0x4c, 0x46] },
  { name: "a Mach-O executable", magic: [0xfe, 0xed, 0xfa, 0xce] },
  { name: "a Mach-O executable", magic: [0xfe, 0xed, 0xfa, 0xcf] },
  { name: "a Mach-O executable", magic: [0xce, 0xfa, 0xed, 0xfe] },
  { name: "a Mach-O executable", magic: [0xcf, 0xfa, 0xed, 0xfe] },
  { name: "a Mach-O universal binary or Java class", magic: [0xca, 0xfe, 0xba, 0xbe] },
  { name: "a script (#!)", magic: [0x23, 0x21] },
];

/** Extensions that run rather than open, refused whatever the declared type. */
export const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  "exe", "bat", "cmd", "com", "js", "jse", "vbs", "vbe", "wsf", "wsh", "scr", "msi", "msp", "ps1", "psm1", "jar",
  "sh", "app", "dll", "lnk", "hta", "cpl", "pif", "reg", "apk", "dmg", "iso", "scf", "url", "ws", "msc", "gadget",
]);

const signature = (label: string, ...magics: ReadonlyArray<Uint8Array | readonly number[]>) => (bytes: Uint8Array) =>
  magics.some((m) => startsWith(bytes, m)) ? null : `The content is not ${label}`;

/** Search in the raw bytes (latin1 keeps one character per byte). */
const latin1 = new TextDecoder("latin1");
const contains = (bytes: Uint8Array, text: string) => latin1.decode(bytes).includes(text);

/** OOXML is a ZIP holding `[Content_Types].xml` and the part folder of its application. */
const ooxml = (label: string, folder: string) => (bytes: Uint8Array) =>
  startsWith(bytes, ZIP) && contains(bytes, "[Content_Types].xml") && contains(bytes, folder) ? null : `The content is not ${label}`;

/** OpenDocument starts with a stored `mimetype` entry naming the type (ODF 1.2 §3.3). */
const openDocument = (label: string, mime: string) => (bytes: Uint8Array) =>
  startsWith(bytes, ZIP) && startsWith(bytes, ascii(`mimetype${mime}`), 30) ? null : `The content is not ${label}`;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const text = (label: string) => (bytes: Uint8Array) => {
  try {
    utf8.decode(bytes);
  } catch {
    return `The content is not ${label}: it is not UTF-8 text`;
  }
  return bytes.includes(0) ? `The content is not ${label}: it holds NUL bytes` : null;
};

const RULES: Readonly<Record<string, TypeRule>> = {
  "application/pdf": { extensions: ["pdf"], check: signature("a PDF (%PDF-)", PDF) },
  "image/png": { extensions: ["png"], check: signature("a PNG image", PNG) },
  "image/jpeg": { extensions: ["jpg", "jpeg", "jpe", "jfif"], check: signature("a JPEG image", JPEG) },
  "image/gif": { extensions: ["gif"], check: signature("a GIF image", GIF87, GIF89) },
  "text/plain": { extensions: ["txt", "text", "log", "md"], check: text("plain text") },
  "text/csv": { extensions: ["csv"], check: text("CSV text") },
  "text/calendar": { extensions: ["ics", "ical", "icalendar", "ifb"], check: text("calendar text") },
  "application/json": { extensions: ["json"], check: text("JSON text") },
  "application/rtf": { extensions: ["rtf"], check: signature("RTF ({\\rtf)", RTF) },
  "application/msword": { extensions: ["doc", "dot"], check: signature("a Word 97–2003 document", OLE) },
  "application/vnd.ms-excel": { extensions: ["xls", "xlt"], check: signature("an Excel 97–2003 workbook", OLE) },
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { extensions: ["docx"], check: ooxml("a Word document", "word/") },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { extensions: ["xlsx"], check: ooxml("an Excel workbook", "xl/") },
  "application/vnd.oasis.opendocument.text": {
    extensions: ["odt"],
    check: openDocument("an OpenDocument text", "application/vnd.oasis.opendocument.text"),
  },
  "application/vnd.oasis.opendocument.spreadsheet": {
    extensions: ["ods"],
    check: openDocument("an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet"),
  },
};

/** Types a tenant may attach: documents, images and data files (no executables, no archives). */
export const ALLOWED_ATTACHMENT_TYPES: ReadonlySet<string> = new Set(Object.keys(RULES));

/**
 * Why these bytes are not a file of `contentType` (an allowed type), or null when they are.
 * Executable signatures are refused first, whatever the declaration.
 *
 * @example
 * ```ts
 * contentProblem("application/pdf", new TextEncoder().encode("%PDF-1.7 …")) // null
 * contentProblem("application/pdf", Uint8Array.of(0x4d, 0x5a, 0x90, 0))   // "The content is a Windows executable (MZ); …"
 * ```
 */
export function contentProblem(contentType: string, bytes: Uint8Array): string | null {
  const executable = EXECUTABLES.find((e) => startsWith(bytes, e.magic));
  if (executable) return `The content is ${executable.name}; executables cannot be attached`;
  return RULES[contentType]?.check(bytes) ?? null;
}

/** MIME encoded-words (`=?UTF-8?B?…?=`): a client would decode one into a name we never checked. */
const ENCODED_WORD = /=\?[^?]*\?[bq]\?[^?]*\?=/i;
/**
 * Characters that show as nothing or as blank: controls, format characters (bidi marks, zero-width
 * characters, tags U+E0000–E007F, U+2061–2064), every default-ignorable code point (Hangul fillers
 * U+3164 and U+115F, variation selectors, U+034F, U+17B4…) and the blank braille pattern U+2800.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]/u;
/**
 * What a file name may hold: letters and digits of any script, combining marks after one of them,
 * symbols such as ° or € and dashes (both in use in real names, neither read as a separator), the
 * space, and a few ASCII marks. Every other punctuation is refused, which takes every dot look-alike
 * (U+2024, U+FF0E, U+3002, U+FE52, …) with it.
 */
const NAME_CHAR = /^[\p{L}\p{N}\p{So}\p{Sc}\p{Pd} ._\-()[\]+,&'!#@~=]$/u;
const MARK = /^\p{M}$/u;
const BASE = /^[\p{L}\p{N}\p{M}]$/u;
const UNSAFE_PATH = /[/\\]|^\.|\.\.|^\s|[\s.]$/;
const NAME_CHARS_MESSAGE = "a file name may hold letters, digits, symbols, dashes, single spaces and . _ - ( ) [ ] + , & ' ! # @ ~ =";

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Why one character of a file name is refused, or null; `previous` is the character before it. */
function characterProblem(char: string, previous: string | undefined): string | null {
  if (UNSAFE_TEXT.test(char) || INVISIBLE.test(char)) return `Must not contain control, invisible or bidirectional characters (${codePoint(char)})`;
  if (MARK.test(char)) {
    return previous !== undefined && BASE.test(previous) ? null : `Must not contain a combining mark (${codePoint(char)}) that follows no letter or digit`;
  }
  if (!NAME_CHAR.test(char)) return `Must not contain ${codePoint(char)} ("${char}"): ${NAME_CHARS_MESSAGE}`;
  // Compatibility forms are what a normalising client or file system makes of a name: `⒈` is
  // "1.", `℀` is "a/c". A character that becomes a dot, a separator or a refused character is
  // itself refused, so no name reads differently once normalised.
  const normal = char.normalize("NFKC");
  if (normal !== char && (/[./\\]/.test(normal) || [...normal].some((c) => !NAME_CHAR.test(c) && !MARK.test(c)))) {
    return `Must not contain ${codePoint(char)} ("${char}"), which normalises to "${normal}": ${NAME_CHARS_MESSAGE}`;
  }
  return null;
}

/**
 * Why `filename` may not travel with a file of `contentType`, or null when it may: a plain name
 * (no path, no leading dot, no trailing dot or space, no run of spaces), only the characters
 * NAME_CHAR allows (so no control, invisible, bidi or dot look-alike characters, each refusal
 * naming the code point), no MIME encoded-words, and an extension (what the receiving system
 * opens the file by) that is not an executable one and matches the declared type. A name without
 * an extension is refused: the receiving system would pick an application by other means.
 *
 * @example
 * ```ts
 * filenameProblem("application/pdf", "invoice.pdf")            // null
 * filenameProblem("application/pdf", "invoice\u202Efdp.exe")   // "Must not contain control, invisible or bidirectional characters (U+202E)"
 * filenameProblem("application/pdf", "invoice\u2024exe")       // "Must not contain U+2024 …"
 * filenameProblem("application/pdf", "=?UTF-8?B?ZXZpbC5leGU=?=") // "Must not be a MIME encoded-word …"
 * ```
 */
export function filenameProblem(contentType: string, filename: string): string | null {
  if (UNSAFE_PATH.test(filename)) return "Must be a plain file name (no path separators, leading dot, '..', or leading or trailing space or dot)";
  if (ENCODED_WORD.test(filename)) return "Must not be a MIME encoded-word (=?charset?B|Q?…?=): give the name itself; any Unicode is fine";
  let previous: string | undefined;
  for (const char of filename) {
    const problem = characterProblem(char, previous);
    if (problem) return problem;
    previous = char;
  }
  // Padding pushes the real extension out of sight: "invoice.pdf          .exe" shows as "invoice.pdf…".
  if (filename.includes("  ")) return "Must not contain a run of spaces";
  const dot = filename.lastIndexOf(".");
  const last = dot > 0 ? filename.slice(dot + 1).toLowerCase() : undefined;
  if (last !== undefined && EXECUTABLE_EXTENSIONS.has(last)) return `.${last} files cannot be attached`;
  const rule = RULES[contentType];
  const expected = rule?.extensions.map((e) => `.${e}`).join(", ");
  if (rule && last === undefined) return `Must end in an extension that matches ${contentType} (${expected})`;
  if (rule && last !== undefined && !rule.extensions.includes(last)) return `The extension .${last} does not match ${contentType} (expected ${expected})`;
  return null;
}

/**
 * The checks a file name can pass before its document exists (an attachment service renders it at
 * delivery): every rule of filenameProblem except the match with a type, and an extension that
 * some allowed type has.
 *
 * @example
 * ```ts
 * serviceFilenameProblem("approval.pdf") // null
 * serviceFilenameProblem("evil.exe")     // ".exe files cannot be attached"
 * ```
 */
export function serviceFilenameProblem(filename: string): string | null {
  const problem = filenameProblem("", filename);
  if (problem) return problem;
  const dot = filename.lastIndexOf(".");
  const last = dot > 0 ? filename.slice(dot + 1).toLowerCase() : undefined;
  const known = Object.values(RULES).some((rule) => last !== undefined && rule.extensions.includes(last));
  return known ? null : `Must end in the extension of an allowed attachment type (${[...new Set(Object.values(RULES).flatMap((r) => r.extensions))].map((e) => `.${e}`).join(", ")})`;
}
