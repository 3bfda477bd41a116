import type { Hono } from "hono";
import { API_KEY_PERMISSIONS, API_KEY_TYPES } from "../../../../db/schema";
import { ApiError } from "../../../../lib/errors/api-error";
import { audit } from "../../../../services/admin-identity";
import { createApiKey } from "../../../../services/api-keys/api-keys";
import { tenantContextOf } from "../../../context";
import type { AdminEnv } from "../../../env";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../../layout";
import { requireAdmin } from "../../../middleware";
import { CreatedKeyPage } from "./components";
import { checkCreateKeyForm, type CreateKeyForm, KEYS_PATH, PERMISSION_LABELS, readCreateKeyForm, TYPE_LABELS } from "./shared";

/** Where each field's errors point: the first control of a group of radios or checkboxes. */
const FIELD_IDS = { name: "name", type: "type-live", permissions: "permission-send" };

/**
 * `GET /admin/settings/api-keys/new` (manage): the form. `POST /admin/settings/api-keys`: checks
 * it with the operator API's own schema, creates the key for the session's tenant and answers
 * the result page holding the key, the only time it is shown: it is not stored in the clear,
 * not put in a URL, and the audit entry names the key, never its secret.
 */
export function registerCreateApiKeyScreen(admin: Hono<AdminEnv>): void {
  admin.get("/settings/api-keys/new", requireAdmin("manage"), async (c) => {
    await tenantContextOf(c);
    return page(c, "Create an API key", <CreateKeyPage errors={[]} form={{ name: "", type: "", permissions: ["send", "read"] }} />);
  });

  admin.post("/settings/api-keys", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const form = await readCreateKeyForm(c);
    const checked = checkCreateKeyForm(form, FIELD_IDS);
    if ("errors" in checked) return page(c, "Create an API key", <CreateKeyPage errors={checked.errors} form={form} />, 422);
    let key;
    try {
      key = await createApiKey(ctx, ctx.tenant.id, checked.input, { newNameOnly: true });
    } catch (err) {
      // An active key of that name (this form posted twice, or its result page reloaded): one key, at the name.
      if (!(err instanceof ApiError) || err.status !== 409) throw err;
      return page(c, "Create an API key", <CreateKeyPage errors={[{ field: "name", message: err.errors?.[0]?.message ?? err.detail ?? "Choose another name" }]} form={form} />, 409);
    }
    await audit(ctx, "api_key.created", `api_key:${key.id}`, { name: key.name, type: key.type, permissions: key.permissions });
    return page(
      c,
      "API key created",
      <CreatedKeyPage
        name={key.name}
        type={key.type}
        permissions={key.permissions}
        secret={key.key}
        heading="Copy your key now"
        advice="Store it somewhere safe, such as your application's secret store. If you lose it, revoke it and create another."
        back={KEYS_PATH}
        backLabel="Back to API keys"
        nonce={c.get("cspNonce")}
      />,
    );
  });
}

function CreateKeyPage({ errors, form }: { errors: FormError[]; form: CreateKeyForm }) {
  const typeError = errorFor(errors, "type-live");
  const permissionError = errorFor(errors, "permission-send");
  return (
    <>
      <ErrorSummary errors={errors} />
      <a class="back-link" href={KEYS_PATH}>
        Back to API keys
      </a>
      <h1 class="heading-l">Create an API key</h1>
      <form method="post" action={KEYS_PATH} novalidate>
        <TextField id="name" name="name" label="Name" hint="Say what uses it, for example ‘billing service’. It is part of the key." value={form.name} error={errorFor(errors, "name")} autocomplete="off" />
        <div class={typeError ? "form-group form-group--error" : "form-group"}>
          <fieldset class="fieldset" aria-describedby={typeError ? "type-error" : undefined}>
            <legend class="fieldset__legend">Type of key</legend>
            {typeError && (
              <p id="type-error" class="error-message">
                <span class="visually-hidden">Error:</span> {typeError}
              </p>
            )}
            {API_KEY_TYPES.map((type) => (
              <div class="radios__item">
                <input class="radios__input" id={`type-${type}`} name="type" type="radio" value={type} checked={form.type === type} aria-describedby={`type-${type}-hint`} />
                <label class="label radios__label" for={`type-${type}`}>
                  {TYPE_LABELS[type].name}
                  <span id={`type-${type}-hint`} class="hint">
                    {" "}
                    — {TYPE_LABELS[type].hint}
                  </span>
                </label>
              </div>
            ))}
          </fieldset>
        </div>
        <div class={permissionError ? "form-group form-group--error" : "form-group"}>
          <fieldset class="fieldset" aria-describedby={permissionError ? "permissions-error" : undefined}>
            <legend class="fieldset__legend">Permissions</legend>
            {permissionError && (
              <p id="permissions-error" class="error-message">
                <span class="visually-hidden">Error:</span> {permissionError}
              </p>
            )}
            {API_KEY_PERMISSIONS.map((p) => (
              <div class="radios__item">
                <input class="radios__input" id={`permission-${p}`} name="permissions" type="checkbox" value={p} checked={form.permissions.includes(p)} />
                <label class="label radios__label" for={`permission-${p}`}>
                  {PERMISSION_LABELS[p]}
                </label>
              </div>
            ))}
          </fieldset>
        </div>
        <button type="submit" class="button">
          Create key
        </button>
      </form>
    </>
  );
}
