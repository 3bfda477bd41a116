import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { olderThan } from "../../db/keyset";
import {
  type BodyType,
  type Channel,
  type TemplateRow,
  type TemplateVersionRow,
  templates,
  templateVersions,
} from "../../db/schema";
import { uuidv7 } from "../../lib/ids";
import { ApiError } from "../../lib/errors/api-error";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import { requiredParams } from "../render/engine";
import type { Renderer } from "../render/renderer";
import { smsStats } from "../render/sms";
import type { ServiceContext } from "../context";
import { cardStrings, checkTemplateContent, type TemplateContent } from "./check-content";

export type { TemplateContent } from "./check-content";


export interface TemplateInput extends TemplateContent {
  name: string;
  channel: Channel;
}

export interface TemplateView {
  id: string;
  name: string;
  channel: Channel;
  version: number;
  subject: string | null;
  body: string | null;
  bodyType: BodyType | null;
  renderer: Renderer;
  card: Record<string, unknown> | unknown[] | null;
  /** Parameters a send must supply (required placeholders). */
  params: string[];
  /** SMS only: length and fragments of the body as written (placeholders unfilled). */
  sms?: { length: number; fragments: number; encoding: "GSM-7" | "UCS-2" };
  createdAt: string;
  updatedAt: string;
}

export interface LoadedTemplate {
  template: TemplateRow;
  version: TemplateVersionRow;
}

export function toTemplateView({ template, version }: LoadedTemplate): TemplateView {
  const renderer = version.renderer as Renderer;
  const texts = [version.subject, version.body, ...cardStrings(version.card).map((s) => s.value)].filter((t): t is string => !!t);
  const params = [...new Set(texts.flatMap((text) => paramsOf(text, renderer)))];
  return {
    id: template.id,
    // A version keeps the name it was made with; a rename is a new version.
    name: version.name ?? template.name,
    channel: template.channel,
    version: version.version,
    subject: version.subject,
    body: version.body,
    bodyType: version.bodyType,
    renderer,
    card: version.card ?? null,
    params,
    ...(template.channel === "sms" && version.body ? { sms: smsStats(version.body) } : {}),
    createdAt: template.createdAt.toISOString(),
    updatedAt: template.updatedAt.toISOString(),
  };
}

/**
 * A stored template is shown even if it no longer parses (stored before a rule was added): its
 * broken fields list no parameters, and a send or preview of it names the field at fault.
 */
function paramsOf(text: string, renderer: Renderer): string[] {
  try {
    return requiredParams(text, renderer);
  } catch {
    return [];
  }
}

function assertContent(channel: Channel, content: TemplateContent): void {
  const errors = checkTemplateContent(channel, content);
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The template content is not usable", errors });
}

function versionRow(templateId: string, version: number, name: string, content: TemplateContent, channel: Channel, now: Date): TemplateVersionRow {
  return {
    templateId,
    version,
    name,
    subject: content.subject ?? null,
    body: content.body ?? null,
    bodyType: channel === "email" ? (content.bodyType ?? "text") : null,
    renderer: content.renderer,
    card: content.card ?? null,
    createdAt: now,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed|SQLITE_CONSTRAINT/i.test(`${err.message} ${String(err.cause ?? "")}`);
}

export async function createTemplate(ctx: ServiceContext, input: TemplateInput): Promise<TemplateView> {
  assertContent(input.channel, input);
  const now = ctx.now;
  const template: TemplateRow = {
    id: uuidv7(),
    tenantId: ctx.tenant.id,
    name: input.name.trim(),
    channel: input.channel,
    currentVersion: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  const version = versionRow(template.id, 1, template.name, input, input.channel, now);
  try {
    await ctx.db.batch([ctx.db.insert(templates).values(template), ctx.db.insert(templateVersions).values(version)]);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new ApiError("conflict", {
        detail: `A template named "${template.name}" already exists`,
        errors: [{ path: "name", message: "Already used by another template" }],
      });
    }
    throw err;
  }
  return toTemplateView({ template, version });
}

/**
 * Finds a live template of this tenant with its current version (or `versionNumber`) in one D1
 * query; another tenant's template is indistinguishable from none.
 */
export async function loadTemplate(ctx: Pick<ServiceContext, "db" | "tenant">, templateId: string, versionNumber?: number): Promise<LoadedTemplate | null> {
  const rows = await ctx.db
    .select({ template: templates, version: templateVersions })
    .from(templates)
    .innerJoin(
      templateVersions,
      and(eq(templateVersions.templateId, templates.id), versionNumber ? eq(templateVersions.version, versionNumber) : eq(templateVersions.version, templates.currentVersion)),
    )
    .where(and(eq(templates.id, templateId.toLowerCase()), eq(templates.tenantId, ctx.tenant.id), isNull(templates.deletedAt)))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Several live templates of this tenant with their current versions, in one D1 query (a send
 * naming a template on more than one channel reads them together). Unknown ids are absent.
 *
 * @example
 * ```ts
 * const found = await loadTemplates(ctx, [emailTemplateId, smsTemplateId]); // Map id → LoadedTemplate
 * ```
 */
export async function loadTemplates(ctx: Pick<ServiceContext, "db" | "tenant">, templateIds: string[]): Promise<Map<string, LoadedTemplate>> {
  const ids = [...new Set(templateIds.map((id) => id.toLowerCase()))];
  if (ids.length === 0) return new Map();
  const rows = await ctx.db
    .select({ template: templates, version: templateVersions })
    .from(templates)
    .innerJoin(templateVersions, and(eq(templateVersions.templateId, templates.id), eq(templateVersions.version, templates.currentVersion)))
    .where(and(inArray(templates.id, ids), eq(templates.tenantId, ctx.tenant.id), isNull(templates.deletedAt)));
  return new Map(rows.map((r) => [r.template.id, r]));
}

export async function getTemplate(ctx: ServiceContext, templateId: string, versionNumber?: number): Promise<LoadedTemplate> {
  const loaded = await loadTemplate(ctx, templateId, versionNumber);
  if (!loaded) {
    throw new ApiError("not_found", {
      detail: versionNumber ? `No version ${versionNumber} of template ${templateId}` : `No template ${templateId}`,
    });
  }
  return loaded;
}

export async function listTemplates(
  ctx: ServiceContext,
  page: PageRequest,
  filter: { name?: string; channel?: Channel },
): Promise<Page<TemplateView>> {
  const rows = await ctx.db
    .select({ template: templates, version: templateVersions })
    .from(templates)
    .innerJoin(templateVersions, and(eq(templateVersions.templateId, templates.id), eq(templateVersions.version, templates.currentVersion)))
    .where(
      and(
        eq(templates.tenantId, ctx.tenant.id),
        isNull(templates.deletedAt),
        filter.name !== undefined ? eq(templates.name, filter.name) : undefined,
        filter.channel ? eq(templates.channel, filter.channel) : undefined,
        olderThan(templates.createdAt, templates.id, page.cursor),
      ),
    )
    .orderBy(desc(templates.createdAt), desc(templates.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.template.createdAt.getTime(), id: r.template.id }), toTemplateView);
}

/**
 * Writes a new version from the current one plus `patch` (`null` clears a field). The version
 * bump is conditional on the version read, so two concurrent edits cannot both win. A patch that
 * changes nothing (the same values again, e.g. a retried request) writes nothing and answers the
 * current version: versions record changes, and a send's recorded version must mean something.
 */
export async function updateTemplate(
  ctx: ServiceContext,
  templateId: string,
  patch: Partial<Omit<TemplateContent, "renderer">> & { name?: string; renderer?: Renderer },
): Promise<TemplateView> {
  const current = await getTemplate(ctx, templateId);
  const { template, version } = current;
  const content: TemplateContent = {
    subject: patch.subject !== undefined ? patch.subject : version.subject,
    body: patch.body !== undefined ? patch.body : version.body,
    bodyType: patch.bodyType !== undefined ? patch.bodyType : version.bodyType,
    renderer: patch.renderer ?? (version.renderer as Renderer),
    card: patch.card !== undefined ? patch.card : version.card,
  };
  assertContent(template.channel, content);
  const name = patch.name?.trim() ?? template.name;
  if (name === template.name && sameContent(versionRow(template.id, version.version, name, content, template.channel, version.createdAt), version)) {
    return toTemplateView(current);
  }
  const now = ctx.now;
  const nextVersion = template.currentVersion + 1;
  const row = versionRow(template.id, nextVersion, name, content, template.channel, now);
  let results;
  try {
    results = await ctx.db.batch([
      ctx.db
        .update(templates)
        .set({ currentVersion: nextVersion, name, updatedAt: now })
        .where(and(eq(templates.id, template.id), eq(templates.currentVersion, template.currentVersion)))
        .returning({ id: templates.id }),
      ctx.db.insert(templateVersions).values(row),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) {
      const nameClash = name !== template.name;
      throw new ApiError("conflict", {
        detail: nameClash ? `A template named "${name}" already exists` : "The template was changed concurrently; read it again and retry",
        ...(nameClash ? { errors: [{ path: "name", message: "Already used by another template" }] } : {}),
      });
    }
    throw err;
  }
  if (results[0].length === 0) {
    throw new ApiError("conflict", { detail: "The template was changed concurrently; read it again and retry" });
  }
  return toTemplateView({ template: { ...template, name, currentVersion: nextVersion, updatedAt: now }, version: row });
}

function sameContent(a: TemplateVersionRow, b: TemplateVersionRow): boolean {
  return (
    a.subject === b.subject &&
    a.body === b.body &&
    a.bodyType === b.bodyType &&
    a.renderer === b.renderer &&
    JSON.stringify(a.card) === JSON.stringify(b.card)
  );
}

export async function deleteTemplate(ctx: ServiceContext, templateId: string): Promise<void> {
  const { template } = await getTemplate(ctx, templateId);
  await ctx.db.update(templates).set({ deletedAt: ctx.now }).where(eq(templates.id, template.id));
}
