import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { ApiKeyRow } from "../../db/schema";
import { seal, open } from "../../lib/crypto/secret-box";
import { ApiError } from "../../lib/errors/api-error";
import { secretContext } from "../api-keys/api-keys";
import { signedWith } from "./jwt";
import { createSigningKeyCache } from "./signing-keys";

const MATERIAL = "test-encryption-key-0123456789abcdef";
const tenantId = crypto.randomUUID();

async function keyRow(secret = crypto.randomUUID()): Promise<ApiKeyRow & { secret: string }> {
  const id = crypto.randomUUID();
  return {
    id,
    tenantId,
    name: "k",
    type: "live",
    secretHash: "h",
    secretCiphertext: await seal(MATERIAL, secret, secretContext(tenantId, id)),
    permissions: ["send"],
    createdAt: new Date(),
    revokedAt: null,
    lastUsedAt: null,
    secret,
  };
}

function countingOpen() {
  const calls = { n: 0 };
  const fn: typeof open = (...args) => {
    calls.n++;
    return open(...args);
  };
  return { calls, fn };
}

const forged = () => new SignJWT({ iss: tenantId, iat: 0 }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(crypto.randomUUID()));

describe("signing-key cache", () => {
  it("decrypts each key once per isolate: a second forged token costs no decryption", async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => keyRow()));
    const { calls, fn } = countingOpen();
    const cache = createSigningKeyCache({ open: fn });
    const tryAll = async (token: string) => {
      for (const key of keys) if (await signedWith(token, (await cache.get(key, MATERIAL))!)) return key.id;
      return null;
    };
    expect(await tryAll(await forged())).toBeNull();
    expect(calls.n).toBe(5);
    expect(await tryAll(await forged())).toBeNull();
    expect(calls.n).toBe(5);
    // The cached keys still verify genuine tokens.
    const genuine = await new SignJWT({ iss: tenantId, iat: 0 }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(keys[3]!.secret));
    expect(await tryAll(genuine)).toBe(keys[3]!.id);
    expect(calls.n).toBe(5);
  });

  it("shares one decryption between concurrent requests", async () => {
    const key = await keyRow();
    const { calls, fn } = countingOpen();
    const cache = createSigningKeyCache({ open: fn });
    await Promise.all([cache.get(key, MATERIAL), cache.get(key, MATERIAL), cache.get(key, MATERIAL)]);
    expect(calls.n).toBe(1);
  });

  it("decrypts again when the ciphertext changes, and when the key fell out of the bounded cache", async () => {
    const [a, b] = [await keyRow(), await keyRow()];
    const { calls, fn } = countingOpen();
    const cache = createSigningKeyCache({ open: fn, capacity: 1 });
    await cache.get(a, MATERIAL);
    await cache.get({ ...a, secretCiphertext: await seal(MATERIAL, "other-secret", secretContext(tenantId, a.id)) }, MATERIAL);
    expect(calls.n).toBe(2);
    await cache.get(b, MATERIAL);
    await cache.get(a, MATERIAL);
    expect(calls.n).toBe(4);
  });

  it("remembers a ciphertext that does not open as unusable, but not a missing encryption key", async () => {
    const key = await keyRow();
    const { calls, fn } = countingOpen();
    const cache = createSigningKeyCache({ open: fn });
    expect(await cache.get(key, "another-encryption-key-0123456789")).toBeNull();
    expect(await cache.get(key, "another-encryption-key-0123456789")).toBeNull();
    expect(calls.n).toBe(1);
    const fresh = await keyRow();
    await expect(cache.get(fresh, undefined)).rejects.toBeInstanceOf(ApiError);
    expect(await cache.get(fresh, MATERIAL)).not.toBeNull();
  });
});
