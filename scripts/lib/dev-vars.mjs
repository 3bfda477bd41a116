/**
 * Reads a .dev.vars / .env file: KEY=value lines, `#` comments, optional quotes.
 *
 * @example
 * parseDotEnv('ADMIN_TOKEN=abc  # operator\nX="y"') // { ADMIN_TOKEN: "abc", X: "y" }
 */
export function parseDotEnv(text) {
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq === -1) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^["']/.test(value)) {
      const quote = value[0];
      const end = value.indexOf(quote, 1);
      value = end === -1 ? value.slice(1) : value.slice(1, end);
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    out[key] = value;
  }
  return out;
}

/** The variables a local run needs, with freshly generated values for the ones that are secret. */
export function requiredLocalVars({ secret }) {
  return {
    ADMIN_TOKEN: { value: secret(), comment: "operator token for /api/v1/tenants" },
    API_KEY_ENCRYPTION_KEY: { value: secret(), comment: "encrypts API key secrets at rest; changing it invalidates existing keys" },
  };
}

/**
 * Settings that point the real provider adapters at the Worker's own local sink (/dev/sink), so
 * `npm start` exercises the real adapter code path and the dev inbox shows what was sent. They
 * depend on the port, so they are passed on each start rather than written to a file; a value
 * set in .dev.vars wins. OUTBOUND_ALLOW_LOOPBACK lets chat targets reach the sink (and a webhook
 * receiver on this machine) on loopback; every other internal address stays refused. The sinks
 * also report delivery receipts back to /hooks/twilio and /hooks/ses (RECEIPT_PROVIDERS).
 */
export function localSinkVars(baseUrl) {
  return {
    DEV_SINK: "true",
    OUTBOUND_ALLOW_LOOPBACK: "true",
    EMAIL_PROVIDER: "ses",
    EMAIL_FROM: "Edge Notify (local) <no-reply@notify.example.com>",
    SES_ACCESS_KEY_ID: "AKIDLOCALSINK",
    SES_SECRET_ACCESS_KEY: "local-sink-secret",
    SES_REGION: "ca-central-1",
    SES_ENDPOINT: `${baseUrl}/dev/sink/ses`,
    SMS_PROVIDER: "twilio",
    SMS_FROM: "+15005550006",
    TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000000",
    TWILIO_AUTH_TOKEN: "local-sink-token",
    TWILIO_API_URL: `${baseUrl}/dev/sink/twilio`,
    // Delivery receipts from the sinks (README "Delivery receipts"): accepted messages show as
    // `sending` until the sink reports them delivered a moment later.
    RECEIPT_PROVIDERS: "twilio,ses",
    SES_SNS_TOPIC_ARNS: "arn:aws:sns:ca-central-1:000000000000:edge-notify-local-ses-events",
  };
}
