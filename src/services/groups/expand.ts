import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type RecipientGroupRow, recipientGroups } from "../../db/schema";
import { chunk } from "../../lib/chunk";
import type { ServiceContext } from "../context";
import { GROUP_NAME_PATTERN } from "./groups";

/**
 * `group:<name>` in a recipient list, as written: the prefix in any case, the name exact
 * (case-sensitive, as stored). Only a literal entry is a reference: a value produced by a
 * `{{placeholder}}` is never expanded, so data passed in params (an applicant's address, say)
 * cannot widen a notification to a whole group.
 */
const GROUP_REFERENCE = /^\s*group:(.*?)\s*$/i;

/** A recipient produced by expansion or refused in its place; the path is the `group:` entry's. */
export interface ExpandedEntry {
  value: string;
  path: string;
  /** Why this entry cannot be a recipient (unknown group); reported at `path` by the validators. */
  problem?: string;
}

/** Expands one `group:<name>` written at `path` into entries for one channel. */
export type GroupExpander = (name: string, path: string) => ExpandedEntry[];

/**
 * The name a recipient value refers to, or null when it is not a group reference.
 *
 * @example
 * ```ts
 * groupReference("group:FundingApprovers") // "FundingApprovers"
 * groupReference("ann@example.com")        // null
 * ```
 */
export function groupReference(value: string): string | null {
  const match = GROUP_REFERENCE.exec(value);
  return match ? match[1]! : null;
}

/**
 * Separates the literal group references of one recipient value (an array element, or a string
 * of comma-separated values) from the rest, which is rendered as before.
 *
 * @example
 * ```ts
 * splitGroupReferences("{{email}}, group:Approvers") // { groups: ["Approvers"], rest: "{{email}}" }
 * ```
 */
export function splitGroupReferences(raw: string): { groups: string[]; rest: string } {
  if (!/group:/i.test(raw)) return { groups: [], rest: raw };
  const groups: string[] = [];
  const rest: string[] = [];
  for (const piece of raw.split(",")) {
    const name = groupReference(piece);
    if (name !== null) groups.push(name);
    else rest.push(piece);
  }
  return { groups, rest: rest.join(",") };
}

/** Every group name written literally in these recipient lists. */
export function groupNamesIn(lists: readonly (string | readonly string[] | undefined)[]): string[] {
  const names = new Set<string>();
  for (const list of lists) {
    if (list === undefined) continue;
    for (const raw of typeof list === "string" ? [list] : list) for (const name of splitGroupReferences(raw).groups) names.add(name);
  }
  return [...names];
}

/** Message for a value a placeholder rendered into `group:…`. */
export const GROUP_FROM_PARAMETER = "A group reference must be written in the recipient list itself; a parameter cannot name a group";

/** D1 binds at most 100 parameters per statement: the tenant id and up to 90 names. */
const NAMES_PER_QUERY = 90;

/**
 * The groups a request names, loaded once: one D1 round trip (a batch when more than 90 names),
 * before planning, so expansion during planning is synchronous. Names are matched exactly; the
 * lookup is case-insensitive only to say "did you mean" when a reference differs in case.
 */
export class GroupDirectory {
  private readonly exact = new Map<string, RecipientGroupRow>();
  private readonly folded = new Map<string, string>();

  constructor(rows: RecipientGroupRow[] = []) {
    for (const row of rows) {
      this.exact.set(row.name, row);
      this.folded.set(row.name.toLowerCase(), row.name);
    }
  }

  static readonly empty = new GroupDirectory();

  get(name: string): RecipientGroupRow | undefined {
    return this.exact.get(name);
  }

  /** Expands `group:<name>` for one channel: members' emails or phones, opted-out members skipped. */
  expander(channel: "email" | "sms"): GroupExpander {
    return (name, path) => {
      const group = this.exact.get(name);
      if (!group) {
        const other = this.folded.get(name.toLowerCase());
        const hint = other && other !== name ? ` (group names are case-sensitive: did you mean "${other}"?)` : "";
        return [{ value: `group:${name}`, path, problem: `No group named "${name}"${hint}` }];
      }
      return group.members
        .filter((m) => !m.optedOut)
        .map((m) => (channel === "email" ? m.email : m.phone))
        .filter((v): v is string => v !== undefined)
        .map((value) => ({ value, path }));
    };
  }
}

/**
 * Loads the tenant's groups with these names (another tenant's group is no group).
 *
 * @example
 * ```ts
 * const groups = await loadGroups(ctx, groupNamesIn([channel.recipients.to, channel.recipients.cc]));
 * renderRecipientList(list, path, params, renderer, problems, groups.expander("email"));
 * ```
 */
export async function loadGroups(ctx: Pick<ServiceContext, "db" | "tenant">, names: readonly string[]): Promise<GroupDirectory> {
  const wanted = [...new Set(names.filter((n) => GROUP_NAME_PATTERN.test(n)).map((n) => n.toLowerCase()))];
  if (wanted.length === 0) return GroupDirectory.empty;
  const query = (part: string[]) =>
    ctx.db
      .select()
      .from(recipientGroups)
      .where(and(eq(recipientGroups.tenantId, ctx.tenant.id), inArray(sql`lower(${recipientGroups.name})`, part)));
  const parts = chunk(wanted, NAMES_PER_QUERY);
  if (parts.length === 1) return new GroupDirectory(await query(parts[0]!));
  const statements: BatchItem<"sqlite">[] = parts.map(query);
  const results = (await ctx.db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as unknown as RecipientGroupRow[][];
  return new GroupDirectory(results.flat());
}

/** A channel's resolved recipient lists, as far as group references go (resolve/cascade.ts ResolvedChannel). */
interface RecipientLists {
  entries<T = unknown>(leaf: string): { value: T }[];
}

/**
 * Scans the resolved email to/cc/bcc and SMS to (every layer: request, event type, tenant
 * defaults; any send) for `group:` references and loads those groups in one D1 round trip; no
 * query when there are none. Call it once per request, before planning the channels.
 */
export function loadReferencedGroups(ctx: Pick<ServiceContext, "db" | "tenant">, resolved: { email?: RecipientLists; sms?: RecipientLists }): Promise<GroupDirectory> {
  const values = (lists: RecipientLists | undefined, leaves: string[]) => leaves.flatMap((leaf) => lists?.entries<unknown>(leaf).map((e) => e.value) ?? []);
  const raw = [...values(resolved.email, ["recipients.to", "recipients.cc", "recipients.bcc"]), ...values(resolved.sms, ["recipients.to"])];
  return loadGroups(ctx, groupNamesIn([raw.filter((v): v is string => typeof v === "string")]));
}
