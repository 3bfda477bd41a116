import type { Context } from "hono";

/** Pages a "Previous" link can walk back through; past this it starts again at the first page. */
const MAX_TRAIL = 40;
const CURSOR = /^[A-Za-z0-9_-]{1,512}$/;

/**
 * The page a list screen is asked for: its cursor (empty for the first page, or for one we could
 * not have issued) and the cursors of the pages before it, which the services' forward-only
 * keyset paging cannot give back, so each link carries them in `prev`.
 *
 * @example
 * ```ts
 * const at = pageAt(c); // { cursor: "…", trail: ["", "…"] }
 * ```
 */
export function pageAt(c: Context): { cursor: string; trail: string[] } {
  const raw = c.req.query("cursor") ?? "";
  const prev = c.req.query("prev");
  const trail = prev === undefined ? [] : prev.slice(0, 25_000).split(".").filter((p) => p === "" || CURSOR.test(p)).slice(-MAX_TRAIL);
  return { cursor: CURSOR.test(raw) ? raw : "", trail };
}

/**
 * The next and previous links of a list page at `at`, keeping the screen's own query (`base`).
 * Without a trail (a cut-short or hand-made link) "Previous" goes back to the first page.
 *
 * @example
 * ```ts
 * const { next, previous } = pageLinks("/admin/activity", new URLSearchParams({ status }), at, result.nextCursor);
 * ```
 */
export function pageLinks(path: string, base: URLSearchParams, at: { cursor: string; trail: string[] }, nextCursor: string | null): { next: string | null; previous: string | null } {
  const { cursor, trail } = at;
  const link = (to: string, before: string[] | null) => {
    const params = new URLSearchParams(base);
    if (to) params.set("cursor", to);
    if (before) params.set("prev", before.join("."));
    const qs = params.toString();
    return `${path}${qs ? `?${qs}` : ""}`;
  };
  return {
    next: nextCursor ? link(nextCursor, [...trail, cursor].slice(-MAX_TRAIL)) : null,
    previous: cursor ? (trail.length > 0 ? link(trail[trail.length - 1]!, trail.length > 1 ? trail.slice(0, -1) : null) : link("", null)) : null,
  };
}

/** The previous/next navigation under a list, when there is another page. */
export function Pagination(props: { label: string; next: string | null; previous: string | null }) {
  if (!props.previous && !props.next) return null;
  return (
    <nav class="pagination" aria-label={props.label}>
      <ul>
        {props.previous && (
          <li>
            <a href={props.previous} rel="prev">
              Previous page
            </a>
          </li>
        )}
        {props.next && (
          <li>
            <a href={props.next} rel="next">
              Next page
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}
