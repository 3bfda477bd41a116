import type { Context, Hono } from "hono";
import { ApiError } from "../../../lib/errors/api-error";
import { audit } from "../../../services/admin-identity";
import type { ServiceContext } from "../../../services/context";
import type { EmailPayload, SmsPayload } from "../../../services/send/payloads";
import { MAX_SCHEDULE_DAYS } from "../../../services/send/schedule";
import {
  checkMergeUpload,
  deleteMergeUpload,
  getMergeUpload,
  type MergeCheck,
  type MergeRowError,
  mergeRowErrors,
  type MergeUpload,
  previewMergeRow,
  sendMergeUpload,
  sentMergeOf,
  toCsv,
} from "../../../services/send/merge/uploads";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { CHANNEL_LABELS, formString, Radios } from "../templates/shared";
import { MessagePreview } from "./compose";
import { csvDownload, FileField, loadUpload, type MergeTemplate, mergeTemplate, RowErrorsTable } from "./merge-shared";

const numbers = new Intl.NumberFormat("en");
const plural = (n: number, one: string, many = `${one}s`) => `${numbers.format(n)} ${n === 1 ? one : many}`;

interface SendValues {
  when: "now" | "later";
  scheduledFor: string;
}

function CheckPage({ upload, template, check, values, formErrors, rowErrors }: { upload: MergeUpload; template: MergeTemplate; check: MergeCheck; values: SendValues; formErrors: FormError[]; rowErrors?: { errors: MergeRowError[]; total: number } }) {
  const errors = rowErrors ?? { errors: check.errors, total: check.errorsTotal };
  const blocked = check.problems.length > 0 || errors.total > 0 || check.sendable === 0;
  const summary: FormError[] = [
    ...check.problems.map((message) => ({ field: "file", message })),
    ...(errors.total > 0 ? [{ field: "row-errors", message: `${plural(errors.total, "error")} in the file: fix ${errors.total === 1 ? "it" : "them"} and upload the file again` }] : []),
    ...formErrors,
  ];
  const base = `/admin/send/uploads/${upload.id}`;
  return (
    <>
      <a href={`/admin/send/${template.id}/merge`} class="back-link">
        Back to the upload
      </a>
      <ErrorSummary errors={summary} />
      <span class="caption">
        {template.name} · {upload.fileName}
      </span>
      <h1 class="heading-l">{blocked ? "Your file cannot be sent yet" : `Check and send ${plural(check.sendable, "message")}`}</h1>
      <dl class="summary-list">
        <div class="summary-list__row">
          <dt class="summary-list__key">Rows</dt>
          <dd class="summary-list__value">{numbers.format(check.rows)}</dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">Rows that can be sent</dt>
          <dd class="summary-list__value">{numbers.format(check.sendable)}</dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">Suppressed recipients (left out)</dt>
          <dd class="summary-list__value">{numbers.format(check.suppressed)}</dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">Rows addressed outside your guest list</dt>
          <dd class="summary-list__value">{numbers.format(check.notAllowed)}</dd>
        </div>
      </dl>
      <RowErrorsTable errors={errors.errors} total={errors.total} id="row-errors" />
      {errors.total > 0 && (
        <p class="body">
          <a href={`${base}/errors.csv`} download>
            Download all {plural(errors.total, "error")} as CSV
          </a>
        </p>
      )}
      {!blocked && (
        <>
          <h2 class="heading-m">Preview a row</h2>
          <form method="get" action={`${base}/preview`} novalidate>
            <TextField id="row" name="row" label="Row number" hint={`From 1 to ${numbers.format(upload.rows)}; row 1 is the first row under the header`} type="number" value="1" error={errorFor(formErrors, "row")} />
            <button type="submit" class="button button--secondary">
              Preview row
            </button>
          </form>
          <h2 class="heading-m">Send</h2>
          <form method="post" action={base} novalidate>
            <Radios
              id="when"
              name="when"
              legend="When should the messages go?"
              error={errorFor(formErrors, "when")}
              value={values.when}
              options={[
                { value: "now", label: "Now" },
                { value: "later", label: "At a time set below" },
              ]}
            />
            <TextField
              id="scheduledFor"
              name="scheduledFor"
              label="Send at (UTC)"
              hint={`Only with "At a time set below": a date and time in UTC within ${MAX_SCHEDULE_DAYS} days, for example 2027-06-25T15:15`}
              type="datetime-local"
              value={values.scheduledFor}
              error={errorFor(formErrors, "scheduledFor")}
            />
            <button type="submit" class="button">
              Send {plural(check.sendable, "message")}
            </button>
          </form>
        </>
      )}
      <h2 class="heading-m">{blocked ? "Upload a corrected file" : "Upload another file instead"}</h2>
      <form method="post" action={`/admin/send/${template.id}/merge`} enctype="multipart/form-data" novalidate>
        <FileField id="file" label="CSV file" hint="The file is checked again; nothing is sent yet." />
        <button type="submit" class="button button--secondary">
          Upload and check
        </button>
      </form>
    </>
  );
}

async function checkPage(c: Context<AdminEnv>, ctx: ServiceContext, upload: MergeUpload, template: MergeTemplate, values: SendValues, formErrors: FormError[] = [], rowErrors?: { errors: MergeRowError[]; total: number }) {
  const check = await checkMergeUpload(ctx, upload);
  const title = `${formErrors.length > 0 ? "Error: " : ""}Check ${template.name} merge`;
  return page(c, title, <CheckPage upload={upload} template={template} check={check} values={values} formErrors={formErrors} rowErrors={rowErrors} />, formErrors.length > 0 ? 422 : 200);
}

function PreviewPage({ upload, template, row, result, styleNonce }: { upload: MergeUpload; template: MergeTemplate; row: number; styleNonce: string; result: { message: EmailPayload | SmsPayload } | { errors: MergeRowError[]; problems: string[] } }) {
  const base = `/admin/send/uploads/${upload.id}`;
  return (
    <>
      <a href={base} class="back-link">
        Back to the check
      </a>
      <span class="caption">
        {CHANNEL_LABELS[template.channel]} · {template.name} · {upload.fileName}
      </span>
      <h1 class="heading-l">Row {numbers.format(row)}</h1>
      {"message" in result ? (
        <MessagePreview message={result.message} name={`${template.name}, row ${row}`} styleNonce={styleNonce} />
      ) : (
        <>
          {result.problems.map((p) => (
            <p class="body">{p}</p>
          ))}
          <RowErrorsTable errors={result.errors} total={result.errors.length} id="row-errors" />
        </>
      )}
      <nav aria-label="Rows">
        <ul class="list">
          {row > 1 && (
            <li>
              <a href={`${base}/preview?row=${row - 1}`}>Previous row ({row - 1})</a>
            </li>
          )}
          {row < upload.rows && (
            <li>
              <a href={`${base}/preview?row=${row + 1}`}>Next row ({row + 1})</a>
            </li>
          )}
        </ul>
      </nav>
    </>
  );
}

/** The form's schedule: "now" or a time the send path reads as `delayedSend`. */
function sendValues(form: Record<string, unknown>): SendValues {
  return { when: formString(form, "when") === "later" ? "later" : "now", scheduledFor: formString(form, "scheduledFor").trim().slice(0, 64) };
}

/** A refusal at the schedule field when it is about `delayedSend`; other problems stay the page's. */
function scheduleErrors(problems: string[]): { form: FormError[]; rest: string[] } {
  const form: FormError[] = [];
  const rest: string[] = [];
  for (const p of problems) {
    if (p.startsWith("delayedSend")) form.push({ field: "scheduledFor", message: `Send at: ${p.replace(/^delayedSend:\s*/, "")}` });
    else rest.push(p);
  }
  return { form, rest };
}

/**
 * /admin/send/uploads/{uploadId} (send role): the check of an upload (counts, the first 100 row
 * errors with all of them as CSV), a row's preview, and the send (now or scheduled), which
 * redirects to the merge's progress page: the earlier merge's, with a notice, when the duplicate
 * window finds this file already sent (audited `merge.duplicate`, the upload deleted). The upload is the session tenant's or a 404.
 */
export function registerMergeCheck(admin: Hono<AdminEnv>): void {
  admin.get("/send/uploads/:uploadId", requireAdmin("send"), async (c) => {
    let loaded;
    try {
      loaded = await loadUpload(c);
    } catch (err) {
      // A sent file is deleted: its page (the browser's back button) leads to the merge instead.
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      const sent = await sentMergeOf(await tenantContextOf(c), c.req.param("uploadId"));
      if (!sent) throw err;
      return c.redirect(`/admin/send/merges/${sent}`, 303);
    }
    return checkPage(c, loaded.ctx, loaded.upload, loaded.template, { when: "now", scheduledFor: "" });
  });

  admin.get("/send/uploads/:uploadId/errors.csv", requireAdmin("send"), async (c) => {
    const { ctx, upload } = await loadUpload(c);
    const { errors, problems } = await mergeRowErrors(ctx, upload);
    const lines = [...errors.map((e) => [e.row, e.column, e.message]), ...problems.map((p) => [null, null, p])];
    return csvDownload(c, `${upload.fileName.replace(/\.csv$/i, "")}-errors.csv`, toCsv([["row", "column", "message"], ...lines]));
  });

  admin.get("/send/uploads/:uploadId/preview", requireAdmin("send"), async (c) => {
    const { ctx, upload, template } = await loadUpload(c);
    const row = Number(c.req.query("row") ?? "1");
    if (!Number.isInteger(row) || row < 1 || row > upload.rows) {
      return checkPage(c, ctx, upload, template, { when: "now", scheduledFor: "" }, [{ field: "row", message: `Row number: enter a whole number from 1 to ${upload.rows}` }]);
    }
    const result = await previewMergeRow(ctx, upload, row);
    return page(c, `Row ${row} of ${template.name} merge`, <PreviewPage upload={upload} template={template} row={row} result={result} styleNonce={c.get("styleNonce")} />);
  });

  admin.post("/send/uploads/:uploadId", requireAdmin("send"), async (c) => {
    const ctx = await tenantContextOf(c);
    const uploadId = c.req.param("uploadId");
    let upload: MergeUpload;
    try {
      upload = await getMergeUpload(ctx, uploadId);
    } catch (err) {
      // Sent and deleted already (a second click, a retry): the first send is the answer.
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      const sent = await sentMergeOf(ctx, uploadId, 10_000);
      if (!sent) throw err;
      return c.redirect(`/admin/send/merges/${sent}`, 303);
    }
    const template = await mergeTemplate(ctx, upload.templateId);
    const values = sendValues(await c.req.parseBody());
    if (values.when === "later" && values.scheduledFor === "") return checkPage(c, ctx, upload, template, values, [{ field: "scheduledFor", message: "Send at: enter the date and time to send at" }]);
    const result = await sendMergeUpload(ctx, upload, values.when === "later" ? { delayedSend: values.scheduledFor } : {});
    if (result.kind === "in_flight") throw new AdminPageError(409, "This file is being sent by another request. Open Activity in a moment to follow it.");
    if (result.kind === "refused") {
      const { form, rest } = scheduleErrors(result.problems);
      if (rest.length > 0 || result.errors.length > 0) {
        const problems = rest.map((message) => ({ field: "file", message }));
        return checkPage(c, ctx, upload, template, values, [...form, ...problems], { errors: result.errors.slice(0, 100), total: result.errors.length });
      }
      return checkPage(c, ctx, upload, template, values, form);
    }
    if (result.duplicate) {
      // Another upload of the same file, answered by the duplicate window with the earlier merge:
      // nothing was sent, so this file has no use left (a day in R2 would only keep recipients'
      // data). Audited, so the log shows the attempt and which merge answered it.
      await audit(ctx, "merge.duplicate", `notification:${result.notifyId}`, { template: template.id, channel: template.channel, rows: upload.rows, file: upload.fileName });
      await deleteMergeUpload(ctx, upload.id);
      return c.redirect(`/admin/send/merges/${result.notifyId}?done=duplicate`, 303);
    }
    if (!result.replayed) {
      await audit(ctx, "merge.sent", `notification:${result.notifyId}`, { template: template.id, channel: template.channel, rows: upload.rows, file: upload.fileName, ...(values.when === "later" ? { scheduledFor: values.scheduledFor } : {}) });
      // The file has done its work; a repeat of this post is answered from the send's idempotency key.
      await deleteMergeUpload(ctx, upload.id);
    }
    return c.redirect(`/admin/send/merges/${result.notifyId}`, 303);
  });
}
