import type { App } from "../lib/router";
import { devSinkOnly } from "./gate";
import { registerInbox } from "./inbox/routes";
import { registerChatSinks } from "./sinks/chat";
import { registerSesSink } from "./sinks/ses";
import { registerTwilioSink } from "./sinks/twilio";
import { registerTwilioInboundSink } from "./sinks/twilio-inbound";

export type { CapturedMessage } from "./store";

/**
 * Mounts the local provider sinks (/dev/sink/…) and the dev inbox (/dev/inbox…). Plain Hono
 * routes, not OpenAPI ones: they are a development tool, not part of the API. Everything under
 * /dev answers 404 unless DEV_SINK is "true".
 */
export function registerDevRoutes(app: App): void {
  app.use("/dev/*", devSinkOnly);
  registerSesSink(app);
  // Before the Twilio sink, whose catch-all answers everything else under /dev/sink/twilio.
  registerTwilioInboundSink(app);
  registerTwilioSink(app);
  registerChatSinks(app);
  registerInbox(app);
}
