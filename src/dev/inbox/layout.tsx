import { raw } from "hono/html";
import type { Child } from "hono/jsx";

// Inline only: the inbox has to work offline and must not load anything from elsewhere.
const STYLE = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --accent: #2563eb; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
h2 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .5rem; text-align: left; vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
table.headers th { width: 1%; }
table.headers pre { padding: .25rem .5rem; }
td.clip { max-width: 16rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
pre { background: rgba(127, 127, 127, .1); border-radius: 6px; margin: 0; overflow: auto; padding: .75rem; white-space: pre-wrap; word-break: break-word; }
iframe { background: #fff; border: 1px solid var(--line); border-radius: 6px; height: 32rem; width: 100%; }
.toolbar { align-items: center; display: flex; gap: 1rem; justify-content: space-between; margin-bottom: 1rem; }
.muted { color: var(--muted); }
.badge { border-radius: 999px; color: #fff; display: inline-block; font-size: .75rem; font-weight: 600; padding: 0 .5rem; }
.badge.email { background: #2563eb; } .badge.sms { background: #16a34a; } .badge.chat { background: #9333ea; }
dl.meta { display: grid; gap: .25rem 1rem; grid-template-columns: max-content 1fr; margin: 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; word-break: break-word; }
button { cursor: pointer; font: inherit; padding: .3rem .9rem; }
`;

/** Seconds between reloads of the list page. */
const REFRESH_SECONDS = 5;

export interface LayoutProps {
  title: string;
  /** Reload the page every few seconds (the list), so new messages appear without a click. */
  refresh?: boolean;
  children?: Child;
}

/** The page shell every inbox page shares. */
export function Layout({ title, refresh, children }: LayoutProps) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {refresh && <meta http-equiv="refresh" content={String(REFRESH_SECONDS)} />}
        <title>{`${title} · Edge Notify dev inbox`}</title>
        <style>{raw(STYLE)}</style>
      </head>
      <body>{children}</body>
      </html>
    </>
  );
}
