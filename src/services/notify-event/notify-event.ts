import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import { findEventType } from "../event-types/event-types";
import type { SendRequest } from "../send/plan";
import { compileEventSend } from "./compile";
import type { NotifyEventInput } from "./request-schema";

/**
 * Reads the event type a /notifyevent request names (one D1 query, by code or id) and compiles
 * the request into the simple-send path's layered request. An unknown, deleted or another
 * tenant's event type is a 422 naming `notificationEventType`.
 *
 * @example
 * ```ts
 * const request = await eventSendRequest(ctx, { notificationEventType: "funding-approval", params: { firstname: "Lucky" } });
 * await sendNotification(ctx, request, "notifyevent");
 * ```
 */
export async function eventSendRequest(ctx: ServiceContext, body: NotifyEventInput): Promise<SendRequest> {
  const loaded = await findEventType(ctx, body.notificationEventType);
  if (!loaded) {
    throw new ApiError("unprocessable", {
      detail: `No event type ${body.notificationEventType}`,
      errors: [{ path: "notificationEventType", message: "No event type with this code or id" }],
    });
  }
  return compileEventSend(loaded, body);
}
