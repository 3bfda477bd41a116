import type { ApiKeyPermission, ApiKeyType } from "../../../../db/schema";
import { Tag } from "../../../layout";

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
