import type { Context, Hono } from "hono";
import { CALLBACK_CHANNEL_TYPES, CALLBACK_TRIGGERS, type CallbackChannelType, CHANNELS } from "../../../db/schema";
import { toPageRequest } from "../../../lib/pagination";
import { CreateCallbackSchema } from "../../../routes/callbacks/schemas";
import { audit } from "../../../services/admin-identity";
import { type CallbackView, createCallback, deleteCallback, getCallback, listCallbacks, rotateCallbackSecret, toCallbackView } from "../../../services/callbacks/registrations";
import type { ServiceContext } from "../../../services/context";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { errorFor, ErrorSummary, FieldError, type FormError, page, Tag, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { CHANNEL_LABELS } from "../templates/shared";
import { ConfirmPage } from "../../confirm";
import { ActionsHeader, Checkbox, formText, ownRow, SETTINGS_PATH, SettingsHead, serviceFormErrors, SummaryRow, when } from "./shared";

/** A registration made through the API may also ask for received texts, which this form does not offer. */
const channelTypeLabel = (ch: CallbackChannelType): string => (ch === "received-text" ? "Received text messages" : CHANNEL_LABELS[ch]);

const CALLBACKS_PATH = `${SETTINGS_PATH}/callbacks`;
const PAGE_SIZE = 50;
const TRIGGER_LABELS = { success: "Delivered", failure: "Failed (permanent, temporary or technical failure)" } as const;

interface CallbackForm {
  url: string;
  description: string;
  channelType: string[];
  trigger: string[];
}

/** Where each schema or service path's error shows: the first control of a group. */
function fieldOf(path: string): string | undefined {
  const head = path.split(/[.[]/)[0];
  if (head === "url") return "url";
  if (head === "description") return "description";
  if (head === "channelType") return "channelType-email";
  if (head === "trigger" || head === "statuses") return "trigger-success";
  return undefined;
}

const ownCallback = (ctx: ServiceContext, id: string) => ownRow("status callback", id, (own) => getCallback(ctx, own)).then((row) => toCallbackView(row, ctx.now));

/**
 * Settings → status callbacks (manage, as every callbacks API route): the list, registering one
 * (the API's schema, then the service's outbound-URL policy, refusals at their field) whose result
 * page shows the signing secret once, rotating the secret after a confirmation page (the new one
 * shown once), and deleting after a confirmation page. Secrets are never in a URL or the audit log.
 */
export function registerCallbackScreens(admin: Hono<AdminEnv>): void {
  admin.get("/settings/callbacks", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const list = await listCallbacks(ctx, toPageRequest({ limit: PAGE_SIZE, cursor: c.req.query("cursor")?.slice(0, 512) }));
    return page(c, "Status callbacks", <CallbacksPage tenantName={ctx.tenant.name} items={list.items} nextCursor={list.nextCursor} notice={c.req.query("deleted") === "1" ? "Status callback deleted" : undefined} />);
  });

  admin.get("/settings/callbacks/new", requireAdmin("manage"), async (c) => {
    await tenantContextOf(c);
    return page(c, "Add a status callback", <CreatePage form={{ url: "", description: "", channelType: [...CHANNELS], trigger: ["failure"] }} errors={[]} />);
  });

  admin.post("/settings/callbacks", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const form = await readForm(c);
    const errors: FormError[] = [];
    if (form.channelType.length === 0) errors.push({ field: "channelType-email", message: "Select at least one channel" });
    // Received texts have no statuses: a trigger is asked for only when a message channel is chosen.
    const forMessages = form.channelType.some((ch) => ch !== "received-text");
    if (forMessages && form.trigger.length === 0) errors.push({ field: "trigger-success", message: "Select when to be told" });
    if (errors.length === 0) {
      const parsed = CreateCallbackSchema.safeParse({ url: form.url.trim(), channelType: form.channelType, trigger: forMessages ? form.trigger : [], ...(form.description.trim() ? { description: form.description.trim() } : {}) });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const field = fieldOf(issue.path.map(String).join(".")) ?? "url";
          if (!errors.some((e) => e.field === field)) errors.push({ field, message: field === "url" && !form.url.trim() ? "Enter the URL of your receiver" : issue.message });
        }
      } else {
        try {
          // One registration per URL from this form: a double submit must not leave a callback whose secret nobody saw.
          const created = await createCallback(ctx, parsed.data, { newUrlOnly: true });
          await audit(ctx, "callback.created", `callback:${created.callbackId}`, { url: created.url, channelType: created.channelType, trigger: created.trigger });
          return page(c, "Status callback added", <SecretPage title="Status callback added" callback={created} secret={created.secret} />);
        } catch (err) {
          errors.push(...serviceFormErrors(err, fieldOf, "url"));
        }
      }
    }
    return page(c, "Add a status callback", <CreatePage form={form} errors={errors} />, 422);
  });

  admin.get("/settings/callbacks/:id/rotate", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const cb = await ownCallback(ctx, c.req.param("id"));
    return page(c, "Rotate signing secret", <ConfirmCallback callback={cb} action="rotate" />);
  });

  admin.post("/settings/callbacks/:id/rotate", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const cb = await ownCallback(ctx, c.req.param("id"));
    const rotated = await rotateCallbackSecret(ctx, cb.callbackId);
    await audit(ctx, "callback.secret_rotated", `callback:${cb.callbackId}`, { previousSecretExpiresAt: rotated.previousSecretExpiresAt });
    return page(c, "Signing secret rotated", <SecretPage title="Signing secret rotated" callback={{ ...cb, previousSecretExpiresAt: rotated.previousSecretExpiresAt }} secret={rotated.secret} />);
  });

  admin.get("/settings/callbacks/:id/delete", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const cb = await ownCallback(ctx, c.req.param("id"));
    return page(c, "Delete status callback", <ConfirmCallback callback={cb} action="delete" />);
  });

  admin.post("/settings/callbacks/:id/delete", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const cb = await ownCallback(ctx, c.req.param("id"));
    await deleteCallback(ctx, cb.callbackId);
    await audit(ctx, "callback.deleted", `callback:${cb.callbackId}`, { url: cb.url });
    return c.redirect(`${CALLBACKS_PATH}?deleted=1`, 303);
  });
}

/** The form's fields, bounded: known words only for the groups. */
async function readForm(c: Context<AdminEnv>): Promise<CallbackForm> {
  const body = await c.req.parseBody({ all: true });
  const many = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  return {
    url: formText(body, "url", 2100),
    description: formText(body, "description", 600),
    channelType: CALLBACK_CHANNEL_TYPES.filter((ch) => many(body.channelType).includes(ch)),
    trigger: CALLBACK_TRIGGERS.filter((t) => many(body.trigger).includes(t)),
  };
}

function Details({ cb }: { cb: CallbackView }) {
  return (
    <dl class="summary-list">
      <SummaryRow label="URL">
        <span class="code">{cb.url}</span>
      </SummaryRow>
      <SummaryRow label="Channels">{cb.channelType.map(channelTypeLabel).join(", ")}</SummaryRow>
      <SummaryRow label="Told when">{[...cb.trigger.map((t) => TRIGGER_LABELS[t]), ...cb.statuses].join("; ") || "—"}</SummaryRow>
      {cb.description && <SummaryRow label="Description">{cb.description}</SummaryRow>}
      <SummaryRow label="Added">{when(cb.createdAt)}</SummaryRow>
    </dl>
  );
}

function CallbacksPage(props: { tenantName: string; items: CallbackView[]; nextCursor: string | null; notice?: string }) {
  return (
    <>
      <SettingsHead tenantName={props.tenantName} title="Status callbacks" notice={props.notice} />
      <p class="body">Your receiver is sent a signed JSON event when a message of a chosen channel is delivered or fails. Each callback's signing secret is shown once, when it is added or rotated.</p>
      <a class="button" href={`${CALLBACKS_PATH}/new`} role="button" draggable="false">
        Add a status callback
      </a>
      {props.items.length === 0 ? (
        <p class="body">You have no status callbacks yet.</p>
      ) : (
        <table class="table">
          <caption class="table__caption">Your status callbacks</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Channels</th>
              <th scope="col">Told when</th>
              <th scope="col">Status</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {props.items.map((cb) => (
              <tr>
                <td class="code">{cb.url}</td>
                <td>{cb.channelType.map(channelTypeLabel).join(", ")}</td>
                <td>{[...cb.trigger.map((t) => (t === "success" ? "Delivered" : "Failed")), ...cb.statuses].join(", ")}</td>
                <td>{cb.active ? <Tag tone="green">Active</Tag> : <Tag tone="red">{cb.disabledReason ? `Off: ${cb.disabledReason}` : "Off"}</Tag>}</td>
                <td>
                  <a href={`${CALLBACKS_PATH}/${cb.callbackId}/rotate`}>
                    Rotate secret<span class="visually-hidden"> of {cb.url}</span>
                  </a>{" "}
                  <a href={`${CALLBACKS_PATH}/${cb.callbackId}/delete`}>
                    Delete<span class="visually-hidden"> {cb.url}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.nextCursor && (
        <p class="body">
          <a href={`${CALLBACKS_PATH}?cursor=${encodeURIComponent(props.nextCursor)}`}>Older callbacks</a>
        </p>
      )}
    </>
  );
}

function CreatePage({ form, errors }: { form: CallbackForm; errors: FormError[] }) {
  const channelError = errorFor(errors, "channelType-email");
  const triggerError = errorFor(errors, "trigger-success");
  return (
    <>
      <ErrorSummary errors={errors} />
      <a class="back-link" href={CALLBACKS_PATH}>
        Back to status callbacks
      </a>
      <h1 class="heading-l">Add a status callback</h1>
      <form method="post" action={CALLBACKS_PATH} novalidate>
        <TextField id="url" name="url" label="URL" hint="The https address of your receiver; addresses on private networks are refused" value={form.url} error={errorFor(errors, "url")} type="url" autocomplete="off" />
        <div class={channelError ? "form-group form-group--error" : "form-group"}>
          <fieldset class="fieldset" aria-describedby={channelError ? "channelType-error" : undefined}>
            <legend class="fieldset__legend">Channels</legend>
            <FieldError id="channelType" message={channelError} />
            {CALLBACK_CHANNEL_TYPES.map((ch) => (
              <Checkbox
                id={`channelType-${ch}`}
                name="channelType"
                value={ch}
                label={channelTypeLabel(ch)}
                hint={ch === "received-text" ? "each text message received on your inbound numbers, in GOV.UK Notify's fields" : undefined}
                checked={form.channelType.includes(ch)}
              />
            ))}
          </fieldset>
        </div>
        <div class={triggerError ? "form-group form-group--error" : "form-group"}>
          <fieldset class="fieldset" aria-describedby={triggerError ? "trigger-error" : undefined}>
            <legend class="fieldset__legend">Tell me when a message is (email, SMS and chat)</legend>
            <FieldError id="trigger" message={triggerError} />
            {CALLBACK_TRIGGERS.map((t) => (
              <Checkbox id={`trigger-${t}`} name="trigger" value={t} label={TRIGGER_LABELS[t]} checked={form.trigger.includes(t)} />
            ))}
          </fieldset>
        </div>
        <TextField id="description" name="description" label="Description (optional)" value={form.description} error={errorFor(errors, "description")} autocomplete="off" />
        <button type="submit" class="button">
          Add status callback
        </button>
      </form>
    </>
  );
}

function SecretPage(props: { title: string; callback: CallbackView; secret: string }) {
  return (
    <>
      <div class="panel panel--confirmation">
        <h1 class="heading-l">{props.title}</h1>
      </div>
      <Details cb={props.callback} />
      <h2 class="heading-m">Copy the signing secret now</h2>
      <p class="body">
        <strong>This is the only time you will see it.</strong> Your receiver checks each event's <span class="code">webhook-signature</span> with it (Standard Webhooks).
        {props.callback.previousSecretExpiresAt && ` Until ${when(props.callback.previousSecretExpiresAt)} events also carry a signature made with the previous secret.`}
      </p>
      <div class="form-group">
        <label class="label" for="signing-secret">
          Signing secret
        </label>
        <div id="signing-secret-hint" class="hint">
          Select the secret and copy it (Ctrl+C, or ⌘C on a Mac).
        </div>
        <input class="input input--key code" id="signing-secret" type="text" readonly value={props.secret} aria-describedby="signing-secret-hint" autocomplete="off" spellcheck={false} />
      </div>
      <p class="body">
        <a href={CALLBACKS_PATH}>Back to status callbacks</a>
      </p>
    </>
  );
}

function ConfirmCallback({ callback, action }: { callback: CallbackView; action: "rotate" | "delete" }) {
  return (
    <ConfirmPage
      back={CALLBACKS_PATH}
      backText="Back to status callbacks"
      heading={action === "rotate" ? "Are you sure you want to rotate this callback's signing secret?" : "Are you sure you want to delete this status callback?"}
      action={`${CALLBACKS_PATH}/${callback.callbackId}/${action}`}
      button={action === "rotate" ? "Rotate secret" : "Delete status callback"}
    >
      <Details cb={callback} />
      <p class="body">
        {action === "rotate"
          ? "A new secret is shown once. For 24 hours events carry a signature with each secret, so your receiver can switch without rejecting any; after that only the new one signs."
          : "No further events are made for it; events not yet delivered end as failed. This cannot be undone."}
      </p>
    </ConfirmPage>
  );
}
