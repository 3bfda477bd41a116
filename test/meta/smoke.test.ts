import { describe, expect, it } from "vitest";
import { call, json } from "../helpers/http";

describe("smoke", () => {
  it("healthz", async () => {
    const res = await call("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: "ok", checks: { database: "ok" } });
  });
});
