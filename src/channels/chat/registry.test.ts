import { describe, expect, it } from "vitest";
import type { Env } from "../../env";
import type { ChatTargetType } from "../types";
import { assertTargetUrl, CHAT_TARGET_TYPES, createChatProvider } from "./registry";

const envWith = (vars: Partial<Env> = {}): Env => ({ DEFAULT_REGION: "CA", ...vars }) as Env;
const secure = envWith();
const insecure = envWith({ ALLOW_INSECURE_WEBHOOKS: "true" });

describe("chat provider registry", () => {
  it("lists every target type", () => {
    expect(CHAT_TARGET_TYPES).toEqual(["slack", "teams", "rocketchat", "webhook"]);
  });

  it("creates the adapter for each target type, with no deployment settings needed", () => {
    expect(CHAT_TARGET_TYPES.map((type) => createChatProvider(type, secure).name)).toEqual(["slack", "teams", "rocketchat", "webhook"]);
  });

  it("throws a configuration ProviderError for an unknown target type", () => {
    for (const type of ["discord", "toString", "__proto__"]) {
      expect(() => createChatProvider(type as ChatTargetType, secure)).toThrow(expect.objectContaining({ name: "ProviderError", kind: "configuration", provider: type }));
    }
  });
});

describe("assertTargetUrl", () => {
  it("accepts https URLs", () => {
    expect(assertTargetUrl("https://hooks.slack.com/services/T0/B0/secret", secure)).toBeNull();
    expect(assertTargetUrl("https://x.environment.api.powerplatform.com:443/powerautomate/invoke?api-version=1&sig=abc", secure)).toBeNull();
  });

  it("refuses http unless ALLOW_INSECURE_WEBHOOKS is exactly \"true\"", () => {
    expect(assertTargetUrl("http://127.0.0.1:8787/dev/sink/slack/T/B/x", secure)).toBe("Must be an https URL");
    expect(assertTargetUrl("http://127.0.0.1:8787/dev/sink/slack/T/B/x", envWith({ ALLOW_INSECURE_WEBHOOKS: "1" }))).toBe("Must be an https URL");
    expect(assertTargetUrl("http://127.0.0.1:8787/dev/sink/slack/T/B/x", insecure)).toBeNull();
  });

  it("refuses other schemes even when insecure webhooks are allowed", () => {
    for (const url of ["ftp://example.com/hook", "javascript:alert(1)", "file:///etc/passwd", "data:text/plain,hi"]) {
      expect(assertTargetUrl(url, secure)).toBe("Must be an https URL");
      expect(assertTargetUrl(url, insecure)).toBe("Must be an http or https URL");
    }
  });

  it("refuses credentials in the URL", () => {
    expect(assertTargetUrl("https://user:password@example.com/hook", secure)).toBe("Must not contain a user name or password");
    expect(assertTargetUrl("https://token@example.com/hook", secure)).toBe("Must not contain a user name or password");
    expect(assertTargetUrl("http://:pw@localhost/hook", insecure)).toBe("Must not contain a user name or password");
  });

  it("refuses what is not a URL", () => {
    for (const url of ["", "hooks.slack.com/services/T0/B0/x", "https://", "not a url"]) {
      expect(assertTargetUrl(url, secure)).toBe("Not a valid URL");
    }
  });
});
