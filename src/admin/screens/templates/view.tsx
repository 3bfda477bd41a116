import type { Hono } from "hono";
import type { TemplateVersionRow } from "../../../db/schema";
import { permits } from "../../../middleware/auth";
import { getTemplate, toTemplateView } from "../../../services/templates/templates";
import { listTemplateVersions } from "../../../services/templates/versions";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { type DiffLine, lineDiff } from "./diff";
import { Banner, BODY_TYPE_LABELS, CHANNEL_LABELS, ChannelTag, RENDERER_LABELS, TEMPLATE_ID } from "./shared";

/** A version as lines of text, so one line diff covers every field a version holds. */
function versionText(v: TemplateVersionRow, fallbackName: string): string {
  return [
    `Name: ${v.name ?? fallbackName}`,
    ...(v.subject !== null ? [`Subject: ${v.subject}`] : []),
    ...(v.bodyType ? [`Body type: ${v.bodyType}`] : []),
    `Placeholders: ${v.renderer}`,
    "Body:",
    v.body ?? "",
    ...(v.card ? ["Card:", JSON.stringify(v.card, null, 2)] : []),
  ].join("\n");
}

function versionParam(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 ? n : undefined;
}

/** GET /admin/templates/{id}: the current version, its history, and a diff of two versions (`?from=&to=`). */
export function registerTemplateView(admin: Hono<AdminEnv>): void {
  admin.get("/templates/:id", requireAdmin("read"), async (c) => {
    const id = c.req.param("id");
    if (!TEMPLATE_ID.test(id)) throw new AdminPageError(404);
    const ctx = await tenantContextOf(c);
    const loaded = await getTemplate(ctx, id);
    const view = toTemplateView(loaded);
    const { versions } = await listTemplateVersions(ctx, id);
    const from = versionParam(c.req.query("from"));
    const to = versionParam(c.req.query("to"));
    let diff: { from: number; to: number; lines: DiffLine[] } | undefined;
    if (from !== undefined && to !== undefined) {
      const [a, b] = await Promise.all([getTemplate(ctx, id, from), getTemplate(ctx, id, to)]);
      diff = { from, to, lines: lineDiff(versionText(a.version, a.template.name), versionText(b.version, b.template.name)) };
    }
    const canManage = permits(ctx.principal, "manage");
    const saved = c.req.query("saved");
    return page(
      c,
      view.name,
      <>
        {saved === "created" && <Banner>Template created</Banner>}
        {saved === "updated" && <Banner>Saved as version {view.version}</Banner>}
        {saved === "unchanged" && <Banner>Nothing changed, so no new version was saved</Banner>}
        <span class="caption">{CHANNEL_LABELS[view.channel]} template</span>
        <h1 class="heading-l">{view.name}</h1>
        <ul class="link-list">
          {canManage && (
            <li>
              <a href={`/admin/templates/${view.id}/edit`}>Edit<span class="visually-hidden"> {view.name}</span></a>
            </li>
          )}
          <li>
            <a href={`/admin/templates/${view.id}/preview`}>Preview<span class="visually-hidden"> {view.name}</span></a>
          </li>
        </ul>
        <dl class="summary-list">
          <Row label="Name">{view.name}</Row>
          <Row label="Channel">
            <ChannelTag channel={view.channel} />
          </Row>
          <Row label="Version">{view.version}</Row>
          <Row label="Placeholders">{RENDERER_LABELS[view.renderer]}</Row>
          {view.channel === "email" && <Row label="Subject">{view.subject ?? ""}</Row>}
          {view.channel === "email" && <Row label="Body type">{BODY_TYPE_LABELS[view.bodyType ?? "text"]}</Row>}
          <Row label="Body">
            <pre class="pre">{view.body ?? ""}</pre>
          </Row>
          {view.card && (
            <Row label="Card">
              <pre class="pre">{JSON.stringify(view.card, null, 2)}</pre>
            </Row>
          )}
          {view.sms && (
            <Row label="Length as written">
              {view.sms.length} characters, {view.sms.fragments} {view.sms.fragments === 1 ? "fragment" : "fragments"} ({view.sms.encoding})
            </Row>
          )}
          <Row label="Parameters">
            {view.params.length === 0 ? (
              "None"
            ) : (
              <ul class="param-list">
                {view.params.map((p) => (
                  <li class="code">{p}</li>
                ))}
              </ul>
            )}
          </Row>
        </dl>

        <h2 class="heading-m" id="versions">
          Versions
        </h2>
        <table class="table">
          <caption class="table__caption">Every saved version, newest first</caption>
          <thead>
            <tr>
              <th scope="col" class="numeric">
                Version
              </th>
              <th scope="col">Name</th>
              <th scope="col">Saved</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr>
                <td class="numeric">{v.version}</td>
                <td>{v.name}</td>
                <td>
                  <time datetime={v.createdAt}>{v.createdAt.slice(0, 16).replace("T", " ")} UTC</time>
                </td>
                <td>
                  {v.version > 1 ? (
                    <a href={`/admin/templates/${view.id}?from=${v.version - 1}&to=${v.version}#diff`}>
                      Compare with version {v.version - 1}
                    </a>
                  ) : (
                    "First version"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {versions.length > 1 && (
          <form method="get" action={`/admin/templates/${view.id}`} class="compare-form">
            <fieldset class="fieldset">
              <legend class="fieldset__legend">Compare two versions</legend>
              <VersionSelect id="from" label="From version" versions={versions.map((v) => v.version)} value={diff?.from ?? versions[1]!.version} />
              <VersionSelect id="to" label="To version" versions={versions.map((v) => v.version)} value={diff?.to ?? versions[0]!.version} />
              <button type="submit" class="button button--secondary">
                Compare
              </button>
            </fieldset>
          </form>
        )}
        {diff && <Diff from={diff.from} to={diff.to} lines={diff.lines} />}
      </>,
    );
  });
}

function Row({ label, children }: { label: string; children?: unknown }) {
  return (
    <div class="summary-list__row">
      <dt class="summary-list__key">{label}</dt>
      <dd class="summary-list__value">{children as never}</dd>
    </div>
  );
}

function VersionSelect({ id, label, versions, value }: { id: string; label: string; versions: number[]; value: number }) {
  return (
    <div class="form-group form-group--inline">
      <label class="label" for={id}>
        {label}
      </label>
      <select class="select select--short" id={id} name={id}>
        {versions.map((v) => (
          <option value={String(v)} selected={v === value}>
            {v}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * The diff as a list of lines: removed lines in <del>, added in <ins>, each also labelled in
 * words (a visible sign and a visually hidden "Removed:"/"Added:"), since colour and the
 * elements' own semantics are not announced by every screen reader.
 */
function Diff({ from, to, lines }: { from: number; to: number; lines: DiffLine[] }) {
  const added = lines.filter((l) => l.kind === "ins").length;
  const removed = lines.filter((l) => l.kind === "del").length;
  return (
    <section aria-labelledby="diff" class="diff-section">
      <h2 class="heading-m" id="diff" tabindex={-1}>
        Changes from version {from} to version {to}
      </h2>
      <p class="body">
        {added === 0 && removed === 0 ? "These versions are the same." : `${removed} ${removed === 1 ? "line" : "lines"} removed, ${added} ${added === 1 ? "line" : "lines"} added.`}
      </p>
      <ol class="diff">
        {lines.map((l) =>
          l.kind === "same" ? (
            <li class="diff__line">
              <span class="diff__sign" aria-hidden="true">
                {" "}
              </span>
              <span>{l.text}</span>
            </li>
          ) : l.kind === "del" ? (
            <li class="diff__line diff__line--del">
              <span class="diff__sign" aria-hidden="true">
                −
              </span>
              <del>
                <span class="visually-hidden">Removed: </span>
                {l.text}
              </del>
            </li>
          ) : (
            <li class="diff__line diff__line--ins">
              <span class="diff__sign" aria-hidden="true">
                +
              </span>
              <ins>
                <span class="visually-hidden">Added: </span>
                {l.text}
              </ins>
            </li>
          ),
        )}
      </ol>
    </section>
  );
}
