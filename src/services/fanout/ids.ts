import type { Channel } from "../../db/schema";

/**
 * Ids of the rows a fan-out creates, derived from what they are rather than drawn at random, so
 * that planning a chunk twice (a queue redelivery, a crash after the D1 write) names the same
 * rows and the second write collides instead of adding recipients.
 *
 * A UUIDv8 (RFC 9562) laid out to sort like the rows of the merge:
 * `tttttttt-tttt-8kc0-8rrr-rriiihhhhhhh`
 * - `t` the notification's 48-bit millisecond time (the prefix of its UUIDv7 id), so the rows sort
 *   among others made then;
 * - `k` the kind (1 delivery, 2 message), `c` the channel;
 * - `r` the merge row (20 bits, up to 1,048,575) and `i` the row's delivery or message ordinal
 *   (12 bits), so a chunk's rows are one contiguous range of ids;
 * - `h` 28 bits of the notification id's hash, which tells apart notifications made in the same
 *   millisecond (the range queries also filter on notification_id).
 */
const KIND = { delivery: 1, message: 2 } as const;
const CHANNEL_NIBBLE: Record<Channel, number> = { email: 0, sms: 1, msgApp: 2 };

/** Most rows and ordinals the layout holds. */
export const MAX_ID_ROW = 0xfffff;
export const MAX_ID_ORDINAL = 0xfff;

function fnv1a28(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0xfffffff;
}

/**
 * The id of a fanned-out delivery or message.
 *
 * @example
 * ```ts
 * fanoutId("019d5a4e-1b2c-7000-8000-000000000001", "delivery", "email", 1, 0)
 * // "019d5a4e-1b2c-8100-8000-01000xxxxxxx" (x: the hash digits)
 * ```
 */
export function fanoutId(notifyId: string, kind: keyof typeof KIND, channel: Channel, row: number, ordinal: number): string {
  if (!Number.isInteger(row) || row < 0 || row > MAX_ID_ROW) throw new RangeError(`row ${row} out of range`);
  if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal > MAX_ID_ORDINAL) throw new RangeError(`ordinal ${ordinal} out of range`);
  const time = notifyId.replaceAll("-", "").slice(0, 12).toLowerCase();
  const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
  const tail = `${hex(row, 5)}${hex(ordinal, 3)}${hex(fnv1a28(notifyId.toLowerCase()), 7)}`;
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-8${KIND[kind]}${CHANNEL_NIBBLE[channel]}0-8${tail.slice(0, 3)}-${tail.slice(3)}`;
}
