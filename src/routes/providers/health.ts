import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { providersHealth } from "../../services/circuits/health";

const ProviderHealthSchema = z
  .object({
    provider: z.string().openapi({ example: "ses" }),
    systemOrder: z.number().int().nullable().openapi({ description: "Place in the system's failover order (EMAIL_PROVIDER / SMS_PROVIDER; 1 = primary); null when only a tenant's list may name it" }),
    state: z.enum(["closed", "open", "half-open"]).openapi({ description: "closed: every call goes through; open: none until halfOpenAt; half-open: one probe call decides" }),
    failures: z.number().int().openapi({ description: "Failed calls (retryable errors, no answer) counted in the current window" }),
    successes: z.number().int().openapi({ description: "Calls the provider answered (accepted, or refused for the message's own sake) in the current window" }),
    openedAt: z.iso.datetime().nullable(),
    halfOpenAt: z.iso.datetime().nullable().openapi({ description: "When an open circuit lets its probe through (or did)" }),
    probeInFlight: z.boolean(),
    lastSuccessAt: z.iso.datetime().nullable(),
    lastFailureAt: z.iso.datetime().nullable(),
  })
  .openapi("ProviderHealth");

const ProvidersHealthSchema = z
  .object({
    checkedAt: z.iso.datetime(),
    policy: z.object({
      failureThreshold: z.number().int().openapi({ description: "CIRCUIT_FAILURE_THRESHOLD" }),
      windowSeconds: z.number().openapi({ description: "CIRCUIT_WINDOW_SECONDS" }),
      cooldownSeconds: z.number().openapi({ description: "CIRCUIT_COOLDOWN_SECONDS" }),
    }),
    channels: z.object({ email: z.array(ProviderHealthSchema), sms: z.array(ProviderHealthSchema) }),
  })
  .openapi("ProvidersHealth");

const route = createRoute({
  method: "get",
  path: "/api/v1/providers/health",
  tags: ["Operator"],
  summary: "Circuit breaker state of every configured provider",
  description:
    "Each provider configured on this deployment, per channel, with its circuit: state, failures and successes in the window, when it opened and when it lets a probe through, and its last success and failure. Chat targets are tenant webhooks, not providers, and have no circuit. 503 when the circuit object cannot be reached (delivery meanwhile carries on as if every circuit were closed).",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  responses: {
    200: { description: "Every configured provider's circuit", content: { "application/json": { schema: ProvidersHealthSchema } } },
    ...problemResponses(401, 403, 503),
  },
});

export function registerProvidersHealth(app: App): void {
  app.openapi(route, async (c) => c.json(await providersHealth(c.env), 200));
}
