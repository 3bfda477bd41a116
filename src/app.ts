import { type App, createApp } from "./lib/router";
import { registerSecuritySchemes } from "./lib/security";
import { errorHandler } from "./middleware/error-handler";
import { notFoundHandler } from "./middleware/not-found";
import { requestBodyLimit } from "./middleware/body-limit";
import { jsonBodyGuard } from "./middleware/json-body-guard";
import { auditApiChanges } from "./middleware/audit-api";
import { requestContext } from "./middleware/request-context";
import { registerNotifyV2Errors } from "./routes/notify-v2/framework";
import { registerV2SendSms } from "./routes/notify-v2/send-sms";
import { registerV2SendEmail } from "./routes/notify-v2/send-email";
import { registerV2SendLetter } from "./routes/notify-v2/send-letter";
import { registerV2GetNotification } from "./routes/notify-v2/get-notification";
import { registerV2ListNotifications } from "./routes/notify-v2/list-notifications";
import { registerGcNotifyBulk } from "./routes/notify-v2/bulk";
import { registerCreateApiKey } from "./routes/api-keys/post";
import { registerDeleteGroup } from "./routes/groups/delete";
import { registerGetGroup } from "./routes/groups/get";
import { registerListGroups } from "./routes/groups/list";
import { registerUpdateGroup } from "./routes/groups/patch";
import { registerCreateGroup } from "./routes/groups/post";
import { registerDeleteSuppression } from "./routes/suppressions/delete";
import { registerListSuppressions } from "./routes/suppressions/list";
import { registerCreateSuppression } from "./routes/suppressions/post";
import { registerUnsubscribe } from "./routes/unsubscribe/routes";
import { registerGetEmailFile } from "./routes/email-files/get";
import { registerPostEmailFile } from "./routes/email-files/post";
import { registerListApiKeys } from "./routes/api-keys/list";
import { registerRevokeApiKey } from "./routes/api-keys/delete";
import { registerAssignInboundNumber } from "./routes/inbound-numbers/post";
import { registerListInboundNumbers } from "./routes/inbound-numbers/list";
import { registerReleaseInboundNumber } from "./routes/inbound-numbers/delete";
import { registerDevRoutes } from "./dev";
import { registerDocs } from "./routes/meta/docs";
import { registerGetGuestList } from "./routes/guest-list/get";
import { registerPutGuestList } from "./routes/guest-list/put";
import { registerHealth } from "./routes/meta/health";
import { registerOpenApiDocument } from "./routes/meta/openapi";
import { registerProblemTypes } from "./routes/meta/problems";
import { registerCancelNotification } from "./routes/notify/delete";
import { registerGetNotification } from "./routes/notify/get";
import { registerListNotifications } from "./routes/notify/list";
import { registerListNotificationMessages } from "./routes/notify/messages";
import { registerListNotificationAttempts } from "./routes/notify/attempts";
import { registerSendEmail } from "./routes/send/email";
import { registerSendSimple } from "./routes/send/post";
import { registerSendSms } from "./routes/send/sms";
import { registerNotifyEvent } from "./routes/notifyevent/post";
import { registerCreateEventType } from "./routes/event-types/post";
import { registerListEventTypes } from "./routes/event-types/list";
import { registerGetEventType } from "./routes/event-types/get";
import { registerUpdateEventType } from "./routes/event-types/patch";
import { registerDeleteEventType } from "./routes/event-types/delete";
import { registerTenantDefaults } from "./routes/tenant/defaults";
import { registerWhoAmI } from "./routes/tenant/get";
import { registerDeleteTemplate } from "./routes/templates/delete";
import { registerGetTemplate } from "./routes/templates/get";
import { registerListTemplates } from "./routes/templates/list";
import { registerUpdateTemplate } from "./routes/templates/patch";
import { registerCreateTemplate } from "./routes/templates/post";
import { registerPreviewTemplate } from "./routes/templates/preview";
import { registerCreateService } from "./routes/services/post";
import { registerListServices } from "./routes/services/list";
import { registerGetService } from "./routes/services/get";
import { registerUpdateService } from "./routes/services/patch";
import { registerDeleteService } from "./routes/services/delete";
import { registerCreateTenant } from "./routes/tenants/post";
import { registerGetTenant } from "./routes/tenants/get";
import { registerListTenants } from "./routes/tenants/list";
import { registerUpdateTenant } from "./routes/tenants/patch";
import { registerProvidersHealth } from "./routes/providers/health";
import { registerCreateCallback } from "./routes/callbacks/post";
import { registerListCallbacks } from "./routes/callbacks/list";
import { registerGetCallback } from "./routes/callbacks/get";
import { registerUpdateCallback } from "./routes/callbacks/patch";
import { registerDeleteCallback } from "./routes/callbacks/delete";
import { registerRotateCallbackSecret } from "./routes/callbacks/rotate";
import { registerListCallbackEvents } from "./routes/callbacks/events";
import { registerReplayCallbackEvent } from "./routes/callbacks/replay";
import { registerTwilioHook } from "./routes/hooks/twilio";
import { registerSendGridHook } from "./routes/hooks/sendgrid";
import { registerMailgunHook } from "./routes/hooks/mailgun";
import { registerPostmarkHook } from "./routes/hooks/postmark";
import { registerResendHook } from "./routes/hooks/resend";
import { registerVonageHook } from "./routes/hooks/vonage";
import { registerSesHook } from "./routes/hooks/ses";
import { registerTwilioInboundHook } from "./routes/hooks/twilio-inbound";
import { registerVonageInboundHook } from "./routes/hooks/vonage-inbound";
import { registerListReceivedTexts } from "./routes/received-texts/list";
import { registerV2ListReceivedTexts } from "./routes/notify-v2/received-text-messages";
import { registerCreateReplyTo } from "./routes/reply-to-addresses/post";
import { registerListReplyTos } from "./routes/reply-to-addresses/list";
import { registerGetReplyTo } from "./routes/reply-to-addresses/get";
import { registerDeleteReplyTo } from "./routes/reply-to-addresses/delete";
import { registerCreateSmsSender } from "./routes/sms-senders/post";
import { registerListSmsSenders } from "./routes/sms-senders/list";
import { registerGetSmsSender } from "./routes/sms-senders/get";
import { registerDeleteSmsSender } from "./routes/sms-senders/delete";
import { registerLegacySendSms } from "./routes/notify-legacy/send-sms";
import { registerLegacySendEmail } from "./routes/notify-legacy/send-email";
import { registerLegacyGetNotification } from "./routes/notify-legacy/get";
import { registerLegacyListNotifications } from "./routes/notify-legacy/list";
import { registerV2GetTemplate } from "./routes/notify-v2/templates/get";
import { registerV2GetTemplateVersion } from "./routes/notify-v2/templates/get-version";
import { registerV2ListTemplates } from "./routes/notify-v2/templates/list";
import { registerV2PreviewTemplate } from "./routes/notify-v2/templates/preview";
import { registerListRegions } from "./routes/regions/list";
import { tenantHomedHere } from "./middleware/region";
import { buildAdminApp } from "./admin/app";

/** Builds the HTTP application: middleware, every route, the error path and the docs. */
export function buildApp(): App {
  const app = createApp();
  app.use("*", requestContext);
  // Before the guards: what they refuse under /v2 and /gcnotify/v2 is answered in Notify's error shape.
  registerNotifyV2Errors(app);
  app.use("*", requestBodyLimit);
  app.use("*", jsonBodyGuard);
  // One audit_log row per successful tenant configuration change made with an API key (issue 13).
  app.use("*", auditApiChanges);
  app.onError(errorHandler);
  app.notFound(notFoundHandler(app));
  registerSecuritySchemes(app);

  // Meta
  registerHealth(app);
  registerOpenApiDocument(app);
  registerDocs(app);
  registerProblemTypes(app);
  registerListRegions(app);

  // Operator (a tenant of another region: 421 before anything is read)
  app.use("/api/v1/tenants/:tenantId", tenantHomedHere);
  app.use("/api/v1/tenants/:tenantId/*", tenantHomedHere);
  registerCreateTenant(app);
  registerListTenants(app);
  registerGetTenant(app);
  registerUpdateTenant(app);
  registerCreateApiKey(app);
  registerListApiKeys(app);
  registerRevokeApiKey(app);
  registerAssignInboundNumber(app);
  registerListInboundNumbers(app);
  registerReleaseInboundNumber(app);
  registerProvidersHealth(app);

  // Tenant
  registerWhoAmI(app);
  registerTenantDefaults(app);
  registerGetGuestList(app);
  registerPutGuestList(app);
  registerCreateReplyTo(app);
  registerListReplyTos(app);
  registerGetReplyTo(app);
  registerDeleteReplyTo(app);
  registerCreateSmsSender(app);
  registerListSmsSenders(app);
  registerGetSmsSender(app);
  registerDeleteSmsSender(app);

  // Send
  registerSendSimple(app);
  registerSendEmail(app);
  registerSendSms(app);
  registerNotifyEvent(app);

  // Notification event types (the cascade's event layer)
  registerCreateEventType(app);
  registerListEventTypes(app);
  registerGetEventType(app);
  registerUpdateEventType(app);
  registerDeleteEventType(app);

  // Templates
  registerCreateTemplate(app);
  registerListTemplates(app);
  registerGetTemplate(app);
  registerUpdateTemplate(app);
  registerDeleteTemplate(app);
  registerPreviewTemplate(app);

  // Tenant services (subscription and attachment call-outs)
  registerCreateService(app);
  registerListServices(app);
  registerGetService(app);
  registerUpdateService(app);
  registerDeleteService(app);

  // Recipient groups
  registerCreateGroup(app);
  registerListGroups(app);
  registerGetGroup(app);
  registerUpdateGroup(app);
  registerDeleteGroup(app);

  // Suppressions and one-click unsubscribe (/u/{token}: no credentials, the signed link is the authority)
  registerCreateSuppression(app);
  registerListSuppressions(app);
  registerDeleteSuppression(app);
  registerUnsubscribe(app);

  // Files sent by email (/f/{fileId}?key=…: no credentials, the link's secret is the authority)
  registerGetEmailFile(app);
  registerPostEmailFile(app);

  // Status callbacks: before /api/v1/notify/{notifyId}, which would otherwise take "registerCallback" for an id
  registerCreateCallback(app);
  registerListCallbacks(app);
  registerGetCallback(app);
  registerUpdateCallback(app);
  registerDeleteCallback(app);
  registerRotateCallbackSecret(app);
  registerListCallbackEvents(app);
  registerReplayCallbackEvent(app);

  // Status and history
  registerGetNotification(app);
  registerListNotifications(app);
  registerListNotificationMessages(app);
  registerListNotificationAttempts(app);
  registerCancelNotification(app);

  // The seed's early GOV.UK Notify API (/notifications…), on the same send path and status services
  registerLegacySendSms(app);
  registerLegacySendEmail(app);
  registerLegacyGetNotification(app);
  registerLegacyListNotifications(app);

  // GOV.UK Notify v2 templates (also at /gcnotify/v2/…): email and SMS templates in Notify's shapes
  registerV2GetTemplate(app);
  registerV2GetTemplateVersion(app);
  registerV2ListTemplates(app);
  registerV2PreviewTemplate(app);

  // GOV.UK Notify's v2 notifications API, also at GC Notify's /gcnotify/v2 paths (routes/notify-v2/framework.ts)
  registerV2SendSms(app);
  registerV2SendEmail(app);
  registerV2SendLetter(app);
  registerV2GetNotification(app);
  registerV2ListNotifications(app);
  registerGcNotifyBulk(app);

  // Provider delivery receipts (no credentials: each provider's own signature is the authority)
  registerTwilioHook(app);
  registerSendGridHook(app);
  registerMailgunHook(app);
  registerPostmarkHook(app);
  registerResendHook(app);
  registerVonageHook(app);
  registerSesHook(app);

  // Received text messages from the SMS providers (each provider's own signature is the authority)
  registerTwilioInboundHook(app);
  registerVonageInboundHook(app);

  // Received text messages: the tenant's list, and GOV.UK Notify's v2 read (also at /gcnotify/v2/…)
  registerListReceivedTexts(app);
  registerV2ListReceivedTexts(app);

  // The admin UI (HTML pages, not in the OpenAPI document; src/admin)
  app.route("/admin", buildAdminApp());

  // Local provider sinks and dev inbox (404 unless DEV_SINK=true)
  registerDevRoutes(app);

  return app;
}
