import type { Hono } from "hono";
import { hasUnsafeText } from "../../../lib/display-name";
import { audit } from "../../../services/admin-identity";
import { SUPPRESSIBLE_CHANNELS, type SuppressibleChannel, suppressRecipient } from "../../../services/suppressions/suppressions";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { Radios } from "../templates/shared";
import { SUPPRESSION_CHANNEL_LABELS } from "./suppression-list";
import { apiFormErrors, formString } from "./shared";

interface Values {
  channel: string;
  recipient: string;
  reason: string;
}

/** GET/POST /admin/recipients/suppressions/new (manage): one recipient on one channel, with a reason. */
export function registerSuppressionAdd(admin: Hono<AdminEnv>): void {
  admin.get("/recipients/suppressions/new", requireAdmin("manage"), async (c) => {
    await tenantContextOf(c);
    return page(c, "Add a suppression", <AddPage values={{ channel: "", recipient: "", reason: "" }} errors={[]} />);
  });

  admin.post("/recipients/suppressions/new", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const form = await c.req.parseBody();
    const values: Values = { channel: formString(form, "channel", 20), recipient: formString(form, "recipient", 400).trim(), reason: formString(form, "reason", 600).trim() };
    const errors: FormError[] = [];
    if (!(SUPPRESSIBLE_CHANNELS as readonly string[]).includes(values.channel)) errors.push({ field: "channel", message: "Select a channel" });
    if (!values.recipient) errors.push({ field: "recipient", message: "Enter an email address or phone number" });
    else if (values.recipient.length > 320) errors.push({ field: "recipient", message: "Recipient must be 320 characters or fewer" });
    if (values.reason.length > 500) errors.push({ field: "reason", message: "Reason must be 500 characters or fewer" });
    else if (hasUnsafeText(values.reason)) errors.push({ field: "reason", message: "Reason must not contain control characters" });
    if (errors.length === 0) {
      try {
        const result = await suppressRecipient(ctx, { channel: values.channel as SuppressibleChannel, recipient: values.recipient, ...(values.reason ? { reason: values.reason } : {}) });
        if (result.created) await audit(ctx, "suppression.create", `suppression:${result.suppression.id}`, { channel: result.suppression.channel, recipient: result.suppression.recipient, reason: result.suppression.reason });
        const params = new URLSearchParams({ done: result.created ? "added" : "exists", channel: result.suppression.channel, recipient: result.suppression.recipient });
        return c.redirect(`/admin/recipients/suppressions?${params}`, 303);
      } catch (err) {
        errors.push(...apiFormErrors(err, "recipient", (path, message) => ({ field: path === "reason" ? "reason" : "recipient", message: `${path === "reason" ? "Reason" : "Recipient"}: ${message}` })));
      }
    }
    return page(c, "Error: Add a suppression", <AddPage values={values} errors={errors} />, 422);
  });
}

function AddPage({ values, errors }: { values: Values; errors: FormError[] }) {
  return (
    <>
      <ErrorSummary errors={errors} />
      <a class="back-link" href="/admin/recipients/suppressions">
        Back to suppressions
      </a>
      <h1 class="heading-l">Add a suppression</h1>
      <form method="post" action="/admin/recipients/suppressions/new" novalidate>
        <Radios id="channel" name="channel" legend="Channel" options={SUPPRESSIBLE_CHANNELS.map((ch) => ({ value: ch, label: SUPPRESSION_CHANNEL_LABELS[ch] }))} value={values.channel} error={errorFor(errors, "channel")} />
        <TextField id="recipient" name="recipient" label="Email address or phone number" hint="Phone numbers without a country code are read in your default region" value={values.recipient} error={errorFor(errors, "recipient")} autocomplete="off" />
        <TextField id="reason" name="reason" label="Reason (optional)" hint="Why nothing should be sent, for your team; at most 500 characters" value={values.reason} error={errorFor(errors, "reason")} autocomplete="off" />
        <button type="submit" class="button">
          Add suppression
        </button>
      </form>
    </>
  );
}
