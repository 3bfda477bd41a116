import { z } from "@hono/zod-openapi";
import { type ErrorCode, errorCatalog, problemType } from "./catalog";
import type { FieldError } from "./api-error";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Field errors listed in one problem: a body with a million unknown keys must not get a 50 MB answer. */
export const MAX_PROBLEM_ERRORS = 100;

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "/problems/invalid_request" }),
    title: z.string().openapi({ example: "The request does not match the schema" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().optional(),
    instance: z.string().optional().openapi({ example: "/api/v1/tenants" }),
    code: z.string().openapi({ example: "invalid_request" }),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          row: z.number().int().optional().openapi({ description: "Mail merge: the data row at fault (1-based; the header is row 0)" }),
          column: z.string().nullable().optional().openapi({ description: "Mail merge: the header's name of the cell's column" }),
        }),
      )
      .optional()
      .openapi({ example: [{ path: "name", message: "Required" }], description: `At most ${MAX_PROBLEM_ERRORS} entries; errorsTotal says how many there were when more` }),
    errorsTotal: z.number().int().optional().openapi({ description: `Present when more than ${MAX_PROBLEM_ERRORS} fields were at fault: how many in all` }),
    requestId: z.string().openapi({ example: "req_01J9Z6X2B3C4D5E6F7G8H9J0K1" }),
  })
  .openapi("Problem");

export type Problem = z.infer<typeof ProblemSchema>;

export interface ProblemInput {
  code: ErrorCode;
  detail?: string;
  errors?: FieldError[];
  instance?: string;
  requestId: string;
}

/** Builds the RFC 9457 body for an error code. */
export function buildProblem(input: ProblemInput): Problem {
  const entry = errorCatalog[input.code];
  return {
    type: problemType(input.code),
    title: entry.title,
    status: entry.status,
    code: input.code,
    ...(input.detail ? { detail: input.detail } : {}),
    ...(input.instance ? { instance: input.instance } : {}),
    ...(input.errors && input.errors.length > 0 ? { errors: input.errors.slice(0, MAX_PROBLEM_ERRORS) } : {}),
    ...(input.errors && input.errors.length > MAX_PROBLEM_ERRORS ? { errorsTotal: input.errors.length } : {}),
    requestId: input.requestId,
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "content-type": PROBLEM_CONTENT_TYPE, ...headers },
  });
}

/**
 * OpenAPI response entries for the problem document, for spreading into `createRoute`.
 *
 * @example
 * ```ts
 * responses: { 200: {...}, ...problemResponses(400, 401, 404) }
 * ```
 */
export function problemResponses<S extends number>(...statuses: S[]) {
  const out = {} as Record<S, { description: string; content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof ProblemSchema } } }>;
  for (const status of statuses) {
    const entry = Object.values(errorCatalog).find((e) => e.status === status);
    out[status] = {
      description: entry?.title ?? "Error",
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    };
  }
  return out;
}
