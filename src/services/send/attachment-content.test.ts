import { describe, expect, it } from "vitest";
import { contentProblem, filenameProblem, serviceFilenameProblem } from "./attachment-content";

const bytes = (...parts: Array<string | number[]>) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));
const zipWith = (...names: string[]) => bytes([0x50, 0x4b, 0x03, 0x04], "\0".repeat(26), names.join("\0"));

describe("contentProblem: the leading bytes must match the declared type", () => {
  it.each([
    ["application/pdf", bytes("%PDF-1.7\n…")],
    ["image/png", bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "IHDR")],
    ["image/jpeg", bytes([0xff, 0xd8, 0xff, 0xe0], "JFIF")],
    ["image/gif", bytes("GIF89a…")],
    ["image/gif", bytes("GIF87a…")],
    ["application/rtf", bytes("{\\rtf1\\ansi …}")],
    ["application/msword", bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])],
    ["application/vnd.ms-excel", bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])],
    ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", zipWith("[Content_Types].xml", "word/document.xml")],
    ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", zipWith("[Content_Types].xml", "xl/workbook.xml")],
    ["application/vnd.oasis.opendocument.text", bytes([0x50, 0x4b, 0x03, 0x04], "\0".repeat(26), "mimetypeapplication/vnd.oasis.opendocument.text")],
    ["text/plain", new TextEncoder().encode("héllo ✓\r\n")],
    ["text/csv", bytes("a,b\n1,2\n")],
    ["text/calendar", bytes("BEGIN:VCALENDAR\r\n")],
    ["application/json", bytes('{"a":1}')],
  ])("accepts %s", (type, content) => {
    expect(contentProblem(type, content)).toBeNull();
  });

  it.each([
    ["a Windows executable declared as a PDF", "application/pdf", bytes("MZ\x90\0")],
    ["a Windows executable declared as text", "text/plain", bytes("MZ")],
    ["an ELF binary declared as PNG", "image/png", bytes([0x7f], "ELF")],
    ["a Mach-O binary", "application/json", bytes([0xcf, 0xfa, 0xed, 0xfe])],
    ["a universal binary", "text/csv", bytes([0xca, 0xfe, 0xba, 0xbe])],
    ["a shell script declared as text", "text/plain", bytes("#!/bin/sh\nrm -rf /")],
  ])("refuses %s, whatever the declaration", (_label, type, content) => {
    expect(contentProblem(type, content)).toMatch(/executables cannot be attached/);
  });

  it.each([
    ["HTML declared as PDF", "application/pdf", bytes("<html>")],
    ["a PNG declared as JPEG", "image/jpeg", bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ["a bare ZIP declared as DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", zipWith("evil.js")],
    ["an XLSX declared as DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", zipWith("[Content_Types].xml", "xl/workbook.xml")],
    ["an ODS declared as ODT", "application/vnd.oasis.opendocument.text", bytes([0x50, 0x4b, 0x03, 0x04], "\0".repeat(26), "mimetypeapplication/vnd.oasis.opendocument.spreadsheet")],
    ["binary declared as text", "text/plain", bytes([0xff, 0xfe, 0x00, 0x41])],
    ["NUL bytes in CSV", "text/csv", bytes("a,b\0")],
    ["a GIF declared as RTF", "application/rtf", bytes("GIF89a")],
  ])("refuses %s", (_label, type, content) => {
    expect(contentProblem(type, content)).toMatch(/^The content is not/);
  });
});

describe("filenameProblem", () => {
  it.each([
    ["application/pdf", "invoice.pdf"],
    ["application/pdf", "Facture n° 42 – été.PDF"],
    ["application/pdf", "evil.exe.pdf"],
    ["image/jpeg", "photo.jpeg"],
    ["text/calendar", "meeting.ics"],
    ["application/pdf", "Invoice #42 (copy) [final] + notes, Q&A, Ann's!.pdf"],
    ["application/pdf", "Übersicht – März 2025 — 100 €.pdf"],
    ["application/pdf", "e\u0301te\u0301 re\u0301sume\u0301.pdf"],
    ["application/pdf", "فاتورة ١٠.pdf"],
    ["application/pdf", "請求書_2025-01.pdf"],
    ["application/pdf", "चालान-सूची.pdf"],
    ["text/plain", "📎 notes ~draft=1 @ann.txt"],
    ["application/pdf", "請求書１ ｖ２.pdf"],
  ])("accepts %s %j", (type, name) => {
    expect(filenameProblem(type, name)).toBeNull();
  });

  it.each([
    ["a B encoded-word", "=?UTF-8?B?ZXZpbC5leGU=?="],
    ["a Q encoded-word", "=?utf-8?q?evil=2Eexe?="],
    ["an encoded-word inside a name", "report =?iso-8859-1?Q?x?=.pdf"],
  ])("refuses %s", (_label, name) => {
    expect(filenameProblem("application/pdf", name)).toMatch(/encoded-word/);
  });

  it.each(["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C", "\u200B", "\u00AD", "\u0000", "\u001B", "\u007F", "\u0085", "\u2028"])(
    "refuses U+%s",
    (char) => {
      expect(filenameProblem("application/pdf", `invoice${char}fdp.pdf`)).toMatch(/control, invisible or bidirectional/);
    },
  );

  const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, "0");

  // Hangul fillers, blank braille, grapheme joiner, Khmer inherent vowels, Mongolian selectors,
  // variation selectors (and the supplementary ones), tags, invisible operators, word joiner.
  it.each([
    0x3164, 0x115f, 0x1160, 0xffa0, 0x2800, 0x034f, 0x17b4, 0x17b5, 0x180b, 0x180c, 0x180d, 0x180e, 0x180f, 0xfe00, 0xfe0f, 0xe0000, 0xe0001,
    0xe0041, 0xe007f, 0xe0100, 0x2061, 0x2062, 0x2063, 0x2064, 0x200b, 0x200d, 0x2060, 0x00ad, 0x1d173,
  ].map((cp) => [hex(cp), cp] as const))("refuses the invisible U+%s, naming its code point", (_hex, cp) => {
    const char = String.fromCodePoint(cp);
    for (const name of [`invoice${char}.pdf`, `a${char}exe.pdf`]) {
      expect(filenameProblem("application/pdf", name)).toBe(`Must not contain control, invisible or bidirectional characters (U+${hex(cp)})`);
    }
  });

  // One dot leader, fullwidth, ideographic and halfwidth ideographic full stops, small full stop,
  // middle dots, reversed question mark, Syriac and Vai full stops: each shows "a.exe".
  it.each([0x2024, 0xff0e, 0x3002, 0xff61, 0xfe52, 0x2e2e, 0x00b7, 0x2027, 0x30fb, 0x0701, 0xa60e, 0x2e31].map((cp) => [hex(cp), cp] as const))(
    "refuses the dot look-alike U+%s, naming its code point",
    (_hex, cp) => {
      const char = String.fromCodePoint(cp);
      for (const [type, name] of [["text/plain", `a${char}exe`], ["application/pdf", `invoice${char}exe.pdf`]] as const) {
        expect(filenameProblem(type, name)).toBe(`Must not contain U+${hex(cp)} ("${char}"): a file name may hold letters, digits, symbols, dashes, single spaces and . _ - ( ) [ ] + , & ' ! # @ ~ =`);
      }
    },
  );

  it.each([
    ["⒈ (digit one full stop)", "invoice⒈exe.pdf", /U\+2488 \("⒈"\), which normalises to "1\."/],
    ["℀ (account of)", "a℀c.pdf", /U\+2100 \("℀"\), which normalises to "a\/c"/],
    ["🄀 (digit zero full stop)", "a🄀exe.pdf", /U\+1F100 \("🄀"\), which normalises to "0\."/],
  ])("refuses %s, which reads differently once NFKC-normalised", (_label, name, message) => {
    // Each is a digit or symbol (allowed as such): only the normalised form shows the dot or slash.
    expect(filenameProblem("application/pdf", name)).toMatch(message);
  });

  it.each([
    ["a quote", 'a"b.pdf', 0x22],
    ["a semicolon", "a;b.pdf", 0x3b],
    ["a percent escape", "invoice%2Eexe.pdf", 0x25],
    ["a colon", "c:a.pdf", 0x3a],
    ["a question mark", "a?.pdf", 0x3f],
    ["an asterisk", "a*.pdf", 0x2a],
    ["angle brackets", "<b>.pdf", 0x3c],
    ["a pipe", "a|b.pdf", 0x7c],
    ["a no-break space", "a\u00A0b.pdf", 0xa0],
    ["an ideographic space", "a\u3000b.pdf", 0x3000],
    ["private use", "a\uE000b.pdf", 0xe000],
    ["an unassigned code point", "a\u0378b.pdf", 0x378],
  ])("refuses %s, naming its code point", (_label, name, cp) => {
    expect(filenameProblem("application/pdf", name)).toMatch(new RegExp(`^Must not contain U\\+${hex(cp)} `));
  });

  it.each([
    ["at the start", "\u0301invoice.pdf"],
    ["after a dot", "invoice.\u0301pdf"],
    ["after a space", "a \u20DD.pdf"],
  ])("refuses a combining mark %s", (_label, name) => {
    expect(filenameProblem("application/pdf", name)).toMatch(/^Must not contain a combining mark \(U\+[0-9A-F]{4}\) that follows no letter or digit$/);
  });

  it("refuses a run of spaces that would push the real extension out of sight", () => {
    expect(filenameProblem("application/pdf", "invoice.exe          .pdf")).toBe("Must not contain a run of spaces");
    expect(filenameProblem("application/pdf", "invoice exe .pdf")).toBeNull();
  });

  it.each([
    ["application/pdf", "invoice", ".pdf"],
    ["text/plain", "a", ".txt, .text, .log, .md"],
    ["text/plain", "README", ".txt, .text, .log, .md"],
    ["image/jpeg", "photo", ".jpg, .jpeg, .jpe, .jfif"],
  ])("for %s refuses %j: the extension is required", (type, name, expected) => {
    expect(filenameProblem(type, name)).toBe(`Must end in an extension that matches ${type} (${expected})`);
  });

  it.each(["exe", "bat", "cmd", "com", "js", "vbs", "scr", "msi", "ps1", "jar", "sh", "app", "dll", "lnk", "hta", "EXE"])("refuses .%s", (ext) => {
    expect(filenameProblem("text/plain", `report.pdf.${ext}`)).toMatch(/cannot be attached/);
  });

  it.each([
    ["application/pdf", "photo.png", /does not match application\/pdf/],
    ["image/png", "notes.txt", /does not match image\/png/],
    ["application/pdf", "../etc.pdf", /plain file name/],
    ["application/pdf", ".hidden.pdf", /plain file name/],
    ["application/pdf", "evil.exe.", /plain file name/],
    ["application/pdf", "evil.pdf ", /plain file name/],
  ])("for %s refuses %j", (type, name, message) => {
    expect(filenameProblem(type, name)).toMatch(message);
  });
});

describe("serviceFilenameProblem", () => {
  it("checks a service document's name before the document exists", () => {
    expect(serviceFilenameProblem("approval.pdf")).toBeNull();
    expect(serviceFilenameProblem("evil.exe")).toBe(".exe files cannot be attached");
    expect(serviceFilenameProblem("invoice\u202Efdp.exe")).toMatch(/U\+202E/);
    expect(serviceFilenameProblem("invoice")).toMatch(/^Must end in the extension of an allowed attachment type/);
    expect(serviceFilenameProblem("notes.xyz")).toMatch(/^Must end in the extension/);
  });
});
