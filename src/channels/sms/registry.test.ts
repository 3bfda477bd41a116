import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../env";
import { ProviderError } from "../types";
import { configuredSmsProviders, createSmsProvider, SMS_PROVIDERS, type SmsProviderName } from "./registry";

/** Only what the registry reads; the bindings are irrelevant here. */
const envWith = (vars: Partial<Env>): Env => ({ DEFAULT_REGION: "CA", ...vars }) as Env;

const TWILIO = { TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef", TWILIO_AUTH_TOKEN: "token" };
const VONAGE = { VONAGE_API_KEY: "key", VONAGE_API_SECRET: "secret" };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("SMS provider registry", () => {
  it("lists the providers", () => {
    expect(SMS_PROVIDERS).toEqual(["twilio", "vonage"]);
  });

  it("reports a provider as configured only when every required setting is present", () => {
    expect(configuredSmsProviders(envWith({}))).toEqual([]);
    expect(configuredSmsProviders(envWith({ TWILIO_ACCOUNT_SID: TWILIO.TWILIO_ACCOUNT_SID }))).toEqual([]);
    expect(configuredSmsProviders(envWith(TWILIO))).toEqual(["twilio"]);
    expect(configuredSmsProviders(envWith(VONAGE))).toEqual(["vonage"]);
    expect(configuredSmsProviders(envWith({ ...TWILIO, ...VONAGE }))).toEqual(["twilio", "vonage"]);
    // An empty secret is as good as none.
    expect(configuredSmsProviders(envWith({ ...VONAGE, VONAGE_API_SECRET: "" }))).toEqual([]);
  });

  it("creates configured adapters", () => {
    expect(createSmsProvider("twilio", envWith(TWILIO)).name).toBe("twilio");
    expect(createSmsProvider("vonage", envWith(VONAGE)).name).toBe("vonage");
  });

  it("throws a configuration ProviderError naming the missing variables", () => {
    const attempt = () => createSmsProvider("vonage", envWith({ VONAGE_API_KEY: "key" }));
    expect(attempt).toThrow(ProviderError);
    expect(attempt).toThrow(expect.objectContaining({ kind: "configuration", provider: "vonage", message: expect.stringContaining("VONAGE_API_SECRET") }));
    expect(() => createSmsProvider("twilio", envWith({}))).toThrow(/TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN/);
  });

  it("throws a configuration ProviderError for an unknown provider name", () => {
    expect(() => createSmsProvider("carrier-pigeon" as SmsProviderName, envWith(TWILIO))).toThrow(
      expect.objectContaining({ kind: "configuration", provider: "carrier-pigeon" }),
    );
  });

  it("maps Env to the adapter's config: base URL override and Messaging Service", async () => {
    let form: URLSearchParams | undefined;
    server.use(
      http.post(`http://127.0.0.1:8787/dev/sink/twilio/2010-04-01/Accounts/${TWILIO.TWILIO_ACCOUNT_SID}/Messages.json`, async ({ request }) => {
        form = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
        return HttpResponse.json({ sid: "SMlocal" }, { status: 201 });
      }),
    );
    const env = envWith({ ...TWILIO, TWILIO_API_URL: "http://127.0.0.1:8787/dev/sink/twilio", TWILIO_MESSAGING_SERVICE_SID: "MGservice" });

    const outcome = await createSmsProvider("twilio", env).send({ deliveryId: "d", from: "", to: "+17787001234", body: "Hi" });

    expect(outcome.providerMessageId).toBe("SMlocal");
    expect(form?.get("MessagingServiceSid")).toBe("MGservice");
  });
});
