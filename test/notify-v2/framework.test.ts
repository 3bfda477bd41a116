import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { notifyValidationMessages } from "../../src/routes/notify-v2/framework";
import { call, json } from "../helpers/http";

describe("the Notify v2 error boundary", () => {
  it("answers an unknown path under /v2 and /gcnotify/v2 as NoResultFound, elsewhere as a problem", async () => {
    for (const path of ["/v2/nothing-here", "/gcnotify/v2/nothing-here"]) {
      const res = await call("GET", path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expect(await json(res)).toEqual({ status_code: 404, errors: [{ error: "NoResultFound", message: "No result found" }] });
    }
    const other = await call("GET", "/api/v1/nothing-here");
    expect(other.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });
});

describe("notifyValidationMessages", () => {
  const schema = z
    .object({
      template_id: z.string().regex(/^[0-9a-f-]{36}$/, "is not a valid UUID"),
      reference: z.string().max(5).optional(),
      personalisation: z.record(z.string(), z.unknown()).optional(),
      status: z.array(z.enum(["created", "sending"])).optional(),
    })
    .strict();
  const messages = (data: unknown) => {
    const result = schema.safeParse(data);
    return result.success ? [] : notifyValidationMessages(result.error.issues, data);
  };

  it("words each failure as Notify's jsonschema validation does, every one listed once", () => {
    expect(messages({})).toEqual(["template_id is a required property"]);
    expect(messages({ template_id: "x", foo: 1, bar: 2 })).toEqual(
      expect.arrayContaining(["template_id is not a valid UUID", "Additional properties are not allowed (foo, bar were unexpected)"]),
    );
    expect(messages({ template_id: "0".repeat(36), foo: 1 })).toEqual(["Additional properties are not allowed (foo was unexpected)"]);
    expect(messages({ template_id: "0".repeat(36), reference: "abcdefg" })).toEqual(["reference abcdefg is too long"]);
    expect(messages({ template_id: "0".repeat(36), personalisation: "foo" })).toEqual(["personalisation foo is not of type object"]);
    expect(messages({ template_id: "0".repeat(36), status: ["elephant"] })).toEqual(["status elephant is not one of [created, sending]"]);
  });
});
