import type { Context, Hono } from "hono";
import { ApiError } from "../../../lib/errors/api-error";
import { permits } from "../../../middleware/auth";
import { audit } from "../../../services/admin-identity";
import type { ServiceContext } from "../../../services/context";
import { addChatTarget, type ChatTargetInput, type ChatTargetType, type ChatTargetView, getChatTarget, listChatTargets, removeChatTarget, updateChatTarget } from "../../../services/tenants/chat-targets";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { errorFor, ErrorSummary, FieldError, type FormError, page, Tag, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { ConfirmPage } from "../../confirm";
import { ActionsHeader, Checkbox, formText, SecretField, SETTINGS_PATH, SettingsHead, serviceFormErrors, SummaryRow } from "./shared";

const TARGETS_PATH = `${SETTINGS_PATH}/chat-targets`;

const TYPES: { value: ChatTargetType; label: string }[] = [
  { value: "slack", label: "Slack (incoming webhook)" },
  { value: "teams", label: "Microsoft Teams (Workflows webhook)" },
  { value: "rocketchat", label: "Rocket.Chat (incoming webhook)" },
  { value: "webhook", label: "Generic webhook (JSON POST, signed when it has a secret)" },
];
const typeLabel = (type: string) => TYPES.find((t) => t.value === type)?.label ?? type;

/** What the form posts, as typed; the secret itself is never sent back to the page. */
interface TargetForm {
  name: string;
  type: string;
  url: string;
  /** Whether a new secret was typed (the page says so without showing it). */
  secretTyped: boolean;
  removeSecret: boolean;
}

/** The tenant's target of this name, or the 404 page (an unknown name and another tenant's alike). */
function ownTarget(ctx: ServiceContext, name: string): ChatTargetView {
  try {
    return getChatTarget(ctx, name.slice(0, 100));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw new AdminPageError(404, "There is no such chat target.");
    throw err;
  }
}

async function readForm(c: Context<AdminEnv>): Promise<{ form: TargetForm; secret: string }> {
  const body = await c.req.parseBody();
  const secret = formText(body, "secret", 300).trim();
  return {
    form: {
      name: formText(body, "name", 100).trim(),
      type: formText(body, "type", 20),
      url: formText(body, "url", 2100).trim(),
      secretTyped: secret !== "",
      removeSecret: formText(body, "removeSecret") === "on",
    },
    secret,
  };
}

/** Errors the service names by target field, at the form's controls (the kind: its first radio). */
const fieldOf = (path: string) => (path === "type" ? "type-slack" : ["name", "url", "secret"].includes(path) ? path : undefined);

/** The page must not name a secret a person typed, even one refused. */
const withoutSecret = (errors: FormError[], secret: string) => (secret ? errors.map((e) => ({ ...e, message: e.message.replaceAll(secret, "…") })) : errors);

/**
 * Settings → chat targets: the named msgApp webhook targets of the tenant defaults. `GET
 * /admin/settings/chat-targets` (read) lists them (name, kind, host, whether a signing secret is
 * set; never a secret); adding, changing and removing after a confirmation page need manage, as
 * the defaults' PATCH does. Each change writes only its own target (services/tenants/chat-targets.ts),
 * so a stored secret survives an edit that does not retype it. Audited `chat_target.*`, no secret.
 */
export function registerChatTargetScreens(admin: Hono<AdminEnv>): void {
  admin.get("/settings/chat-targets", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const notice = { added: "Chat target added", saved: "Chat target saved", removed: "Chat target removed" }[c.req.query("done") ?? ""];
    return page(c, "Chat targets", <TargetsPage tenantName={ctx.tenant.name} items={listChatTargets(ctx)} canManage={permits({ permissions: ctx.principal.permissions }, "manage")} notice={notice} />);
  });

  admin.get("/settings/chat-targets/new", requireAdmin("manage"), async (c) => {
    await tenantContextOf(c);
    return page(c, "Add a chat target", <TargetFormPage form={{ name: "", type: "slack", url: "", secretTyped: false, removeSecret: false }} errors={[]} />);
  });

  admin.post("/settings/chat-targets", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const { form, secret } = await readForm(c);
    const errors: FormError[] = [];
    let status: 409 | 422 = 422;
    if (!form.name) errors.push({ field: "name", message: "Enter a name for the chat target" });
    if (!TYPES.some((t) => t.value === form.type)) errors.push({ field: "type-slack", message: "Select the kind of chat target" });
    if (!form.url) errors.push({ field: "url", message: "Enter the webhook URL" });
    if (errors.length === 0) {
      try {
        const created = await addChatTarget(ctx, form.name, { type: form.type, url: form.url, ...(secret ? { secret } : {}) });
        await audit(ctx, "chat_target.created", `chat_target:${created.name}`, { type: created.type, host: created.host, secretSet: created.secretSet });
        return c.redirect(`${TARGETS_PATH}?done=added`, 303);
      } catch (err) {
        errors.push(...withoutSecret(serviceFormErrors(err, fieldOf, "name"), secret));
        // A taken name (or the most targets) is the service's 409; every other refusal a 422.
        if (err instanceof ApiError && err.status === 409) status = 409;
      }
    }
    return page(c, "Add a chat target", <TargetFormPage form={form} errors={errors} />, status);
  });

  admin.get("/settings/chat-targets/:name/edit", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const target = ownTarget(ctx, c.req.param("name"));
    return page(c, `Change chat target ${target.name}`, <TargetFormPage target={target} form={{ name: target.name, type: target.type, url: target.url, secretTyped: false, removeSecret: false }} errors={[]} />);
  });

  admin.post("/settings/chat-targets/:name", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const target = ownTarget(ctx, c.req.param("name"));
    const { form, secret } = await readForm(c);
    const errors: FormError[] = [];
    if (!TYPES.some((t) => t.value === form.type)) errors.push({ field: "type-slack", message: "Select the kind of chat target" });
    if (!form.url) errors.push({ field: "url", message: "Enter the webhook URL" });
    if (secret && form.removeSecret) errors.push({ field: "secret", message: "Either type a new signing secret or remove it, not both" });
    if (errors.length === 0) {
      const input: ChatTargetInput = { type: form.type, url: form.url, ...(secret ? { secret } : form.removeSecret ? { secret: null } : {}) };
      try {
        const saved = await updateChatTarget(ctx, target.name, input);
        const secretChange = secret ? "replaced" : form.removeSecret || (target.secretSet && !saved.secretSet) ? "removed" : "kept";
        await audit(ctx, "chat_target.updated", `chat_target:${target.name}`, { type: saved.type, host: saved.host, secret: secretChange });
        return c.redirect(`${TARGETS_PATH}?done=saved`, 303);
      } catch (err) {
        errors.push(...withoutSecret(serviceFormErrors(err, fieldOf, "url"), secret));
      }
    }
    return page(c, `Change chat target ${target.name}`, <TargetFormPage target={target} form={{ ...form, name: target.name }} errors={errors} />, 422);
  });

  admin.get("/settings/chat-targets/:name/remove", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    return page(c, "Remove chat target", <ConfirmRemove target={ownTarget(ctx, c.req.param("name"))} />);
  });

  admin.post("/settings/chat-targets/:name/remove", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const target = ownTarget(ctx, c.req.param("name"));
    try {
      await removeChatTarget(ctx, target.name);
    } catch (err) {
      // Removed by someone else since this request read the defaults: the outcome asked for.
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      return c.redirect(`${TARGETS_PATH}?done=removed`, 303);
    }
    await audit(ctx, "chat_target.deleted", `chat_target:${target.name}`, { type: target.type, host: target.host });
    return c.redirect(`${TARGETS_PATH}?done=removed`, 303);
  });
}

/** The URL without its path: Slack and Teams webhook URLs carry their credential in the path. */
const shortUrl = (t: ChatTargetView) => (t.host ? `https://${t.host}/…` : "—");

function TargetsPage(props: { tenantName: string; items: ChatTargetView[]; canManage: boolean; notice?: string }) {
  return (
    <>
      <SettingsHead tenantName={props.tenantName} title="Chat targets" notice={props.notice} />
      <p class="body">
        Named webhooks that chat messages can be sent to: a send or an event type addresses one by its name (<span class="code">msgApp.target</span>). Signing secrets are never shown.
      </p>
      {props.canManage && (
        <a class="button" href={`${TARGETS_PATH}/new`} role="button" draggable="false">
          Add a chat target
        </a>
      )}
      {props.items.length === 0 ? (
        <p class="body">You have no chat targets yet.</p>
      ) : (
        <table class="table">
          <caption class="table__caption">Your chat targets</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Host</th>
              <th scope="col">Signing secret</th>
              <ActionsHeader show={props.canManage} />
            </tr>
          </thead>
          <tbody>
            {props.items.map((t) => (
              <tr>
                <td class="code">{t.name}</td>
                <td>{typeLabel(t.type)}</td>
                <td class="code">{t.host}</td>
                <td>{t.secretSet ? <Tag tone="green">Set</Tag> : <Tag>Not set</Tag>}</td>
                {props.canManage && (
                  <td>
                    <a href={`${TARGETS_PATH}/${t.name}/edit`}>
                      Change<span class="visually-hidden"> {t.name}</span>
                    </a>{" "}
                    <a href={`${TARGETS_PATH}/${t.name}/remove`}>
                      Remove<span class="visually-hidden"> {t.name}</span>
                    </a>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function TargetFormPage({ target, form, errors }: { target?: ChatTargetView; form: TargetForm; errors: FormError[] }) {
  const typeError = errorFor(errors, "type-slack");
  const secretError = errorFor(errors, "secret");
  const title = target ? `Change chat target ‘${target.name}’` : "Add a chat target";
  const secretHint = target?.secretSet
    ? "A secret is set. Leave this empty to keep it. Webhook targets only: whsec_ followed by 24 to 64 random bytes in base64."
    : "Optional, webhook targets only: whsec_ followed by 24 to 64 random bytes in base64. Your receiver checks each message's webhook-signature with it.";
  return (
    <>
      <ErrorSummary errors={errors} />
      <a class="back-link" href={TARGETS_PATH}>
        Back to chat targets
      </a>
      <h1 class="heading-l">{title}</h1>
      <form method="post" action={target ? `${TARGETS_PATH}/${target.name}` : TARGETS_PATH} novalidate>
        {target ? (
          <dl class="summary-list">
            <SummaryRow label="Name">
              <span class="code">{target.name}</span>
            </SummaryRow>
          </dl>
        ) : (
          <TextField id="name" name="name" label="Name" hint="How sends name it: lower-case letters, digits, _ and -, up to 64" value={form.name} error={errorFor(errors, "name")} autocomplete="off" />
        )}
        <div class={typeError ? "form-group form-group--error" : "form-group"}>
          <fieldset class="fieldset" aria-describedby={typeError ? "type-error" : undefined}>
            <legend class="fieldset__legend">Kind</legend>
            <FieldError id="type" message={typeError} />
            {TYPES.map((t) => (
              <div class="radios__item">
                <input class="radios__input" id={`type-${t.value}`} name="type" type="radio" value={t.value} checked={form.type === t.value} />
                <label class="label radios__label" for={`type-${t.value}`}>
                  {t.label}
                </label>
              </div>
            ))}
          </fieldset>
        </div>
        <TextField id="url" name="url" type="url" label="Webhook URL" hint="The https address the chat service gave you; addresses on private networks are refused" value={form.url} error={errorFor(errors, "url")} autocomplete="off" />
        <SecretField
          id="secret"
          label={target?.secretSet ? "New signing secret (optional)" : "Signing secret (optional)"}
          hint={
            <>
              {secretHint}
              {form.secretTyped && !secretError ? " Type the secret again: it is not shown back." : ""}
            </>
          }
          error={secretError}
        />
        {target?.secretSet && (
          <div class="form-group">
            <Checkbox id="removeSecret" name="removeSecret" value="on" label="Remove the signing secret" hint="messages are then sent unsigned" checked={form.removeSecret} />
          </div>
        )}
        <button type="submit" class="button">
          {target ? "Save chat target" : "Add chat target"}
        </button>
      </form>
    </>
  );
}

function ConfirmRemove({ target }: { target: ChatTargetView }) {
  return (
    <ConfirmPage back={TARGETS_PATH} backText="Back to chat targets" heading={<>Are you sure you want to remove the chat target ‘{target.name}’?</>} action={`${TARGETS_PATH}/${target.name}/remove`} button="Remove chat target">
      <dl class="summary-list">
        <SummaryRow label="Name">
          <span class="code">{target.name}</span>
        </SummaryRow>
        <SummaryRow label="Kind">{typeLabel(target.type)}</SummaryRow>
        <SummaryRow label="URL">
          <span class="code">{shortUrl(target)}</span>
        </SummaryRow>
        <SummaryRow label="Signing secret">{target.secretSet ? "Set" : "Not set"}</SummaryRow>
      </dl>
      <p class="body">Sends and event types that name it are refused until a target of that name is added again. Messages already sent keep it.</p>
    </ConfirmPage>
  );
}
