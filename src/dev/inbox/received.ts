/** A received text as the dev inbox lists it. */
export interface InboxReceivedText {
  id: string;
  tenantId: string;
  notifyNumber: string;
  userNumber: string;
  content: string;
  provider: string;
  receivedAt: string;
}

/**
 * The newest texts received on any tenant's inbound numbers (the dev inbox is the developer's
 * view of the whole local deployment, as it is of everything the sinks took).
 *
 * @example
 * ```ts
 * await latestReceivedTexts(env.DB, 50) // [{ id, tenantId, notifyNumber: "+447700900000", userNumber: "+447700900123", content: "STOP", … }]
 * ```
 */
export async function latestReceivedTexts(db: D1Database, limit: number): Promise<InboxReceivedText[]> {
  const rows = await db
    .prepare("SELECT id, tenant_id, notify_number, user_number, content, provider, created_at FROM received_texts ORDER BY created_at DESC, id DESC LIMIT ?")
    .bind(limit)
    .all<{ id: string; tenant_id: string; notify_number: string; user_number: string; content: string; provider: string; created_at: number }>();
  return rows.results.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    notifyNumber: r.notify_number,
    userNumber: r.user_number,
    content: r.content,
    provider: r.provider,
    receivedAt: new Date(r.created_at).toISOString(),
  }));
}
