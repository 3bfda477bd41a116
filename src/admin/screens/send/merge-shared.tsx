import type { Context } from "hono";
import type { ServiceContext } from "../../../services/context";
import { getMergeUpload, type MergeRowError, type MergeUpload } from "../../../services/send/merge/uploads";
import { getTemplate, type TemplateView, toTemplateView } from "../../../services/templates/templates";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { TEMPLATE_ID } from "../templates/shared";
import { FormGroup, describedBy } from "../../layout";

export type MergeTemplate = TemplateView & { channel: "email" | "sms" };

/** The template of the URL if it is this tenant's email or SMS template; anything else is the 404 page. */
export async function mergeTemplate(ctx: ServiceContext, id: string): Promise<MergeTemplate> {
  if (!TEMPLATE_ID.test(id)) throw new AdminPageError(404);
  const view = toTemplateView(await getTemplate(ctx, id));
  if (view.channel !== "email" && view.channel !== "sms") throw new AdminPageError(404, "Only email and SMS templates can be merged.");
  return view as MergeTemplate;
}

/** The session's tenant, its upload of the URL and the upload's template; another tenant's upload is the 404 page. */
export async function loadUpload(c: Context<AdminEnv>): Promise<{ ctx: ServiceContext; upload: MergeUpload; template: MergeTemplate }> {
  const ctx = await tenantContextOf(c);
  const upload = await getMergeUpload(ctx, c.req.param("uploadId") ?? "");
  return { ctx, upload, template: await mergeTemplate(ctx, upload.templateId) };
}

/** The header a merge of `template` needs: its recipient column (GOV.UK Notify's name for it), then a column per placeholder. */
export function exampleHeader(template: MergeTemplate): string[] {
  return [template.channel === "email" ? "email address" : "phone number", ...template.params];
}

/** A CSV file as a download: UTF-8 with a BOM (so spreadsheets read it as UTF-8), never shown inline. */
export function csvDownload(c: Context<AdminEnv>, fileName: string, body: string): Response {
  c.header("content-type", "text/csv; charset=utf-8");
  c.header("content-disposition", `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`);
  return c.body(`\uFEFF${body}`);
}

/** Row errors as a captioned table (row, column, message), the first 100 of `total`. */
export function RowErrorsTable({ errors, total, id }: { errors: MergeRowError[]; total: number; id: string }) {
  if (errors.length === 0) return null;
  return (
    <table class="table" id={id} tabindex={-1}>
      <caption class="table__caption">{total > errors.length ? `Row errors: the first ${errors.length} of ${total}` : `Row errors (${total})`}</caption>
      <thead>
        <tr>
          <th scope="col" class="numeric">
            Row
          </th>
          <th scope="col">Column</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((e) => (
          <tr>
            <td class="numeric">{e.row ?? "–"}</td>
            <td>{e.column ?? "–"}</td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A file input (GOV.UK's file upload) for a CSV. */
export function FileField({ id, label, hint, error }: { id: string; label: string; hint?: string; error?: string }) {
  return (
    <FormGroup id={id} label={label} hint={hint} error={error}>
      <input class={error ? "file-upload input--error" : "file-upload"} id={id} name="file" type="file" accept=".csv,text/csv" aria-describedby={describedBy(id, hint, error)} aria-invalid={error ? "true" : undefined} />
    </FormGroup>
  );
}
