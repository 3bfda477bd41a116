import { desc, eq } from "drizzle-orm";
import { templateVersions } from "../../db/schema";
import type { ServiceContext } from "../context";
import { getTemplate } from "./templates";

export interface TemplateVersionSummary {
  version: number;
  name: string;
  createdAt: string;
}

/**
 * The versions of one live template of this tenant, newest first (at most `limit`), for a
 * history list; another tenant's template is a 404 like every template read. Two D1 reads.
 *
 * @example
 * ```ts
 * const { current, versions } = await listTemplateVersions(ctx, templateId, 100);
 * ```
 */
export async function listTemplateVersions(ctx: ServiceContext, templateId: string, limit = 100): Promise<{ current: number; versions: TemplateVersionSummary[] }> {
  const { template } = await getTemplate(ctx, templateId);
  const rows = await ctx.db
    .select({ version: templateVersions.version, name: templateVersions.name, createdAt: templateVersions.createdAt })
    .from(templateVersions)
    .where(eq(templateVersions.templateId, template.id))
    .orderBy(desc(templateVersions.version))
    .limit(Math.max(1, Math.min(limit, 500)));
  return {
    current: template.currentVersion,
    versions: rows.map((r) => ({ version: r.version, name: r.name ?? template.name, createdAt: r.createdAt.toISOString() })),
  };
}
