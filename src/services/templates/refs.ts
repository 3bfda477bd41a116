import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type Channel, templates } from "../../db/schema";
import type { FieldError } from "../../lib/errors/api-error";

/** A stored setting naming a template: which channel needs it and where it is written. */
export interface TemplateRef {
  id: string;
  channel: Channel;
  path: string;
}

/**
 * Checks templates named by stored configuration (tenant defaults, event types) the way a send
 * will: each must be a live template of this tenant for the same channel. One D1 query for all
 * of them; none when there are none.
 *
 * @example
 * ```ts
 * await checkTemplateRefs(db, tenantId, [{ id, channel: "sms", path: "sms.content.templateId" }])
 * // [{ path: "sms.content.templateId", message: "This is an email template; the sms channel needs an sms template" }]
 * ```
 */
export async function checkTemplateRefs(db: Db, tenantId: string, refs: TemplateRef[]): Promise<FieldError[]> {
  if (refs.length === 0) return [];
  const ids = [...new Set(refs.map((r) => r.id.toLowerCase()))];
  const rows = await db
    .select({ id: templates.id, channel: templates.channel })
    .from(templates)
    .where(and(inArray(templates.id, ids), eq(templates.tenantId, tenantId), isNull(templates.deletedAt)));
  const found = new Map(rows.map((r) => [r.id, r.channel]));
  const errors: FieldError[] = [];
  for (const ref of refs) {
    const channel = found.get(ref.id.toLowerCase());
    if (!channel) errors.push({ path: ref.path, message: "No such template" });
    else if (channel !== ref.channel) errors.push({ path: ref.path, message: `This is a ${channel} template; the ${ref.channel} channel needs a ${ref.channel} template` });
  }
  return errors;
}
