import { http, HttpResponse } from "msw";
import type { SnsMessage } from "../../src/services/receipts/sns";
import { snsCanonicalString } from "../../src/services/receipts/sns";
import { SES_TOPIC_ARN } from "./helpers";

/*
 * A stand-in for Amazon SNS in tests: a self-signed certificate and its private key, made for
 * this suite only with `openssl req -x509 -newkey rsa:2048` (they protect nothing), served by msw
 * at an SNS certificate URL, and a signer that signs messages exactly as SNS documents
 * ("Verifying the signatures of Amazon SNS messages"): the canonical string, SHA1withRSA for
 * SignatureVersion 1 and SHA256withRSA for 2.
 */

export const TEST_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIDUTCCAjmgAwIBAgIUSFl6ARp/5HgDC5Lt7cnEQ85OJOkwDQYJKoZIhvcNAQEL
BQAwNzE1MDMGA1UEAwwsc25zLmFtYXpvbmF3cy5jb20gKGVkZ2Utbm90aWZ5IHRl
c3QgZml4dHVyZSkwIBcNMjYxMTI3MTkzOTUwWhgPMjEyNjExMDMxOTM5NTBaMDcx
NTAzBgNVBAMMLHNucy5hbWF6b25hd3MuY29tIChlZGdlLW5vdGlmeSB0ZXN0IGZp
eHR1cmUpMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAy4dY4whyJ5JJ
oTH4F1x+9tf8a6BQ2YDF4jKJMIsXkT5GJ89fF2VcfGXQ+vkM5q8sS1Q3uqRfHGfE
8GV2rGw3okxpFEZTT2NhSB2z7EDF1ptwdkzfuLgKQ/eveiM7m9dCPcdHG8vjgzOi
tJLt4d85Ze2+r3+qkkaNEtODnZ+ubikELc+U5R1/SH2tpQvDQTD2b5gAURWALbDt
zz1b2nGxZkUhUVbTqAead/xOBG/XTwUMOSw6tDx8g5eqRAAR+Hiw3VTDDrZeLO94
gxqc7GsrwN67VxQYaw93In9MCXCdP4yegXlV/u66rnCwlMq92VaUg5vzpgsf1XDS
HUjRBTs+jwIDAQABo1MwUTAdBgNVHQ4EFgQUUEES+UpOQoO9E1UoHF9aJyA99qYw
HwYDVR0jBBgwFoAUUEES+UpOQoO9E1UoHF9aJyA99qYwDwYDVR0TAQH/BAUwAwEB
/zANBgkqhkiG9w0BAQsFAAOCAQEAUsxeW+Sb6Th2IY1BAA7OHoR7mKFwBcd3bh+1
LMMgsc2bo+Pj+7vXgEjijlvqE3uF9kEarXo0H4hqPky2sDW8Cq+2Geun05IL3L4O
7Ikt2eQT2WhLj32dS/7RaaopUlnl+vZqLQvAUZRI/SajaXUQ9LEgaxUDxBLxtDSd
biqkv4nwMBLvl7CQ3bte0JsrYIjeWrcNZXqVRXPWhAgvp347x7uWh5uav0HxTodt
9bTO9DMqh7iHSPeNzyAL/E5tSV2jKvA8KjBsdopJxYM/GKbmYgZRsKjpqD2ilv/9
383iTtbcbF38IxVduLiIZSmLSa9nqA8rrDUGg2wqNfMzPcERng==
-----END CERTIFICATE-----`;

const TEST_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDLh1jjCHInkkmh
MfgXXH721/xroFDZgMXiMokwixeRPkYnz18XZVx8ZdD6+QzmryxLVDe6pF8cZ8Tw
ZXasbDeiTGkURlNPY2FIHbPsQMXWm3B2TN+4uApD9696Izub10I9x0cby+ODM6K0
ku3h3zll7b6vf6qSRo0S04Odn65uKQQtz5TlHX9Ifa2lC8NBMPZvmABRFYAtsO3P
PVvacbFmRSFRVtOoB5p3/E4Eb9dPBQw5LDq0PHyDl6pEABH4eLDdVMMOtl4s73iD
GpzsayvA3rtXFBhrD3cif0wJcJ0/jJ6BeVX+7rqucLCUyr3ZVpSDm/OmCx/VcNId
SNEFOz6PAgMBAAECggEASoaJdDyr/DRzVJylAPzkGsQU0F4YLMSb8QtbM9TCsPLy
InKrGbiKaJyprLSUVkYPfJfefi/hCdgvg21LyrAnoPzEv2FO8TNtNEh4EQrYxpAN
WqwkgZGWZLPl493R3mswfMmjDpkWenzmV6OzinFAJcQr/jxLu5ss3hdoSsflSb2A
YtcYVEaXGyOABcNyE7FZYnj+rXahDVMi4TlCX0A5ZCtvyC5pqfabIAFqMqcPVM2+
SrpjRvHC4oT0b0T7DfHBHEdSPb8A9z1evdqHDOdIsWat96DWwPOf3LesT9bAew9j
iYlU3XvtSkP6AEWRrI+15EylG7qLxBWN7Ti4K5TH9QKBgQD4NhdduW9kexW/lp5o
TVOCuu3M4CM81Orf++vgdbVrckA1RDGWXFummdDdnB/l+IT7YHiJYRYOoRRSS3IT
sPRywIpYbMmKJyPWG0tNOjaAL6GPVIwq+UdbLB+bHy8ufBI8H7FtzBVxdCNoUr2u
fYpUZyqetbIAqxF+OnCCUgYVKwKBgQDR6lDTseniAo/4PcQJu2P/nZNi5FTCLS2C
B/OdfjFs3tGgZ6YY4IsBFYOBOBtvo/gHfxnxei7f5icJLSMVKvoa4F5+6Ud9zDfG
G7E9aC2v5X/wBurgtDuJXLWb6lh4vsvaY9HgioeKkNogRyIqsYEG7+IMa6/1H1am
Ok2ciMWSLQKBgHBsb6DwANhON8eTfSRZAd5QtKz7SHqhJdFV1bzRE98a3KJDxQIJ
yylmugfmUzximDkTtQTkiI0PwJiVu5HXsKDZPNBYVeDRYZX0vuK33z+oU1EMRoCg
cAWHsrkcIs63O7snz8GfkobUx8TU1T1Xd3RLVi6UtY8/7Khz58nfRQoJAoGAQKSd
23NQiQ8s8s9ijXStqMwH1U5nY5yyBPcZ6IgyBErh1znUBpkvdVgAtUxn9otSGEzl
2l08Dis8HjFOOniPqLMrpn2ETJMVIebpP/XTC/Xq3injLuuR4g0wyCD0ucpX0Jso
yLMgZmWRJpuBRBCBoXdB731CJIRQFMSjne7omMkCgYBLbc3JjLtnAewEMwIuY1QL
YaYn4ZuIvrADtqSSELnv9xHrnVewf7M8voJZuPJrklNhL2fZ+krTc+bvoDzSRjd9
FMZI1zSpxSJqEhTBvGrcjtq1Z3/MSrtcLwYBY8yghryCaeXYv1LJJw+4zO0rH5p5
l/WEMblUQC4Q448Mpy5uVA==
-----END PRIVATE KEY-----`;

export const CERT_URL = "https://sns.ca-central-1.amazonaws.com/SimpleNotificationService-edgenotifytest.pem";
export const SUBSCRIBE_URL_BASE = "https://sns.ca-central-1.amazonaws.com/";

function pemBytes(pem: string): Uint8Array {
  return Uint8Array.from(atob(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "")), (ch) => ch.charCodeAt(0));
}

/** Signs `m` (its Signature replaced) as SNS does. */
export async function signSns(m: Omit<SnsMessage, "Signature">, version: "1" | "2" = "1"): Promise<SnsMessage> {
  const message = { ...m, SignatureVersion: version, Signature: "" } as SnsMessage;
  const key = await crypto.subtle.importKey("pkcs8", pemBytes(TEST_KEY_PEM), { name: "RSASSA-PKCS1-v1_5", hash: version === "1" ? "SHA-1" : "SHA-256" }, false, ["sign"]);
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(snsCanonicalString(message))));
  return { ...message, Signature: btoa(String.fromCharCode(...signature)) };
}

/** An SNS Notification wrapping `record` (an SES event), as SNS posts it to an HTTPS subscription. */
export function notification(record: unknown, extra: Partial<SnsMessage> = {}): Omit<SnsMessage, "Signature"> {
  return {
    Type: "Notification",
    MessageId: crypto.randomUUID(),
    TopicArn: SES_TOPIC_ARN,
    Message: JSON.stringify(record),
    Timestamp: new Date().toISOString(),
    SignatureVersion: "1",
    SigningCertURL: CERT_URL,
    UnsubscribeURL: `${SUBSCRIBE_URL_BASE}?Action=Unsubscribe&SubscriptionArn=${SES_TOPIC_ARN}:c9135db0-26c4-47ec-8998-413945fb5a96`,
    ...extra,
  };
}

/** msw handlers: the certificate, and SubscribeURL confirmations (recorded in `confirmed`). */
export function snsHandlers(confirmed: string[]) {
  return [
    http.get(CERT_URL, () => new HttpResponse(TEST_CERT_PEM, { headers: { "content-type": "application/x-pem-file" } })),
    http.get(SUBSCRIBE_URL_BASE, ({ request }) => {
      confirmed.push(request.url);
      return new HttpResponse("<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>", { headers: { "content-type": "text/xml" } });
    }),
  ];
}
