import { json, type CallOptions } from "../helpers/http";
import { asTenant, type TestTenant } from "../helpers/tenants";
import { dramaNumber, inboundSender, storedTexts, twilioInbound } from "../received-texts/helpers";

export interface ResourceOperation {
  method: string;
  path: string;
  options?: CallOptions;
}

/**
 * A tenant-owned resource for the isolation contract: `create` makes one as `owner` and returns
 * the operations that address it by id (another tenant must get 404 from each, and the owner
 * must find it unchanged afterwards) and the searches that could list it (another tenant must
 * get 200 without it). Every route that addresses or lists a tenant's data adds an entry here.
 */
export interface TenantResource {
  name: string;
  create(owner: TestTenant): Promise<{ id: string; read: ResourceOperation; operations: ResourceOperation[]; searches: ResourceOperation[] }>;
}

export const tenantResources: TenantResource[] = [
  {
    name: "template",
    async create(owner) {
      const res = await asTenant(owner, "POST", "/api/v1/templates", {
        body: { name: `contract-${crypto.randomUUID()}`, channel: "email", subject: "Hi {{name}}", body: "b" },
      });
      const { id, name } = await json(res);
      const path = `/api/v1/templates/${id}`;
      return {
        id,
        read: { method: "GET", path },
        operations: [
          { method: "GET", path },
          { method: "GET", path: `${path}?version=1` },
          { method: "PATCH", path, options: { body: { subject: "taken over" } } },
          { method: "POST", path: `${path}/preview`, options: { body: { params: { name: "x" } } } },
          ...["/v2", "/gcnotify/v2"].flatMap((v2) => [
            { method: "GET", path: `${v2}/template/${id}` },
            { method: "GET", path: `${v2}/template/${id}/version/1` },
            { method: "POST", path: `${v2}/template/${id}/preview`, options: { body: { personalisation: { name: "x" } } } },
          ]),
          { method: "DELETE", path },
        ],
        searches: [
          { method: "GET", path: `/api/v1/templates?name=${encodeURIComponent(name)}` },
          { method: "GET", path: "/api/v1/templates" },
          ...["/v2", "/gcnotify/v2"].flatMap((v2) => [
            { method: "GET", path: `${v2}/templates` },
            { method: "GET", path: `${v2}/templates?type=email` },
          ]),
        ],
      };
    },
  },
  {
    name: "notification",
    async create(owner) {
      const correlationId = `contract-${crypto.randomUUID()}`;
      const res = await asTenant(owner, "POST", "/api/v1/notifysimple/email", {
        key: owner.keys.test,
        body: {
          recipients: { to: ["a@example.com"] },
          content: { subject: "s", body: "b" },
          correlationId,
          delayedSend: new Date(Date.now() + 600_000).toISOString(),
        },
      });
      const { notifyId } = await json(res);
      return {
        id: notifyId,
        read: { method: "GET", path: `/api/v1/notify/${notifyId}` },
        operations: [
          { method: "GET", path: `/api/v1/notify/${notifyId}` },
          { method: "GET", path: `/api/v1/notify/status/${notifyId}` },
          { method: "GET", path: `/api/v1/notify/${notifyId}/messages` },
          { method: "GET", path: `/api/v1/notify/${notifyId}/messages?status=scheduled&channel=email` },
          { method: "GET", path: `/api/v1/notify/${notifyId}/attempts` },
          { method: "GET", path: `/api/v1/notify/${notifyId}/callbacks` },
          { method: "POST", path: `/api/v1/notify/${notifyId}/callbacks/evt_${"0".repeat(32)}/replay` },
          { method: "DELETE", path: `/api/v1/notify/${notifyId}` },
        ],
        searches: [
          { method: "GET", path: `/api/v1/notify?correlationId=${correlationId}` },
          { method: "GET", path: "/api/v1/notify" },
        ],
      };
    },
  },
  {
    name: "Notify v2 notification",
    async create(owner) {
      const template = await json(await asTenant(owner, "POST", "/api/v1/templates", { body: { name: `contract-${crypto.randomUUID()}`, channel: "sms", body: "b" } }));
      const reference = `contract-${crypto.randomUUID()}`;
      // Sent with the live key, as the other tenant's searches are (a v2 list shows the calling key type's sends only); scheduled, so it stays as created.
      const res = await asTenant(owner, "POST", "/v2/notifications/sms", {
        body: { phone_number: "+17787001234", template_id: template.id, reference, scheduled_for: new Date(Date.now() + 3_600_000).toISOString() },
      });
      const { id } = await json(res);
      return {
        id,
        read: { method: "GET", path: `/v2/notifications/${id}` },
        operations: ["/v2", "/gcnotify/v2"].map((v2) => ({ method: "GET", path: `${v2}/notifications/${id}` })),
        searches: ["/v2", "/gcnotify/v2"].flatMap((v2) => [
          { method: "GET", path: `${v2}/notifications` },
          { method: "GET", path: `${v2}/notifications?reference=${reference}` },
          { method: "GET", path: `${v2}/notifications?template_type=sms&status=created` },
        ]),
      };
    },
  },
  {
    name: "status callback",
    async create(owner) {
      const res = await asTenant(owner, "POST", "/api/v1/notify/registerCallback", { body: { url: "https://cb.example.com/contract", channelType: ["email"], trigger: ["success"] } });
      const { callbackId } = await json(res);
      const path = `/api/v1/notify/registerCallback/${callbackId}`;
      return {
        id: callbackId,
        read: { method: "GET", path },
        operations: [
          { method: "GET", path },
          { method: "PATCH", path, options: { body: { url: "https://evil.example.com/taken-over" } } },
          { method: "POST", path: `${path}/rotateSecret` },
          { method: "DELETE", path },
        ],
        searches: [{ method: "GET", path: "/api/v1/notify/registerCallback" }],
      };
    },
  },
  {
    name: "event type",
    async create(owner) {
      const code = `contract-${crypto.randomUUID().slice(0, 8)}`;
      const res = await asTenant(owner, "POST", "/api/v1/notifyevent/types", {
        body: { code, name: "Contract", email: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } } },
      });
      const { id } = await json(res);
      const byId = `/api/v1/notifyevent/types/${id}`;
      const byCode = `/api/v1/notifyevent/types/${code}`;
      return {
        id,
        read: { method: "GET", path: byId },
        operations: [
          { method: "GET", path: byId },
          { method: "GET", path: byCode },
          { method: "PATCH", path: byId, options: { body: { name: "taken over" } } },
          { method: "PATCH", path: byCode, options: { body: { name: "taken over" } } },
          { method: "DELETE", path: byId },
          { method: "DELETE", path: byCode },
        ],
        searches: [{ method: "GET", path: "/api/v1/notifyevent/types" }],
      };
    },
  },
  ...(["subscriptions", "attachments"] as const).map(
    (segment): TenantResource => ({
      name: `${segment} service`,
      async create(owner) {
        const res = await asTenant(owner, "POST", `/api/v1/service/${segment}`, {
          body: {
            name: `contract-${crypto.randomUUID().slice(0, 8)}`,
            url: "https://services.example.gov/x",
            authHeader: { name: "X-Key", value: "contract-secret" },
            ...(segment === "subscriptions" ? { responseMapping: { email: "emails" } } : {}),
          },
        });
        const { id } = await json(res);
        const path = `/api/v1/service/${segment}/${id}`;
        return {
          id,
          read: { method: "GET", path },
          operations: [
            { method: "GET", path },
            { method: "PATCH", path, options: { body: { url: "https://attacker.example/x" } } },
            { method: "DELETE", path },
          ],
          searches: [{ method: "GET", path: `/api/v1/service/${segment}` }],
        };
      },
    }),
  ),
  ...(["reply-to-addresses", "sms-senders"] as const).map(
    (segment): TenantResource => ({
      name: segment,
      async create(owner) {
        const value = `c${crypto.randomUUID().slice(0, 8)}`;
        const res = await asTenant(owner, "POST", `/api/v1/tenant/${segment}`, { body: segment === "sms-senders" ? { sender: value, isDefault: true } : { email: `${value}@example.com`, isDefault: true } });
        const { id } = await json(res);
        const path = `/api/v1/tenant/${segment}/${id}`;
        return { id, read: { method: "GET", path }, operations: [{ method: "GET", path }, { method: "DELETE", path }], searches: [{ method: "GET", path: `/api/v1/tenant/${segment}` }] };
      },
    }),
  ),
  {
    name: "received text",
    async create(owner) {
      const number = dramaNumber();
      await inboundSender(owner, number);
      const { sid } = await twilioInbound({ From: dramaNumber(), To: number, Body: `contract ${owner.id}` });
      const [row] = await storedTexts(sid);
      const id = String(row!.id);
      const read = { method: "GET", path: "/api/v1/tenant/received-texts" };
      return {
        id,
        read,
        operations: [],
        searches: [read, ...["/v2", "/gcnotify/v2"].flatMap((v2) => [{ method: "GET", path: `${v2}/received-text-messages` }, { method: "GET", path: `${v2}/received-text-messages?older_than=${id}` }])],
      };
    },
  },
  {
    name: "recipient group",
    async create(owner) {
      const name = `contract-${crypto.randomUUID().slice(0, 8)}`;
      const res = await asTenant(owner, "POST", "/api/v1/groups", { body: { name, members: [{ email: "member@example.com" }] } });
      const { id } = await json(res);
      const path = `/api/v1/groups/${id}`;
      return {
        id,
        read: { method: "GET", path },
        operations: [
          { method: "GET", path },
          { method: "PATCH", path, options: { body: { members: [{ email: "attacker@example.com" }] } } },
          { method: "DELETE", path },
        ],
        searches: [
          { method: "GET", path: `/api/v1/groups?name=${name}` },
          { method: "GET", path: "/api/v1/groups" },
        ],
      };
    },
  },
  {
    name: "suppression",
    async create(owner) {
      const recipient = `contract-${crypto.randomUUID().slice(0, 8)}@example.com`;
      const res = await asTenant(owner, "POST", "/api/v1/suppressions", { body: { channel: "email", recipient } });
      const { id } = await json(res);
      return {
        id,
        read: { method: "GET", path: `/api/v1/suppressions?recipient=${recipient}` },
        operations: [
          { method: "DELETE", path: `/api/v1/suppressions/${id}` },
          { method: "DELETE", path: `/api/v1/suppressions?channel=email&recipient=${recipient}` },
        ],
        searches: [
          { method: "GET", path: `/api/v1/suppressions?recipient=${recipient}` },
          { method: "GET", path: "/api/v1/suppressions?channel=email" },
        ],
      };
    },
  },
];
