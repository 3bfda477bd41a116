import { delay, http, HttpResponse } from "msw";
import type { setupServer } from "msw/node";

/** One POST a receiver got: its headers of interest, raw body and parsed JSON. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  json: any;
}

/** What the receiver answers next at a path: a status (with headers) or a stall of `stallMs`. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | { stallMs: number };

export const RECEIVER_ORIGIN = "https://receiver.example.com";

/**
 * A callback receiver on msw: every POST to RECEIVER_ORIGIN is recorded; each path answers its
 * scripted answers in turn, then 200. Paths keep tests (and late queue deliveries) apart.
 */
export function createReceiver(server: ReturnType<typeof setupServer>) {
  const received: Received[] = [];
  const scripts = new Map<string, Answer[]>();
  server.use(
    http.post(`${RECEIVER_ORIGIN}/*`, async ({ request }) => {
      const path = new URL(request.url).pathname;
      const body = await request.text();
      const headers: Record<string, string> = {};
      request.headers.forEach((v, k) => (headers[k] = v));
      received.push({ path, headers, body, json: JSON.parse(body) });
      const answer = scripts.get(path)?.shift() ?? { status: 200 };
      if ("stallMs" in answer) {
        await delay(answer.stallMs);
        return HttpResponse.text("late", { status: 200 });
      }
      return new HttpResponse(answer.body ?? "ok", { status: answer.status, headers: answer.headers });
    }),
  );
  return {
    received,
    /** A fresh receiver URL with scripted answers. */
    url(...answers: Answer[]): string {
      const path = `/hook/${crypto.randomUUID()}`;
      scripts.set(path, answers);
      return `${RECEIVER_ORIGIN}${path}`;
    },
    at(url: string): Received[] {
      const path = new URL(url).pathname;
      return received.filter((r) => r.path === path);
    },
    /** Waits until `url` has had `count` POSTs (or throws after `timeoutMs`). */
    async waitFor(url: string, count: number, timeoutMs = 15_000): Promise<Received[]> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const got = this.at(url);
        if (got.length >= count) return got;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${url} got ${this.at(url).length} of ${count} callbacks`);
    },
  };
}
