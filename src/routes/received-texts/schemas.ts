import { z } from "@hono/zod-openapi";

export const RECEIVED_TEXTS_TAG = "Received text messages";

export const ReceivedTextSchema = z
  .object({
    id: z.uuid(),
    smsSenderId: z.uuid().nullable().openapi({ description: "The inbound SMS sender that received it (/api/v1/tenant/sms-senders); null once that sender is deleted" }),
    notifyNumber: z.string().openapi({ description: "Your number the text was sent to, as the sender stores it", example: "+447700900000" }),
    userNumber: z.string().openapi({ description: "Who sent it: E.164, or as the network named the sender when it is not a phone number", example: "+447700900123" }),
    content: z.string().openapi({ example: "STOP" }),
    provider: z.string().openapi({ example: "twilio" }),
    createdAt: z.iso.datetime().openapi({ description: "When it was received" }),
  })
  .openapi("ReceivedText");

/** GOV.UK Notify's received text message (`get_inbound_sms_single_response`). */
export const V2ReceivedTextSchema = z
  .object({
    id: z.uuid(),
    created_at: z.string().openapi({ example: "2024-05-17T15:58:38.342000Z" }),
    service_id: z.uuid().openapi({ description: "The tenant" }),
    notify_number: z.string(),
    user_number: z.string(),
    content: z.string(),
  })
  .openapi("V2ReceivedTextMessage");

export const V2ReceivedTextListSchema = z
  .object({
    received_text_messages: z.array(V2ReceivedTextSchema),
    links: z.object({ current: z.url(), next: z.url().optional() }),
  })
  .openapi("V2ReceivedTextMessageList");
