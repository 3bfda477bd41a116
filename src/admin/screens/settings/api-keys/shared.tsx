import type { Context } from "hono";
import type { z } from "@hono/zod-openapi";
import { API_KEY_PERMISSIONS, API_KEY_TYPES, type ApiKeyPermission, type ApiKeyType } from "../../../../db/schema";
import { CreateApiKeySchema } from "../../../../routes/api-keys/schemas";
import type { AdminEnv } from "../../../env";
import { type FormError, Tag } from "../../../layout";

export const KEYS_PATH = "/admin/settings/api-keys";

/** What each key type does, in the words the create form and the list use. */
export const TYPE_LABELS: Record<ApiKeyType, { name: string; hint: string; tone: "green" | "blue" | "grey" }> = {
  live: { name: "Live", hint: "Sends to anyone", tone: "green" },
  team: { name: "Team and guest list", hint: "Sends only to your team and guest list", tone: "blue" },
  test: { name: "Test", hint: "Pretends to send: nothing reaches a provider", tone: "grey" },
};

export const PERMISSION_LABELS: Record<ApiKeyPermission, string> = {
  send: "Send (send and cancel notifications)",
  read: "Read (notifications, templates and settings)",
  manage: "Manage (change templates and settings; live keys only)",
};

/** A key's type as a status tag. */
export function KeyTypeTag({ type }: { type: ApiKeyType }) {
  return <Tag tone={TYPE_LABELS[type].tone}>{TYPE_LABELS[type].name}</Tag>;
}

/** An instant as people read it, in UTC (the page has no idea of the reader's zone). */
export function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** The create form's values as posted (the tenant's Settings and the operator's tenant page). */
export interface CreateKeyForm {
  name: string;
  type: string;
  permissions: string[];
}

/**
 * The create form's fields, each bounded: a name of at most 200 characters, known words only for
 * the rest.
 *
 * @example
 * ```ts
 * const form = await readCreateKeyForm(c);
 * ```
 */
export async function readCreateKeyForm(c: Context<AdminEnv>): Promise<CreateKeyForm> {
  const body = await c.req.parseBody({ all: true });
  const one = (v: unknown) => (typeof v === "string" ? v : "");
  const many = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  const type = one(body.type);
  return {
    name: one(body.name).slice(0, 200),
    type: (API_KEY_TYPES as readonly string[]).includes(type) ? type : "",
    permissions: API_KEY_PERMISSIONS.filter((p) => many(body.permissions).includes(p)),
  };
}

/**
 * The create form checked with the operator API's own schema: the key to create, or at most one
 * error a field, pointing at the field's control (`ids`: the name's input, the first of the type
 * radios and of the permission checkboxes, as the page names them).
 *
 * @example
 * ```ts
 * const checked = checkCreateKeyForm(form, { name: "name", type: "type-live", permissions: "permission-send" });
 * if ("errors" in checked) return page(c, "Create an API key", <CreateKeyPage errors={checked.errors} form={form} />, 422);
 * ```
 */
export function checkCreateKeyForm(form: CreateKeyForm, ids: { name: string; type: string; permissions: string }): { input: z.infer<typeof CreateApiKeySchema> } | { errors: FormError[] } {
  const parsed = CreateApiKeySchema.safeParse({ name: form.name, type: form.type || undefined, permissions: form.permissions });
  if (parsed.success) return { input: parsed.data };
  const errors: FormError[] = [];
  for (const issue of parsed.error.issues) {
    // An issue of the whole object (an unknown field) is the name's: the form has no other place for it.
    const at = String(issue.path[0] ?? "name");
    const field = at === "type" ? ids.type : at === "permissions" ? ids.permissions : ids.name;
    if (errors.some((e) => e.field === field)) continue;
    const message = field === ids.name ? (form.name.trim() === "" ? "Enter a name for the key" : `Name: ${issue.message}`) : field === ids.type ? "Select the type of key" : form.permissions.length === 0 ? "Select at least one permission" : issue.message;
    errors.push({ field, message });
  }
  return { errors };
}
