import type { Hono } from "hono";
import { permits } from "../../../middleware/auth";
import { audit } from "../../../services/admin-identity";
import type { ServiceContext } from "../../../services/context";
import { createReplyTo, deleteReplyTo, getReplyTo, listReplyTos, toReplyToView } from "../../../services/senders/reply-to";
import { createSmsSender, deleteSmsSender, getSmsSender, listSmsSenders, toSmsSenderView } from "../../../services/senders/sms-senders";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { ErrorSummary, errorFor, type FormError, page, Tag, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { ConfirmPage } from "../../confirm";
import { ActionsHeader, Checkbox, formText, ownRow, SETTINGS_PATH, SettingsHead, serviceFormErrors, SummaryRow, when } from "./shared";

const SENDERS_PATH = `${SETTINGS_PATH}/senders`;

/** One sender as the pages show it, whichever kind. */
interface SenderItem {
  id: string;
  value: string;
  isDefault: boolean;
  inbound: boolean;
  createdAt: string;
}

/** What differs between reply-to addresses and SMS senders; the pages and handlers are shared. */
interface Kind {
  slug: "reply-to" | "sms-senders";
  /** The service's field name, which is also the form's. */
  field: "email" | "sender";
  one: string;
  label: string;
  hint: string;
  auditName: string;
  create(ctx: ServiceContext, value: string, isDefault: boolean): Promise<SenderItem>;
  get(ctx: ServiceContext, id: string): Promise<SenderItem>;
  remove(ctx: ServiceContext, id: string): Promise<void>;
}

const KINDS: Kind[] = [
  {
    slug: "reply-to",
    field: "email",
    one: "reply-to address",
    label: "Email address",
    hint: "Replies to your emails go here when a send names no other",
    auditName: "reply_to",
    create: async (ctx, value, isDefault) => replyToItem(await createReplyTo(ctx, { email: value, isDefault })),
    get: async (ctx, id) => replyToItem(toReplyToView(await getReplyTo(ctx, id))),
    remove: deleteReplyTo,
  },
  {
    slug: "sms-senders",
    field: "sender",
    one: "SMS sender",
    label: "Sender",
    hint: "A phone number, a short code, or an id of up to 11 letters and digits (not every country shows ids)",
    auditName: "sms_sender",
    create: async (ctx, value, isDefault) => smsItem(await createSmsSender(ctx, { sender: value, isDefault })),
    get: async (ctx, id) => smsItem(toSmsSenderView(await getSmsSender(ctx, id))),
    remove: deleteSmsSender,
  },
];

const replyToItem = (v: { id: string; email: string; isDefault: boolean; createdAt: string }): SenderItem => ({ id: v.id, value: v.email, isDefault: v.isDefault, inbound: false, createdAt: v.createdAt });
const smsItem = (v: { id: string; sender: string; isDefault: boolean; inbound: boolean; createdAt: string }): SenderItem => ({ id: v.id, value: v.sender, isDefault: v.isDefault, inbound: v.inbound, createdAt: v.createdAt });

/** The tenant's sender of this kind, or the 404 page (an unknown id and another tenant's alike). */
const ownSender = (ctx: ServiceContext, kind: Kind, id: string) => ownRow(kind.one, id, (own) => kind.get(ctx, own));

/**
 * Settings → reply-to addresses and SMS senders. `GET /admin/settings/senders` (read) lists both
 * with the default marked, and inbound numbers read-only (the operator assigns them); adding
 * (`…/reply-to/new`, `…/sms-senders/new`) and deleting after a confirmation page (`…/:id/delete`)
 * need manage, as the API's routes do, and go through services/senders for the session's tenant.
 */
export function registerSenderScreens(admin: Hono<AdminEnv>): void {
  admin.get("/settings/senders", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const [replyTos, sms] = await Promise.all([listReplyTos(ctx), listSmsSenders(ctx)]);
    const notice = { added: "Added", deleted: "Deleted" }[c.req.query("done") ?? ""];
    return page(
      c,
      "Reply-to addresses and SMS senders",
      <SendersPage
        tenantName={ctx.tenant.name}
        replyTos={replyTos.items.map(replyToItem)}
        smsSenders={sms.items.filter((s) => !s.inbound).map(smsItem)}
        inbound={sms.items.filter((s) => s.inbound).map(smsItem)}
        canManage={permits({ permissions: ctx.principal.permissions }, "manage")}
        notice={notice}
      />,
    );
  });

  for (const kind of KINDS) {
    const base = `/settings/${kind.slug}`;
    admin.get(`${base}/new`, requireAdmin("manage"), async (c) => {
      await tenantContextOf(c);
      return page(c, `Add a ${kind.one}`, <AddPage kind={kind} value="" isDefault={false} errors={[]} />);
    });

    admin.post(base, requireAdmin("manage"), async (c) => {
      const ctx = await tenantContextOf(c);
      const body = await c.req.parseBody();
      const value = formText(body, kind.field, 400);
      const isDefault = formText(body, "isDefault") === "on";
      let errors: FormError[];
      if (!value.trim()) {
        errors = [{ field: kind.field, message: `Enter the ${kind.label.toLowerCase()}` }];
      } else {
        try {
          const item = await kind.create(ctx, value.trim(), isDefault);
          await audit(ctx, `${kind.auditName}.created`, `${kind.auditName}:${item.id}`, { value: item.value, isDefault: item.isDefault });
          return c.redirect(`${SENDERS_PATH}?done=added`, 303);
        } catch (err) {
          errors = serviceFormErrors(err, (p) => (p === "isDefault" ? "isDefault" : kind.field), kind.field);
        }
      }
      return page(c, `Add a ${kind.one}`, <AddPage kind={kind} value={value} isDefault={isDefault} errors={errors} />, 422);
    });

    admin.get(`${base}/:id/delete`, requireAdmin("manage"), async (c) => {
      const ctx = await tenantContextOf(c);
      const item = await ownSender(ctx, kind, c.req.param("id"));
      if (item.inbound) throw new AdminPageError(403, "Inbound numbers are assigned and released by the operator of this deployment.");
      return page(c, `Delete ${kind.one}`, <ConfirmDelete kind={kind} item={item} />);
    });

    admin.post(`${base}/:id/delete`, requireAdmin("manage"), async (c) => {
      const ctx = await tenantContextOf(c);
      const item = await ownSender(ctx, kind, c.req.param("id"));
      if (item.inbound) throw new AdminPageError(403, "Inbound numbers are assigned and released by the operator of this deployment.");
      await kind.remove(ctx, item.id);
      await audit(ctx, `${kind.auditName}.deleted`, `${kind.auditName}:${item.id}`, { value: item.value, wasDefault: item.isDefault });
      return c.redirect(`${SENDERS_PATH}?done=deleted`, 303);
    });
  }
}

function SenderTable(props: { kind: Kind; caption: string; items: SenderItem[]; canManage: boolean }) {
  if (props.items.length === 0) return <p class="body">None yet.</p>;
  return (
    <table class="table">
      <caption class="table__caption table__caption--s">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{props.kind.label}</th>
          <th scope="col">Default</th>
          <th scope="col">Added</th>
          <ActionsHeader show={props.canManage} label="Action" />
        </tr>
      </thead>
      <tbody>
        {props.items.map((s) => (
          <tr>
            <td class="code">{s.value}</td>
            <td>{s.isDefault ? <Tag tone="green">Default</Tag> : ""}</td>
            <td>
              <time datetime={s.createdAt}>{when(s.createdAt)}</time>
            </td>
            {props.canManage && (
              <td>
                <a href={`${SETTINGS_PATH}/${props.kind.slug}/${s.id}/delete`}>
                  Delete<span class="visually-hidden"> {s.value}</span>
                </a>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SendersPage(props: { tenantName: string; replyTos: SenderItem[]; smsSenders: SenderItem[]; inbound: SenderItem[]; canManage: boolean; notice?: string }) {
  const [replyTo, sms] = KINDS as [Kind, Kind];
  return (
    <>
      <SettingsHead tenantName={props.tenantName} title="Reply-to addresses and SMS senders" notice={props.notice} />
      <h2 class="heading-m">Reply-to addresses</h2>
      <SenderTable kind={replyTo} caption="Your reply-to addresses" items={props.replyTos} canManage={props.canManage} />
      {props.canManage && (
        <p class="body">
          <a href={`${SETTINGS_PATH}/reply-to/new`}>Add a reply-to address</a>
        </p>
      )}
      <h2 class="heading-m">SMS senders</h2>
      <SenderTable kind={sms} caption="Your SMS senders" items={props.smsSenders} canManage={props.canManage} />
      {props.canManage && (
        <p class="body">
          <a href={`${SETTINGS_PATH}/sms-senders/new`}>Add an SMS sender</a>
        </p>
      )}
      <h2 class="heading-m">Inbound numbers</h2>
      <p class="body">Texts sent to these numbers are stored as received texts. The operator of this deployment assigns and releases inbound numbers: ask them for one.</p>
      <SenderTable kind={{ ...sms, label: "Number" }} caption="Your inbound numbers" items={props.inbound} canManage={false} />
    </>
  );
}

function AddPage(props: { kind: Kind; value: string; isDefault: boolean; errors: FormError[] }) {
  const { kind } = props;
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <a class="back-link" href={SENDERS_PATH}>
        Back to reply-to addresses and SMS senders
      </a>
      <h1 class="heading-l">Add a {kind.one}</h1>
      <form method="post" action={`${SETTINGS_PATH}/${kind.slug}`} novalidate>
        <TextField id={kind.field} name={kind.field} label={kind.label} hint={kind.hint} value={props.value} error={errorFor(props.errors, kind.field)} type={kind.field === "email" ? "email" : "text"} autocomplete="off" />
        <div class={errorFor(props.errors, "isDefault") ? "form-group form-group--error" : "form-group"}>
          <Checkbox id="isDefault" name="isDefault" value="on" label="Make this the default" hint={`it replaces the current default ${kind.one}`} checked={props.isDefault} />
        </div>
        <button type="submit" class="button">
          Add {kind.one}
        </button>
      </form>
    </>
  );
}

function ConfirmDelete({ kind, item }: { kind: Kind; item: SenderItem }) {
  return (
    <ConfirmPage
      back={SENDERS_PATH}
      backText="Back to reply-to addresses and SMS senders"
      heading={
        <>
          Are you sure you want to delete the {kind.one} ‘{item.value}’?
        </>
      }
      action={`${SETTINGS_PATH}/${kind.slug}/${item.id}/delete`}
      button={`Delete ${kind.one}`}
    >
      <dl class="summary-list">
        <SummaryRow label={kind.label}>{item.value}</SummaryRow>
        <SummaryRow label="Default">{item.isDefault ? "Yes" : "No"}</SummaryRow>
        <SummaryRow label="Added">{when(item.createdAt)}</SummaryRow>
      </dl>
      <p class="body">{item.isDefault ? `It is your default: sends will have no default ${kind.one} until you choose another. ` : ""}Notifications already sent keep it.</p>
    </ConfirmPage>
  );
}
