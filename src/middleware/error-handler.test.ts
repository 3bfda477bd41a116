import { describe, expect, it, vi } from "vitest";
import { createApp } from "../lib/router";
import { errorHandler } from "./error-handler";
import { requestContext } from "./request-context";
import { env } from "cloudflare:workers";

describe("errorHandler", () => {
  it("answers an unexpected exception with a 500 that hides internals and logs the request id", async () => {
    const app = createApp();
    app.use("*", requestContext);
    app.onError(errorHandler);
    app.get("/boom", () => {
      throw new Error("db password is hunter2");
    });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await app.request("/boom", {}, env);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain("hunter2");
    const problem = JSON.parse(body);
    expect(problem).toMatchObject({ code: "internal_error", status: 500, type: "/problems/internal_error" });
    expect(problem.detail).toContain(problem.requestId);
    const logged = JSON.parse(spy.mock.calls[0]![0] as string);
    expect(logged).toMatchObject({ level: "error", requestId: problem.requestId, path: "/boom" });
    spy.mockRestore();
  });
});
