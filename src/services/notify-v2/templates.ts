import { and, asc, eq, gt, inArray, isNull, or } from "drizzle-orm";
import { templates, templateVersions } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import type { Params } from "../content/render-channel";
import { renderTemplateVersion } from "../templates/preview";
import { type LoadedTemplate, loadTemplate, toTemplateView } from "../templates/templates";
import { NotifyV2Error } from "./errors";
import { notifyTime } from "./time";

/**
 * GOV.UK Notify's v2 template API over our templates (`api/app/v2/template`, `…/templates`).
 *
 * Only `email` and `sms` templates exist for Notify: a `msgApp` template is not one of its types,
 * so it is left out of `GET /v2/templates` and answers 404 by id, as an unknown id does. Letter
 * templates do not exist here, so `?type=letter` lists none.
 */

/** The template types a Notify client can ask for (`app/constants.py::TEMPLATE_TYPES`). */
export const NOTIFY_TEMPLATE_TYPES = ["sms", "email", "letter"] as const;
export type NotifyTemplateType = (typeof NOTIFY_TEMPLATE_TYPES)[number];

/** `TemplateBase.serialize_for_v2`, key for key. */
export interface NotifyTemplate {
  id: string;
  type: "sms" | "email";
  created_at: string;
  updated_at: string | null;
  created_by: string;
  version: number;
  body: string;
  subject: string | null;
  name: string;
  personalisation: Record<string, { required: true }>;
  postage: null;
  letter_contact_block: null;
}

/** `create_post_template_preview_response`, key for key. */
export interface NotifyTemplatePreview {
  id: string;
  type: "sms" | "email";
  version: number;
  body: string;
  html: string | null;
  subject: string | null;
  postage: null;
}

/** Templates read per D1 query while a listing streams: bodies may be up to 2 MB each. */
export const TEMPLATE_LIST_PAGE = 50;

type NotifyLoaded = LoadedTemplate & { template: { channel: "sms" | "email" } };

function isNotifyType(loaded: LoadedTemplate): loaded is NotifyLoaded {
  return loaded.template.channel === "sms" || loaded.template.channel === "email";
}

/**
 * A template version in Notify's shape. `created_by` is the tenant's name: Notify gives the
 * creator's email address and its schema requires a string, but we have no user accounts.
 * `updated_at` is null for version 1 and otherwise the time of the edit that made the version,
 * as Notify's history rows carry it; `created_at` is the template's.
 *
 * @example
 * ```ts
 * toNotifyTemplate(await loadTemplate(ctx, id, 2), ctx.tenant.name)
 * // { id, type: "sms", created_at: "2026-01-02T03:04:05.678000Z", updated_at: "…", created_by: "Tenant", version: 2, body: "Hi ((name))", subject: null, name: "Welcome", personalisation: { name: { required: true } }, postage: null, letter_contact_block: null }
 * ```
 */
export function toNotifyTemplate(loaded: NotifyLoaded, createdBy: string): NotifyTemplate {
  const view = toTemplateView(loaded);
  const { template, version } = loaded;
  return {
    id: template.id,
    type: template.channel,
    created_at: notifyTime(template.createdAt),
    updated_at: version.version === 1 ? null : notifyTime(version.createdAt),
    created_by: createdBy,
    version: version.version,
    body: version.body ?? "",
    subject: template.channel === "email" ? version.subject : null,
    name: view.name,
    personalisation: Object.fromEntries(view.params.map((name) => [name, { required: true as const }])),
    postage: null,
    letter_contact_block: null,
  };
}

async function loadNotifyTemplate(ctx: ServiceContext, id: string, version?: number): Promise<NotifyLoaded> {
  const loaded = await loadTemplate(ctx, id, version);
  if (!loaded || !isNotifyType(loaded)) throw NotifyV2Error.notFound();
  return loaded;
}

/**
 * `GET /v2/template/{id}` and `…/version/{version}`: the current or a given version of one of the
 * tenant's live email or SMS templates. Anything else (unknown, deleted, another tenant's, a
 * msgApp template, a version not made yet) is 404 NoResultFound.
 */
export async function getV2Template(ctx: ServiceContext, id: string, version?: number): Promise<NotifyTemplate> {
  return toNotifyTemplate(await loadNotifyTemplate(ctx, id, version), ctx.tenant.name);
}

/**
 * `GET /v2/templates`: every live email and SMS template of the tenant at its current version,
 * ordered by name as Notify orders them, one page of TEMPLATE_LIST_PAGE at a time (keyset on
 * the name, unique among live templates, then the id), so a caller can stream the list without
 * holding it all. Notify's list has no paging, and neither does the answer.
 *
 * @example
 * ```ts
 * for await (const page of v2TemplatePages(ctx, "sms")) write(page);
 * ```
 */
export async function* v2TemplatePages(ctx: ServiceContext, type?: NotifyTemplateType): AsyncGenerator<NotifyTemplate[]> {
  if (type === "letter") return;
  const channels = type ? [type] : (["email", "sms"] as const);
  let after: { name: string; id: string } | null = null;
  for (;;) {
    const rows: LoadedTemplate[] = await ctx.db
      .select({ template: templates, version: templateVersions })
      .from(templates)
      .innerJoin(templateVersions, and(eq(templateVersions.templateId, templates.id), eq(templateVersions.version, templates.currentVersion)))
      .where(
        and(
          eq(templates.tenantId, ctx.tenant.id),
          isNull(templates.deletedAt),
          inArray(templates.channel, [...channels]),
          after ? or(gt(templates.name, after.name), and(eq(templates.name, after.name), gt(templates.id, after.id))) : undefined,
        ),
      )
      .orderBy(asc(templates.name), asc(templates.id))
      .limit(TEMPLATE_LIST_PAGE);
    const page = rows.filter(isNotifyType).map((row) => toNotifyTemplate(row, ctx.tenant.name));
    if (page.length > 0) yield page;
    if (rows.length < TEMPLATE_LIST_PAGE) return;
    const last = rows.at(-1)!.template;
    after = { name: last.name, id: last.id };
  }
}

/**
 * `POST /v2/template/{id}/preview`: the current version rendered with `personalisation` by the
 * send path's own renderer, so the preview is what a send would deliver. `body` is the filled-in
 * content (an SMS normalised as sent), `html` the HTML part an email is sent with (null for SMS
 * and for a plain-text email, which is sent without one). Missing placeholders are Notify's
 * 400 BadRequestError `Missing personalisation: a, b`; a template that cannot be rendered is a
 * 400 BadRequestError naming the fault.
 *
 * @example
 * ```ts
 * await previewV2Template(ctx, id, { name: "Ann" })
 * // { id, type: "email", version: 3, body: "Hi Ann", html: "<p>Hi Ann</p>\n", subject: "Welcome", postage: null }
 * ```
 */
export async function previewV2Template(ctx: ServiceContext, id: string, personalisation: Params = {}): Promise<NotifyTemplatePreview> {
  const loaded = await loadNotifyTemplate(ctx, id);
  const { template, version } = loaded;
  let rendered;
  try {
    rendered = renderTemplateVersion(template.channel, version, personalisation, "personalisation");
  } catch (err) {
    throw notifyRenderError(err);
  }
  const base = { id: template.id, type: template.channel, version: version.version, postage: null };
  if (rendered.channel === "email") return { ...base, body: rendered.body, html: rendered.html ?? null, subject: rendered.subject };
  if (rendered.channel === "sms") return { ...base, body: rendered.body, html: null, subject: null };
  throw NotifyV2Error.notFound();
}

const MISSING_PREFIX = "personalisation.";

/** The send path's render 422 in Notify's words: missing names first, as Notify checks them first. */
function notifyRenderError(err: unknown): unknown {
  if (!(err instanceof ApiError) || err.code !== "unprocessable") return err;
  const missing = (err.errors ?? []).filter((e) => e.path.startsWith(MISSING_PREFIX)).map((e) => e.path.slice(MISSING_PREFIX.length));
  if (missing.length > 0) return NotifyV2Error.badRequest(`Missing personalisation: ${missing.join(", ")}`);
  return NotifyV2Error.badRequest((err.errors ?? []).map((e) => `${e.path} ${e.message}`).join("; ") || (err.detail ?? "The template cannot be rendered"));
}
