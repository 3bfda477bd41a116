import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors/api-error";
import { jsonBodyGuard } from "./json-body-guard";

const app = new Hono<AppEnv>();
app.use("*", jsonBodyGuard);
app.onError((err, c) => c.json({ code: err instanceof ApiError ? err.code : "other" }, err instanceof ApiError ? (err.status as 400) : 500));
app.post("/raw", async (c) => c.json({ raw: await c.req.raw.text() }));
app.post("/parsed", async (c) => c.json({ parsed: await c.req.json() }));

const post = (path: string, body: string) => app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("jsonBodyGuard", () => {
  it("leaves the body readable both raw and parsed after scanning it", async () => {
    expect(await (await post("/raw", '{"a":[1]}')).json()).toEqual({ raw: '{"a":[1]}' });
    expect(await (await post("/parsed", '{"a":[1]}')).json()).toEqual({ parsed: { a: [1] } });
  });

  it("refuses 33 levels and accepts 32", async () => {
    expect((await post("/parsed", "[".repeat(33) + "]".repeat(33))).status).toBe(400);
    expect((await post("/parsed", "[".repeat(32) + "]".repeat(32))).status).toBe(200);
  });
});

describe("jsonBodyGuard: text the service could not store as given", () => {
  it("refuses invalid UTF-8 and unpaired surrogates, and accepts real characters", async () => {
    const bad = await app.request("/parsed", { method: "POST", headers: { "content-type": "application/json" }, body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xc0, 0x80, 0x22, 0x7d]) });
    expect(bad.status).toBe(400);
    expect((await post("/parsed", '{"a":"x\\uD800y"}')).status).toBe(400);
    expect(await (await post("/parsed", '{"a":"\\uD83D\\uDE00é"}')).json()).toEqual({ parsed: { a: "😀é" } });
  });
});

describe("jsonBodyGuard: a body that cannot be read", () => {
  it("is a 400, not an unhandled exception", async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'));
        controller.error(new Error("Network connection lost."));
      },
    });
    const res = await app.request("/parsed", { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(400);
  });
});
