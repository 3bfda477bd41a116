import { z } from "@hono/zod-openapi";
import { displayNameSchema } from "../../lib/display-name";
import { GROUP_NAME_PATTERN, GROUP_NAME_RULE, MAX_GROUP_MEMBERS } from "../../services/groups/groups";

export const GroupNameSchema = displayNameSchema(64)
  .refine((v) => GROUP_NAME_PATTERN.test(v), { message: GROUP_NAME_RULE })
  .openapi({ description: "Unique per tenant, case-sensitive; referenced as `group:<name>` in recipient lists. " + GROUP_NAME_RULE, example: "FundingApprovers" });

export const GroupMemberSchema = z
  .object({
    name: displayNameSchema(200).optional().openapi({ example: "Ann Approver" }),
    email: z.string().max(320).optional().openapi({ example: "ann@example.gov" }),
    phone: z.string().max(32).optional().openapi({ description: "E.164, or national in the tenant's defaultRegion", example: "+17787001234" }),
    optedOut: z.boolean().optional().openapi({ description: "Kept in the group but skipped when it is expanded" }),
  })
  .strict()
  .openapi("GroupMember", { description: "Needs an email or a phone (or both); normalised as recipients are" });

const description = z.string().max(1000).optional().openapi({ example: "Approves funding applications" });

export const CreateGroupSchema = z
  .object({
    name: GroupNameSchema,
    description,
    members: z.array(GroupMemberSchema).max(MAX_GROUP_MEMBERS, `At most ${MAX_GROUP_MEMBERS} members`),
  })
  .strict()
  .openapi("CreateGroup");

export const UpdateGroupSchema = z
  .object({
    name: GroupNameSchema.optional(),
    description: description.nullable(),
    members: z.array(GroupMemberSchema).max(MAX_GROUP_MEMBERS, `At most ${MAX_GROUP_MEMBERS} members`).optional().openapi({ description: "Replaces every member" }),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: "Nothing to change: give at least one field" })
  .openapi("UpdateGroup");

export const GroupSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    members: z.array(GroupMemberSchema),
    counts: z
      .object({ members: z.number().int(), email: z.number().int(), sms: z.number().int(), optedOut: z.number().int() })
      .openapi({ description: "Members in all; members an expansion reaches by email and by SMS (opted-out ones excluded); opted-out members" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Group");

export const GroupIdParamSchema = z.object({
  groupId: z.uuid().openapi({ param: { name: "groupId", in: "path" } }),
});

/** What the group routes say about expansion. */
export const GROUP_EXPANSION_NOTE =
  "A recipient entry `group:<name>` (email to/cc/bcc, SMS to; any send) expands to the members' addresses or numbers, opted-out members skipped.";
