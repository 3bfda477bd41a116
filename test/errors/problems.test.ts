import { describe, expect, it } from "vitest";
import { asAdmin, call, json } from "../helpers/http";

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const problem = await json(res);
  expect(problem).toMatchObject({ type: `/problems/${code}`, status, code, title: expect.any(String) });
  expect(problem.requestId).toBe(res.headers.get("x-request-id"));
  expect(problem.requestId).toMatch(/^req_[0-9a-f]{32}$/);
  return problem;
}

describe("one error path: RFC 9457 problem documents", () => {
  it("400 invalid_json for a malformed body", async () => {
    const res = await asAdmin("POST", "/api/v1/tenants", { rawBody: '{"name": ', headers: { "content-type": "application/json" } });
    const problem = await expectProblem(res, 400, "invalid_json");
    expect(problem.instance).toBe("/api/v1/tenants");
  });

  it("415 for a body that is not JSON, or has no content type", async () => {
    const text = await asAdmin("POST", "/api/v1/tenants", { rawBody: "name=x", headers: { "content-type": "text/plain" } });
    expect((await expectProblem(text, 415, "unsupported_media_type")).detail).toContain("text/plain");
    const none = await asAdmin("POST", "/api/v1/tenants", { rawBody: '{"name":"x"}' });
    await expectProblem(none, 415, "unsupported_media_type");
  });

  it("400 with every field when the body is valid JSON of the wrong shape", async () => {
    const res = await asAdmin("POST", "/api/v1/tenants", { body: [1, 2] });
    const problem = await expectProblem(res, 400, "invalid_request");
    expect(problem.errors).toEqual([{ path: "(root)", message: expect.stringMatching(/object/) }]);
  });

  it("413 for a body over the limit, before it is parsed", async () => {
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) });
    const res = await asAdmin("POST", "/api/v1/tenants", { rawBody: big, headers: { "content-type": "application/json" } });
    expect((await expectProblem(res, 413, "payload_too_large")).detail).toContain("1048576");
  });

  it("404 for unknown routes, 405 with Allow for wrong methods", async () => {
    await expectProblem(await call("GET", "/nope"), 404, "not_found");
    await expectProblem(await call("GET", "/api/v1/tenants/x/y/z"), 404, "not_found");
    const res = await call("PUT", "/api/v1/tenants");
    await expectProblem(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
    const item = await call("POST", `/api/v1/tenants/${crypto.randomUUID()}`);
    expect(item.headers.get("allow")).toBe("GET, HEAD, PATCH");
  });

  it("documents every problem type at its type URI", async () => {
    const res = await call("GET", "/problems/payload_too_large");
    expect(await json(res)).toEqual({
      type: "/problems/payload_too_large",
      code: "payload_too_large",
      status: 413,
      title: "The request body is too large",
    });
    expect((await call("GET", "/problems/nope")).status).toBe(404);
  });
});

describe("request and correlation ids", () => {
  it("echoes a caller's X-Correlation-Id and makes one otherwise", async () => {
    const given = await call("GET", "/healthz", { headers: { "x-correlation-id": "order-1234" } });
    expect(given.headers.get("x-correlation-id")).toBe("order-1234");
    const made = await call("GET", "/healthz");
    expect(made.headers.get("x-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await call("GET", "/healthz", { headers: { "x-correlation-id": "x".repeat(200) } });
    expect(tooLong.headers.get("x-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("puts a fresh request id on every response, errors included", async () => {
    const a = await call("GET", "/healthz");
    const b = await call("GET", "/nope");
    expect(a.headers.get("x-request-id")).toMatch(/^req_/);
    expect(b.headers.get("x-request-id")).toMatch(/^req_/);
    expect(a.headers.get("x-request-id")).not.toBe(b.headers.get("x-request-id"));
  });
});
