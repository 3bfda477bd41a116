import type { Env } from "../env";
import type { SigningKeySource, SnsMessage } from "../services/receipts/sns";
import { snsCanonicalString, snsCertificateKey } from "../services/receipts/sns";
import { toBase64 } from "../lib/crypto/encoding";

/*
 * A dev-only SNS signer, so the local SES sink can post SNS-wrapped events that /hooks/ses
 * verifies exactly as it verifies Amazon's, signature and all. The key pair is made on first use
 * and kept in the local R2 bucket (every isolate of `wrangler dev` shares it); its "certificate
 * URL" is on the Worker's own origin under /dev, and is trusted only while the dev sinks are on
 * (DEV_SINK=true). Production never has DEV_SINK, so there the URL is refused like any URL that is
 * not https://sns.<region>.amazonaws.com/.
 */

export const DEV_SNS_CERT_PATH = "/dev/sink/sns/signing-cert.pem";
const KEY_OBJECT = "dev/sns-signing-key.json";
const ALGORITHM = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" } as const;

interface DevKeys {
  privateKey: CryptoKey;
  spki: ArrayBuffer;
}

let keys: Promise<DevKeys> | undefined;

async function loadOrCreate(bucket: R2Bucket): Promise<DevKeys> {
  const stored = await bucket.get(KEY_OBJECT);
  let pair: { privateKey: JsonWebKey; publicKey: JsonWebKey };
  if (stored) {
    pair = await stored.json();
  } else {
    const made = (await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
    pair = { privateKey: (await crypto.subtle.exportKey("jwk", made.privateKey)) as JsonWebKey, publicKey: (await crypto.subtle.exportKey("jwk", made.publicKey)) as JsonWebKey };
    // Two isolates making one at once: the first written wins, and both read it back.
    await bucket.put(KEY_OBJECT, JSON.stringify(pair), { onlyIf: { etagDoesNotMatch: "*" } });
    pair = (await (await bucket.get(KEY_OBJECT))!.json()) as typeof pair;
  }
  const privateKey = await crypto.subtle.importKey("jwk", pair.privateKey, ALGORITHM, false, ["sign"]);
  const publicKey = await crypto.subtle.importKey("jwk", pair.publicKey, ALGORITHM, true, ["verify"]);
  return { privateKey, spki: (await crypto.subtle.exportKey("spki", publicKey)) as ArrayBuffer };
}

function devKeys(bucket: R2Bucket): Promise<DevKeys> {
  keys ??= loadOrCreate(bucket).catch((err: unknown) => {
    keys = undefined;
    throw err;
  });
  return keys;
}

/** The dev public key as a PEM block (what /dev/sink/sns/signing-cert.pem shows). */
export async function devSnsPublicKeyPem(bucket: R2Bucket): Promise<string> {
  const b64 = toBase64(new Uint8Array((await devKeys(bucket)).spki));
  return `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;
}

/**
 * Where /hooks/ses gets a signing key: SNS's certificates always, and with the dev sinks on also
 * the dev key, for exactly `<origin>/dev/sink/sns/signing-cert.pem` on the Worker's own origin.
 *
 * @example
 * ```ts
 * const keyFor = snsKeySource(env, "http://127.0.0.1:8787");
 * await keyFor("http://127.0.0.1:8787/dev/sink/sns/signing-cert.pem") // the dev key's SPKI (DEV_SINK=true), else null
 * ```
 */
export function snsKeySource(env: Pick<Env, "DEV_SINK" | "BUCKET">, origin: string): SigningKeySource {
  if (env.DEV_SINK !== "true") return snsCertificateKey;
  const devUrl = `${origin}${DEV_SNS_CERT_PATH}`;
  return async (certUrl) => (certUrl === devUrl ? (await devKeys(env.BUCKET)).spki : snsCertificateKey(certUrl));
}

/**
 * An SNS Notification of `message` on `topicArn`, signed (SignatureVersion 2) with the dev key.
 *
 * @example
 * ```ts
 * const body = await devSnsNotification(env.BUCKET, "http://127.0.0.1:8787", "arn:aws:sns:…", JSON.stringify(record));
 * ```
 */
export async function devSnsNotification(bucket: R2Bucket, origin: string, topicArn: string, message: string): Promise<SnsMessage> {
  const unsigned: SnsMessage = {
    Type: "Notification",
    MessageId: crypto.randomUUID(),
    TopicArn: topicArn,
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: "2",
    Signature: "",
    SigningCertURL: `${origin}${DEV_SNS_CERT_PATH}`,
    UnsubscribeURL: `${origin}/dev/sink/sns/unsubscribe`,
  };
  const { privateKey } = await devKeys(bucket);
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, new TextEncoder().encode(snsCanonicalString(unsigned))));
  return { ...unsigned, Signature: toBase64(signature) };
}
