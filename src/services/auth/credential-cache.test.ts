import { describe, expect, it } from "vitest";
import { cachedCredential, CREDENTIAL_CACHE_TTL_MS, forgetCredentials } from "./credential-cache";

describe("cachedCredential", () => {
  it("reads once per lifetime, again after it, and at once after forgetCredentials", async () => {
    let reads = 0;
    const load = async () => ({ read: ++reads });
    const key = `test:${crypto.randomUUID()}`;
    const t0 = 1_000_000;
    expect(await cachedCredential(key, load, t0)).toEqual({ read: 1 });
    expect(await cachedCredential(key, load, t0 + CREDENTIAL_CACHE_TTL_MS - 1)).toEqual({ read: 1 });
    // Past its lifetime, a change made through another isolate (a revoked key) is read.
    expect(await cachedCredential(key, load, t0 + CREDENTIAL_CACHE_TTL_MS)).toEqual({ read: 2 });
    forgetCredentials();
    expect(await cachedCredential(key, load, t0 + CREDENTIAL_CACHE_TTL_MS)).toEqual({ read: 3 });
  });

  it("never keeps a credential that was not found, so a key created since is found", async () => {
    let exists = false;
    const key = `test:${crypto.randomUUID()}`;
    const load = async () => (exists ? { found: true } : null);
    expect(await cachedCredential(key, load, 0)).toBeNull();
    exists = true;
    expect(await cachedCredential(key, load, 1)).toEqual({ found: true });
  });
});
