import { describe, expect, it } from "vitest";
import type { Env } from "../../env";
import type { ChatTargetType } from "../types";
import { CHAT_TARGET_TYPES, createChatProvider } from "./registry";

const envWith = (vars: Partial<Env> = {}): Env => ({ DEFAULT_REGION: "CA", ...vars }) as Env;
const secure = envWith();

describe("chat provider registry", () => {
  it("lists every target type", () => {
    expect(CHAT_TARGET_TYPES).toEqual(["slack", "teams", "rocketchat", "webhook"]);
  });

  it("creates the adapter for each target type, with no deployment settings needed beyond the URL policy", () => {
    expect(CHAT_TARGET_TYPES.map((type) => createChatProvider(type, secure).name)).toEqual(["slack", "teams", "rocketchat", "webhook"]);
  });

  it("throws a configuration ProviderError for an unknown target type", () => {
    for (const type of ["discord", "toString", "__proto__"]) {
      expect(() => createChatProvider(type as ChatTargetType, secure)).toThrow(expect.objectContaining({ name: "ProviderError", kind: "configuration", provider: type }));
    }
  });
});

describe("chat adapters apply the outbound-URL policy from env at send time", () => {
  const message = (type: ChatTargetType, url: string) => ({ deliveryId: "dlv_r", target: { type, url }, text: "Hi" });

  it("refuses a stored loopback URL as a permanent url_refused failure, without a request", async () => {
    // Nothing is mocked: a request that went out would fail as a network error instead.
    await expect(createChatProvider("slack", secure).send(message("slack", "http://127.0.0.1:8787/dev/sink/slack/T/B/x"))).rejects.toMatchObject({
      name: "ProviderError",
      kind: "permanent",
      errorCode: "url_refused",
      message: "slack: the target URL is refused: Must not point at a loopback address (127.0.0.1)",
    });
  });

  it("refuses this deployment's own host when PUBLIC_ORIGIN names it", async () => {
    const deployed = envWith({ PUBLIC_ORIGIN: "https://notify.example.gov" });
    await expect(createChatProvider("webhook", deployed).send(message("webhook", "https://notify.example.gov/api/v1/tenants"))).rejects.toMatchObject({
      kind: "permanent",
      errorCode: "url_refused",
      message: "webhook: the target URL is refused: Must not point at this service itself (notify.example.gov)",
    });
  });
});
