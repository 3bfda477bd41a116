import { BODY_TYPES, CHANNELS, type BodyType, type Channel } from "../../../db/schema";
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from "../../../lib/display-name";
import type { Renderer } from "../../../services/render/renderer";
import { errorFor, ErrorSummary, type FormError, TextArea, TextField } from "../../layout";
import { BODY_TYPE_LABELS, CHANNEL_LABELS, formString, RENDERER_LABELS, Radios } from "./shared";

/** The API's bounds (routes/templates/schemas.ts), so the form refuses what the API would. */
const MAX_NAME = 200;
const MAX_SUBJECT = 998;
const MAX_BODY = 2_000_000;

export interface TemplateFormValues {
  name: string;
  channel: string;
  subject: string;
  body: string;
  bodyType: string;
  renderer: string;
}

export const FORM_FIELDS = ["name", "channel", "subject", "body", "bodyType", "renderer"] as const;

/** What the form posted, as strings (absent fields empty). */
export function readForm(form: Record<string, unknown>): TemplateFormValues {
  return {
    name: formString(form, "name"),
    channel: formString(form, "channel"),
    subject: formString(form, "subject"),
    body: formString(form, "body"),
    bodyType: formString(form, "bodyType"),
    renderer: formString(form, "renderer"),
  };
}

/**
 * The form's own checks, worded for people: the API schema's bounds and choices. Content rules
 * (required fields per channel, placeholders that parse) are the service's, mapped from its
 * ApiError, so the form and the API cannot disagree about a template.
 */
export function checkForm(values: TemplateFormValues, channel: Channel | undefined): {
  errors: FormError[];
  content?: { name: string; subject: string | null; body: string | null; bodyType: BodyType | null; renderer: Renderer };
} {
  const errors: FormError[] = [];
  const name = values.name.trim();
  if (!name) errors.push({ field: "name", message: "Enter a name" });
  else if (name.length > MAX_NAME) errors.push({ field: "name", message: `Name must be ${MAX_NAME} characters or fewer` });
  else if (hasUnsafeText(name)) errors.push({ field: "name", message: `Name: ${UNSAFE_TEXT_MESSAGE}` });
  if (!channel) errors.push({ field: "channel", message: "Select a channel" });
  if (values.subject.length > MAX_SUBJECT) errors.push({ field: "subject", message: `Subject must be ${MAX_SUBJECT} characters or fewer` });
  if (values.body.length > MAX_BODY) errors.push({ field: "body", message: `Body must be ${MAX_BODY.toLocaleString("en")} characters or fewer` });
  const bodyType = (BODY_TYPES as readonly string[]).includes(values.bodyType) ? (values.bodyType as BodyType) : undefined;
  if (channel === "email" && !bodyType) errors.push({ field: "bodyType", message: "Select a body type" });
  if (values.renderer !== "mustache" && values.renderer !== "gc") errors.push({ field: "renderer", message: "Select how placeholders are written" });
  if (errors.length > 0 || !channel) return { errors };
  return {
    errors,
    content: {
      name,
      subject: channel === "email" ? values.subject : null,
      // A chat template may be a card alone: an empty body stays absent rather than becoming "".
      body: channel === "msgApp" && values.body === "" ? null : values.body,
      bodyType: channel === "email" ? bodyType! : null,
      renderer: values.renderer as Renderer,
    },
  };
}

export function channelOf(value: string): Channel | undefined {
  return (CHANNELS as readonly string[]).includes(value) ? (value as Channel) : undefined;
}

/**
 * The create and edit form. On create the channel is chosen here and the subject and body type
 * are shown for every channel (no script to hide them) with a hint that they are for email; on
 * edit the channel is fixed and only its fields are shown.
 */
export function TemplateForm(props: { action: string; values: TemplateFormValues; errors: FormError[]; channel?: Channel; submit: string }) {
  const { values, errors } = props;
  const email = props.channel === undefined || props.channel === "email";
  return (
    <>
      <ErrorSummary errors={errors} />
      <form method="post" action={props.action} novalidate>
        <TextField id="name" name="name" label="Name" hint="Only people who use this service see it" value={values.name} error={errorFor(errors, "name")} autocomplete="off" />
        {props.channel === undefined && (
          <Radios
            id="channel"
            name="channel"
            legend="Channel"
            error={errorFor(errors, "channel")}
            value={values.channel}
            options={CHANNELS.map((ch) => ({ value: ch, label: CHANNEL_LABELS[ch] }))}
          />
        )}
        {email && (
          <TextField id="subject" name="subject" label="Subject" hint={props.channel ? undefined : "Email only"} value={values.subject} error={errorFor(errors, "subject")} autocomplete="off" />
        )}
        <TextArea
          id="body"
          name="body"
          label="Body"
          hint={values.renderer === "gc" ? "Write placeholders as ((name)); ((name??text)) shows text only when name is yes" : "Write placeholders as {{name}}; {{#name}}…{{/name}} shows a part only when name is given"}
          value={values.body}
          error={errorFor(errors, "body")}
          rows={12}
        />
        {email && (
          <Radios
            id="bodyType"
            name="bodyType"
            legend="Body type"
            hint={props.channel ? undefined : "Email only"}
            error={errorFor(errors, "bodyType")}
            value={values.bodyType || "text"}
            options={BODY_TYPES.map((t) => ({ value: t, label: BODY_TYPE_LABELS[t] }))}
          />
        )}
        <Radios
          id="renderer"
          name="renderer"
          legend="Placeholders"
          error={errorFor(errors, "renderer")}
          value={values.renderer || "mustache"}
          options={(["mustache", "gc"] as const).map((r) => ({ value: r, label: RENDERER_LABELS[r] }))}
        />
        <button type="submit" class="button">
          {props.submit}
        </button>
      </form>
    </>
  );
}
