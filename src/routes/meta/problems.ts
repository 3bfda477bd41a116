import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../../lib/errors/api-error";
import { type ErrorCode, errorCatalog, problemType } from "../../lib/errors/catalog";
import type { App } from "../../lib/router";

const ProblemTypeSchema = z
  .object({ type: z.string(), code: z.string(), status: z.number().int(), title: z.string() })
  .openapi("ProblemType");

const listRoute = createRoute({
  method: "get",
  path: "/problems",
  tags: ["Meta"],
  summary: "Every problem type the API answers with",
  responses: { 200: { description: "Problem types", content: { "application/json": { schema: z.array(ProblemTypeSchema) } } } },
});

const getRoute = createRoute({
  method: "get",
  path: "/problems/{code}",
  tags: ["Meta"],
  summary: "Describe one problem type (the target of a problem's `type` URI)",
  request: { params: z.object({ code: z.string().openapi({ param: { name: "code", in: "path" }, example: "invalid_request" }) }) },
  responses: {
    200: { description: "The problem type", content: { "application/json": { schema: ProblemTypeSchema } } },
    404: { description: "Unknown problem type" },
  },
});

function describe(code: ErrorCode) {
  return { type: problemType(code), code, ...errorCatalog[code] };
}

export function registerProblemTypes(app: App): void {
  app.openapi(listRoute, (c) => c.json((Object.keys(errorCatalog) as ErrorCode[]).map(describe), 200));
  app.openapi(getRoute, (c) => {
    const { code } = c.req.valid("param");
    if (!(code in errorCatalog)) throw new ApiError("not_found", { detail: `No problem type ${code}` });
    return c.json(describe(code as ErrorCode), 200);
  });
}
