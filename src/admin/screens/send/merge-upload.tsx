import type { Context, Hono } from "hono";
import { ApiError } from "../../../lib/errors/api-error";
import { MAX_CSV_BYTES } from "../../../services/send/merge/csv";
import { MAX_MERGE_ROWS } from "../../../services/send/merge/merge-array";
import { storeMergeUpload, toCsv } from "../../../services/send/merge/uploads";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, errorFor, type FormError, page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { CHANNEL_LABELS } from "../templates/shared";
import { csvDownload, exampleHeader, FileField, type MergeTemplate, mergeTemplate } from "./merge-shared";

/** An example row: a recipient the sink delivers to, and each placeholder's name as its value. */
function exampleRow(template: MergeTemplate): string[] {
  return [template.channel === "email" ? "ann@example.com" : "+16135550142", ...template.params.map((p) => `example ${p}`)];
}

export function UploadPage({ template, errors }: { template: MergeTemplate; errors: FormError[] }) {
  const recipient = exampleHeader(template)[0];
  return (
    <>
      <a href="/admin/send" class="back-link">
        Back to templates
      </a>
      <ErrorSummary errors={errors} />
      <span class="caption">
        {CHANNEL_LABELS[template.channel]} template, version {template.version}
      </span>
      <h1 class="heading-l">Send {template.name} to a list</h1>
      <p class="body">
        Upload a CSV file with one row per message: a column <code>{recipient}</code> and a column for each placeholder of the template
        {template.params.length > 0 ? (
          <>
            {" "}
            (<code>{template.params.join(", ")}</code>)
          </>
        ) : null}
        . The first row names the columns.
      </p>
      <p class="body">
        <a href={`/admin/send/${template.id}/merge/example.csv`} download>
          Download an example CSV file for {template.name}
        </a>
      </p>
      <form method="post" action={`/admin/send/${template.id}/merge`} enctype="multipart/form-data" novalidate>
        <FileField
          id="file"
          label="CSV file"
          hint={`UTF-8, at most ${MAX_CSV_BYTES / 1024 / 1024} MB and ${MAX_MERGE_ROWS.toLocaleString("en")} rows. Nothing is sent yet: the file is checked first.`}
          error={errorFor(errors, "file")}
        />
        <button type="submit" class="button">
          Upload and check
        </button>
      </form>
    </>
  );
}

/** The send path's refusal of a file as an error at the file field; anything else is the error page's. */
function fileErrors(err: unknown): FormError[] {
  if (!(err instanceof ApiError) || ![400, 413, 415, 422].includes(err.status)) throw err;
  const message = err.errors?.find((e) => e.path === "file")?.message ?? err.detail ?? "The file cannot be read";
  return [{ field: "file", message: `The file cannot be used: ${message}` }];
}

function uploadPage(c: Context<AdminEnv>, template: MergeTemplate, errors: FormError[], status: 200 | 400 | 422 = 200) {
  return page(c, `${errors.length > 0 ? "Error: " : ""}Send ${template.name} to a list`, <UploadPage template={template} errors={errors} />, errors.length > 0 ? status : 200);
}

/**
 * /admin/send/{templateId}/merge (send role): the upload form with an example CSV made from the
 * template's placeholders; the upload (multipart) is bounded like the API's, kept, and answered
 * with a redirect to its check page.
 */
export function registerMergeUpload(admin: Hono<AdminEnv>): void {
  admin.get("/send/:id/merge", requireAdmin("send"), async (c) => {
    const template = await mergeTemplate(await tenantContextOf(c), c.req.param("id"));
    return uploadPage(c, template, []);
  });

  admin.get("/send/:id/merge/example.csv", requireAdmin("send"), async (c) => {
    const template = await mergeTemplate(await tenantContextOf(c), c.req.param("id"));
    // The header holds the tenant's placeholder names (escaped); the row is ours and must upload back as written.
    return csvDownload(c, `${template.name}-example.csv`, toCsv([exampleHeader(template)]) + toCsv([exampleRow(template)], { escapeFormulas: false }));
  });

  admin.post("/send/:id/merge", requireAdmin("send"), async (c) => {
    const ctx = await tenantContextOf(c);
    const template = await mergeTemplate(ctx, c.req.param("id"));
    // A body past the API's file bound plus framing was refused before this (admin/body-limit.ts).
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      return uploadPage(c, template, [{ field: "file", message: "The upload could not be read. Choose the file and try again." }], 400);
    }
    const file = form.file;
    let stored;
    try {
      stored = await storeMergeUpload(ctx, { templateId: template.id, channel: template.channel, fileName: file instanceof File ? file.name : "upload.csv", file: file instanceof File && file.size === 0 ? undefined : file });
    } catch (err) {
      return uploadPage(c, template, fileErrors(err), 422);
    }
    return c.redirect(`/admin/send/uploads/${stored.id}`, 303);
  });
}
