type Level = "debug" | "info" | "warn" | "error";

/**
 * Structured log line (one JSON object), which Workers Logs indexes by field. Callers must never
 * pass secrets, API keys or message bodies here.
 */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
