import { z } from "@hono/zod-openapi";

/**
 * An SMS sender as carriers accept it: an E.164 number, a short code (3–8 digits), or an
 * alphanumeric id of 1–11 letters, digits and inner spaces with at least one letter (an
 * all-digit "alphanumeric" id would read as a number). One schema for the request's
 * `sms.sender.senderId` and the tenant default `sms.senderId`, so neither accepts what the other
 * refuses.
 *
 * @example
 * ```ts
 * SenderIdSchema.parse("+15005550006"); SenderIdSchema.parse("Notify GC"); // ok
 * SenderIdSchema.safeParse("Notify\u0000").success // false
 * ```
 */
export const SenderIdSchema = z
  .string()
  .regex(
    /^(?:\+[1-9]\d{6,14}|\d{3,8}|(?=[^]*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9 ]{0,9}[A-Za-z0-9])?)$/,
    "An E.164 number, a short code, or an alphanumeric id of up to 11 characters (letters, digits, inner spaces; at least one letter)",
  )
  .openapi({ description: "E.164 number, short code, or alphanumeric id (up to 11 characters)", example: "+15005550006" });
