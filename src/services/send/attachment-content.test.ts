import { describe, expect, it } from "vitest";
import { contentProblem, filenameProblem } from "./attachment-content";

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
    ["text/plain", "README"],
    ["text/calendar", "meeting.ics"],
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
