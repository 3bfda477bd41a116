import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { twilioStatusCallbacks } from "./receipts";

const ORIGIN = "http://sink-retry.test";
const HOOK = `${ORIGIN}/hooks/twilio`;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const message = { url: HOOK, authToken: "t", accountSid: "AC1", sid: "SM1", from: "+15005550006", to: "+17787001234", messagingServiceSid: null };

describe("dev sink reports", () => {
  it("retry a report the busy Worker answered 503 or could not take, as SNS and Twilio do, until it is taken", async () => {
    const answers = [503, 0, 200, 429, 200];
    const seen: string[] = [];
    server.use(
      http.post(HOOK, async ({ request }) => {
        const status = new URLSearchParams(await request.text()).get("MessageStatus")!;
        const answer = answers.shift()!;
        seen.push(`${status}:${answer}`);
        return answer === 0 ? HttpResponse.error() : new HttpResponse(null, { status: answer });
      }),
    );
    await twilioStatusCallbacks(ORIGIN, message);
    expect(seen).toEqual(["sent:503", "sent:0", "sent:200", "delivered:429", "delivered:200"]);
  }, 20_000);

  it("do not retry a refusal that a retry cannot change", async () => {
    let calls = 0;
    server.use(
      http.post(HOOK, () => {
        calls++;
        return new HttpResponse(null, { status: 403 });
      }),
    );
    await twilioStatusCallbacks(ORIGIN, message);
    expect(calls).toBe(2);
  }, 20_000);
});
