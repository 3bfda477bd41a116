import { z } from "@hono/zod-openapi";
import { MAX_GUEST_LIST_ENTRIES } from "../../services/guest-list/guest-list";

export const GuestListSchema = z
  .object({
    emails: z
      .array(z.string().max(320))
      .max(MAX_GUEST_LIST_ENTRIES)
      .openapi({ description: "Email addresses, compared case-insensitively", example: ["ann@example.com"] }),
    phones: z
      .array(z.string().max(40))
      .max(MAX_GUEST_LIST_ENTRIES)
      .openapi({ description: "Phone numbers; national ones are read in the tenant's defaultRegion and stored in E.164", example: ["+17787001234"] }),
  })
  .strict()
  .openapi("GuestList");
