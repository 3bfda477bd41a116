import type { CapturedMessage } from "../store";

const MAX_SUMMARY = 120;

/**
 * What a list row calls a message: its subject, else the first line of its text.
 *
 * @example
 * ```ts
 * summaryOf({ channel: "sms", text: "\nYour code is 1234\nDo not share it" }) // "Your code is 1234"
 * ```
 */
export function summaryOf(message: Pick<CapturedMessage, "channel" | "subject" | "text">): string {
  const line = message.subject?.trim() || message.text?.split("\n").find((l) => l.trim())?.trim();
  if (!line) return `(${message.channel} without text)`;
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}

/**
 * An ISO time as the inbox shows it.
 *
 * @example
 * ```ts
 * formatTime("2030-01-02T03:04:05.678Z") // "2030-01-02 03:04:05 UTC"
 * ```
 */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/**
 * A byte count for people.
 *
 * @example
 * ```ts
 * formatSize(2048) // "2.0 KB"
 * ```
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
