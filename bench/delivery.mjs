// Delivery scenarios of `npm run bench`: mail merges (email and SMS) and many plain sends, sent
// with the LIVE key so the real SES and Twilio adapters run against the Worker's local sink, and
// followed until every message is in a final status and captured by the sink.
//
// Per scenario: time to the answer, time until the API says every message is final, time until
// the sink holds them all, messages per second, peak resident memory of workerd, and what the
// sink captured per recipient (missing, duplicated, lost = delivered per the API but never
// captured). A 4xx/5xx answer or a scenario that does not finish in time is recorded, not fatal.
//
// Knobs (environment):
//   BENCH_MERGE_ROWS           rows per merge, comma-separated (1000,10000,50000)
//   BENCH_MERGE_CHANNELS       email,sms
//   BENCH_PLAIN_SENDS          single-recipient sends of the plain scenario (2000)
//   BENCH_PLAIN_CONCURRENCY    requests in flight during it (8)
//   BENCH_PLAIN_CHANNEL        sms | email (sms)
//   BENCH_SCENARIO_TIMEOUT_S   give up on a scenario after this long (300)
//   BENCH_POLL_MS              status polling interval (250)
//   BENCH_CANCEL_ON_TIMEOUT    cancel what a timed-out merge has left, so it does not run into the next scenario (true)
//   BENCH_FRESH                1 (default): a fresh `npm start` per scenario (bench/run.mjs); 0: one server for all
//   BENCH_SINK                 state (read the local R2 state, default) | inbox (only /dev/inbox.json: exact below 200 captures)
import { randomBytes } from "node:crypto";
import { sampleWorkerdMemory } from "./lib/memory.mjs";
import { SinkCounter } from "./lib/sink.mjs";

const TERMINAL = new Set(["delivered", "partially-failed", "failed", "cancelled"]);
const FAILURE_STATUSES = ["permanent-failure", "temporary-failure", "technical-failure"];
/** Area codes for distinct SMS recipients: +1 <area> 555 0000–9999, 10,000 numbers each. */
const AREA_CODES = ["604", "778", "250", "236", "672", "403", "587", "780", "825", "368"];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (n, digits = 1) => (n === null || n === undefined || !Number.isFinite(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits);

export function deliverySettings(env = process.env) {
  const list = (value, fallback) => (value ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);
  return {
    mergeRows: list(env.BENCH_MERGE_ROWS, "1000,10000,50000").map(Number),
    mergeChannels: list(env.BENCH_MERGE_CHANNELS, "email,sms"),
    plainSends: Number(env.BENCH_PLAIN_SENDS ?? 2000),
    plainConcurrency: Number(env.BENCH_PLAIN_CONCURRENCY ?? 8),
    plainChannel: env.BENCH_PLAIN_CHANNEL ?? "sms",
    timeoutS: Number(env.BENCH_SCENARIO_TIMEOUT_S ?? 300),
    pollMs: Number(env.BENCH_POLL_MS ?? 250),
    cancelOnTimeout: (env.BENCH_CANCEL_ON_TIMEOUT ?? "true") !== "false",
    sinkMode: env.BENCH_SINK ?? "state",
  };
}

/** The i-th distinct bench phone number (0 ≤ i < 100,000), E.164. */
export function phoneNumber(i) {
  return `+1${AREA_CODES[Math.floor(i / 10_000)]}555${String(i % 10_000).padStart(4, "0")}`;
}

class Api {
  constructor(svc) {
    this.svc = svc;
  }

  /** One request; never throws: network errors and timeouts are status 0 with `error`. */
  async call(method, path, { body, key = this.svc.liveKey, admin = false, timeoutMs = 60_000 } = {}) {
    const headers = admin ? { authorization: `Bearer ${this.svc.adminToken}` } : { "x-api-key": key };
    if (body !== undefined) headers["content-type"] = "application/json";
    const t0 = performance.now();
    try {
      const res = await fetch(`${this.svc.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, ms, json, text };
    } catch (err) {
      return { status: 0, ms: performance.now() - t0, json: null, text: "", error: err.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : err.message };
    }
  }
}

/** What a failed answer said, short enough for a results file. */
function failureOf(res) {
  if (res.status === 0) return res.error;
  const j = res.json;
  const detail = j?.detail ?? j?.title ?? j?.message ?? j?.error?.message ?? res.text;
  return String(typeof detail === "string" ? detail : JSON.stringify(detail)).slice(0, 300);
}

/** Raises the demo tenant's per-minute and daily limits so that none refuses a scenario. */
export async function raiseLimits(svc) {
  const api = new Api(svc);
  const res = await api.call("PATCH", `/api/v1/tenants/${svc.tenantId}`, {
    admin: true,
    body: { limits: { requestsPerMinute: 1_000_000, dailyEmail: 100_000_000, dailySms: 100_000_000 } },
  });
  return { status: res.status, ...(res.status >= 400 || res.status === 0 ? { error: failureOf(res) } : {}) };
}

function mergeRequest(channel, rows, tag) {
  if (channel === "email") {
    const mergeArray = [["to", "firstname"]];
    for (let i = 1; i <= rows; i++) mergeArray.push([`user${i}@example.com`, `Ada${i}`]);
    return {
      recipients: mergeArray.slice(1).map((r) => r[0]),
      body: {
        correlationId: tag,
        email: {
          recipients: { mergeArray },
          content: {
            subject: `Hi {{firstname}} (${tag})`,
            body: `Dear {{firstname}},\n\nThis is a **benchmark** message from Edge Notify's \`npm run bench\`.\n\nref ${tag}`,
            bodyType: "markdown",
          },
        },
      },
    };
  }
  const mergeArray = [["phone number", "firstname"]];
  for (let i = 0; i < rows; i++) mergeArray.push([phoneNumber(i), `Ada${i + 1}`]);
  return {
    recipients: mergeArray.slice(1).map((r) => r[0]),
    body: { correlationId: tag, sms: { recipients: { mergeArray }, content: { body: `Hi {{firstname}}, a benchmark text. ref ${tag}` } } },
  };
}

/** The notification's summary from the history (cheap: no messages), found by its correlation id. */
async function summaryOf(api, tag) {
  const res = await api.call("GET", `/api/v1/notify?correlationId=${encodeURIComponent(tag)}&limit=1`, { timeoutMs: 30_000 });
  return res.status === 200 ? (res.json?.items?.[0] ?? null) : null;
}

/** Every message's final figures (the whole notification; can be large, so outside the memory window). */
async function fullStatus(api, notifyId, timeoutMs = 180_000) {
  const res = await api.call("GET", `/api/v1/notify/${notifyId}`, { timeoutMs });
  if (res.status !== 200) return { error: `GET /api/v1/notify/{id} answered ${res.status}: ${failureOf(res)}` };
  const { status, counts, progress, messages = [] } = res.json;
  return { status, counts, progress, messages, ms: res.ms };
}

/** Whether any message of the notification is still in `status` (one small page; true when unsure). */
async function anyIn(api, notifyId, status) {
  const r = await api.call("GET", `/api/v1/notify/${notifyId}/messages?status=${status}&limit=1`, { timeoutMs: 30_000 });
  return r.status !== 200 || (r.json?.items?.length ?? 0) > 0;
}

/**
 * Whether a notification whose summary looks final really is: its counts say every expected
 * message is final (a fan-out that has not inserted its messages yet could look final). When the
 * whole notification cannot be read, the summary's message count and the absence of waiting
 * messages decide instead.
 */
async function confirmFinal(api, notifyId, summary, expected) {
  const full = await fullStatus(api, notifyId);
  if (!full.error) {
    const ok = full.progress?.total === expected && full.progress.done === full.progress.total;
    return { ok, by: "counts", full };
  }
  if (summary.messageCount !== expected || summary.status === "cancelled") return { ok: false, by: "summary", error: full.error };
  for (const status of ["created", "sending", "scheduled"]) if (await anyIn(api, notifyId, status)) return { ok: false, by: "messages", error: full.error };
  return { ok: true, by: "summary and messages (the whole notification could not be read)", error: full.error };
}

/**
 * Follows one merge notification until the API says every message is final and the sink holds
 * what was delivered, or until `deadline`.
 */
async function follow({ api, sink, memory, notifyId, tag, expected, t0, deadline, pollMs }) {
  let terminalAt = null;
  let sinkCompleteAt = null;
  let lastConfirm = 0;
  let lastSink = 0;
  let captured = 0;
  let lastSummary = null;
  let confirmed = null;
  while (Date.now() < deadline) {
    const now = performance.now();
    if (now - lastSink >= 1000 || terminalAt !== null) {
      lastSink = now;
      captured = await sink.capturedCount(tag);
      if (sinkCompleteAt === null && captured >= expected) sinkCompleteAt = performance.now() - t0;
    }
    if (terminalAt === null) {
      const seenAt = performance.now() - t0;
      lastSummary = (await summaryOf(api, tag)) ?? lastSummary;
      if (lastSummary && TERMINAL.has(lastSummary.status) && performance.now() - lastConfirm > 5000) {
        // Confirm with the counts (a fan-out that has not inserted its messages yet could look
        // final); outside the memory window, as answering every message is not the send's cost.
        lastConfirm = performance.now();
        memory.pause();
        const check = await confirmFinal(api, notifyId, lastSummary, expected);
        memory.resume();
        if (check.ok) {
          terminalAt = seenAt;
          confirmed = check.full ?? { status: lastSummary.status, confirmedBy: check.by, error: check.error };
        }
      }
    }
    if (terminalAt !== null) {
      const delivered = confirmed.counts?.delivered ?? expected;
      if (captured >= delivered || performance.now() - t0 - terminalAt > 10_000) break;
    }
    await sleep(pollMs);
  }
  return { terminalAt, sinkCompleteAt, captured, lastSummary, confirmed };
}

/** Cancels what a timed-out notification has left and waits (≤60 s) until it is final. */
async function cancelRest(api, notifyId, tag) {
  const res = await api.call("DELETE", `/api/v1/notify/${notifyId}`, { timeoutMs: 120_000 });
  const out = { status: res.status, cancelled: res.json?.cancelled ?? null };
  if (res.status !== 200) out.error = failureOf(res);
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const summary = await summaryOf(api, tag);
    if (summary && TERMINAL.has(summary.status)) {
      out.finalStatus = summary.status;
      break;
    }
    await sleep(1000);
  }
  return out;
}

/**
 * The recipients of the notification's delivered messages: from the whole notification when it
 * lists every message, else paged (200 at a time) from /messages?status=delivered.
 */
async function deliveredRecipients(api, notifyId, full) {
  if (full.messages && full.progress && full.messages.length === full.progress.total) {
    return { recipients: full.messages.filter((m) => m.status === "delivered").map((m) => m.recipient), source: "GET /api/v1/notify/{id}" };
  }
  const recipients = [];
  let cursor;
  do {
    const r = await api.call("GET", `/api/v1/notify/${notifyId}/messages?status=delivered&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (r.status !== 200) return { recipients: null, source: `messages pages answered ${r.status}: ${failureOf(r)}` };
    for (const m of r.json.items) recipients.push(m.recipient);
    cursor = r.json.nextCursor ?? undefined;
  } while (cursor);
  return { recipients, source: "GET /api/v1/notify/{id}/messages?status=delivered" };
}

/** Recipients the API reports delivered but the sink never captured. */
function lostDelivered(recipients, sinkCounts) {
  let lost = 0;
  const sample = [];
  for (const recipient of recipients) {
    if (!sinkCounts.has(recipient.toLowerCase())) {
      lost += 1;
      if (sample.length < 5) sample.push(recipient);
    }
  }
  return { lost, lostSample: sample };
}

async function mergeScenario(ctx, channel, rows) {
  const { api, sink, svc, settings, runId, log } = ctx;
  const tag = `bnch-${runId}-${channel[0]}${rows}`;
  const name = `merge ${channel} ${rows.toLocaleString("en-US")} rows`;
  const { recipients, body } = mergeRequest(channel, rows, tag);
  const payload = JSON.stringify(body);
  const result = { name, kind: "merge", channel, rows, tag, requestBytes: payload.length };
  log(`\n▶ ${name} (${(payload.length / 1024 / 1024).toFixed(2)} MB request)`);

  const memory = sampleWorkerdMemory(svc.pid);
  const t0 = performance.now();
  const deadline = Date.now() + settings.timeoutS * 1000;
  const res = await api.call("POST", "/api/v1/notifysimple", { body: payload, timeoutMs: settings.timeoutS * 1000 });
  result.http = { status: res.status, answerMs: round(res.ms, 0) };
  if (res.status !== 201) {
    result.http.error = failureOf(res);
    result.finished = false;
    result.memory = memory.stop();
    log(`  answered ${res.status} in ${res.ms.toFixed(0)} ms: ${result.http.error}`);
    return result;
  }
  const notifyId = res.json.notifyId;
  const expected = res.json.channels?.[channel] ?? 0;
  Object.assign(result, { notifyId, messages: expected, merge: res.json.merge?.[channel] ?? null });
  log(`  201 in ${res.ms.toFixed(0)} ms, ${expected} messages; following ${notifyId}`);

  const followed = await follow({ api, sink, memory, notifyId, tag, expected, t0, deadline, pollMs: settings.pollMs });
  result.memory = memory.stop();
  result.finished = followed.terminalAt !== null;
  result.terminalMs = round(followed.terminalAt, 0);
  result.sinkCompleteMs = round(followed.sinkCompleteAt, 0);
  result.messagesPerSecond = result.finished && expected > 0 ? round(expected / (followed.terminalAt / 1000)) : null;

  const full = followed.confirmed?.counts ? followed.confirmed : await fullStatus(api, notifyId);
  result.status = full.status ?? followed.lastSummary?.status ?? null;
  result.counts = full.counts ?? null;
  result.progress = full.progress ?? null;
  if (followed.confirmed?.confirmedBy) result.confirmedBy = followed.confirmed.confirmedBy;
  if (full.error) result.statusError = full.error;
  const delivered = await deliveredRecipients(api, notifyId, full);
  if (!result.finished) {
    log(`  not finished within ${settings.timeoutS} s: ${JSON.stringify(result.counts ?? result.status)}`);
    if (settings.cancelOnTimeout) result.cancelledAfterTimeout = await cancelRest(api, notifyId, tag);
  }

  await sleep(1000); // a late duplicate would arrive about now
  result.sink = await sink.tally(tag, recipients);
  result.sink.deliveredPerApi = delivered.recipients?.length ?? null;
  result.sink.deliveredSource = delivered.source;
  if (delivered.recipients) Object.assign(result.sink, lostDelivered(delivered.recipients, sink.byTag.get(tag) ?? new Map()));
  else result.sink.lost = null;
  log(
    `  ${result.finished ? `final in ${(followed.terminalAt / 1000).toFixed(1)} s (${result.messagesPerSecond} msg/s)` : "NOT FINISHED"}; ` +
      `sink: ${result.sink.captured} captured, ${result.sink.duplicated} duplicated, ${result.sink.missing} missing, ${result.sink.lost ?? "?"} lost; ` +
      `workerd peak ${result.memory.peakTotalMb ?? "?"} MB`,
  );
  return result;
}

async function plainScenario(ctx) {
  const { api, sink, svc, settings, runId, log } = ctx;
  const n = settings.plainSends;
  const channel = settings.plainChannel;
  const tag = `bnch-${runId}-p${n}`;
  const name = `plain ${channel} × ${n.toLocaleString("en-US")} (concurrency ${settings.plainConcurrency})`;
  const result = { name, kind: "plain", channel, sends: n, concurrency: settings.plainConcurrency, tag };
  log(`\n▶ ${name}`);
  const recipientOf = (i) => (channel === "sms" ? phoneNumber(50_000 + i) : `plain${i}@example.com`);
  const bodyOf = (i) =>
    channel === "sms"
      ? { correlationId: tag, sms: { recipients: { to: [recipientOf(i)] }, content: { body: `Benchmark text ${i}. ref ${tag}` } } }
      : { correlationId: tag, email: { recipients: { to: [recipientOf(i)] }, content: { subject: `Benchmark ${i} (${tag})`, body: `Benchmark email ${i}. ref ${tag}` } } };

  const memory = sampleWorkerdMemory(svc.pid);
  const t0 = performance.now();
  const deadline = Date.now() + settings.timeoutS * 1000;
  const answers = new Map(); // status → count
  const accepted = new Map(); // notifyId → recipient
  const acceptedRecipients = [];
  const latencies = [];
  const errors = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: settings.plainConcurrency }, async () => {
      while (next < n && Date.now() < deadline) {
        const i = next++;
        const res = await api.call("POST", "/api/v1/notifysimple", { body: bodyOf(i), timeoutMs: 60_000 });
        latencies.push(res.ms);
        answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
        if (res.status === 201) {
          accepted.set(res.json.notifyId, recipientOf(i));
          acceptedRecipients.push(recipientOf(i));
        } else if (errors.length < 5) errors.push(`${res.status}: ${failureOf(res)}`);
      }
    }),
  );
  const sendMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  result.http = {
    answers: Object.fromEntries(answers),
    sendPhaseMs: round(sendMs, 0),
    requestsPerSecond: round(latencies.length / (sendMs / 1000)),
    p50Ms: round(latencies[Math.floor(latencies.length * 0.5)], 0),
    p95Ms: round(latencies[Math.floor(latencies.length * 0.95)], 0),
    ...(errors.length ? { errors } : {}),
  };
  result.messages = accepted.size;
  log(`  ${accepted.size}/${n} accepted in ${(sendMs / 1000).toFixed(1)} s (${result.http.requestsPerSecond} req/s, p50 ${result.http.p50Ms} ms)`);

  // Final when no notification of the tag is still accepted or sending (none is scheduled).
  let terminalAt = null;
  let sinkCompleteAt = null;
  let captured = 0;
  while (Date.now() < deadline && accepted.size > 0) {
    captured = await sink.capturedCount(tag);
    if (sinkCompleteAt === null && captured >= accepted.size) sinkCompleteAt = performance.now() - t0;
    if (terminalAt === null) {
      const seenAt = performance.now() - t0;
      const open = await Promise.all(
        ["accepted", "sending"].map(async (status) => {
          const r = await api.call("GET", `/api/v1/notify?correlationId=${tag}&status=${status}&limit=1`);
          return r.status !== 200 || (r.json?.items?.length ?? 0) > 0;
        }),
      );
      if (!open.some(Boolean)) terminalAt = seenAt;
    }
    if (terminalAt !== null && (sinkCompleteAt !== null || performance.now() - t0 - terminalAt > 10_000)) break;
    await sleep(Math.max(settings.pollMs, 500));
  }
  result.memory = memory.stop();
  result.finished = terminalAt !== null;
  result.terminalMs = round(terminalAt, 0);
  result.sinkCompleteMs = round(sinkCompleteAt, 0);
  result.messagesPerSecond = result.finished ? round(accepted.size / (terminalAt / 1000)) : null;
  result.messagesPerSecondAtSink = sinkCompleteAt !== null ? round(accepted.size / (sinkCompleteAt / 1000)) : null;

  // Statuses of every notification of the tag, a page of 200 at a time.
  const statuses = new Map();
  const delivered = new Set();
  let cursor;
  do {
    const r = await api.call("GET", `/api/v1/notify?correlationId=${tag}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (r.status !== 200) {
      result.statusError = `history answered ${r.status}: ${failureOf(r)}`;
      break;
    }
    for (const item of r.json.items) {
      statuses.set(item.status, (statuses.get(item.status) ?? 0) + 1);
      if (item.status === "delivered") delivered.add(item.notifyId);
    }
    cursor = r.json.nextCursor ?? undefined;
  } while (cursor);
  result.notificationStatuses = Object.fromEntries(statuses);
  if (!result.finished) log(`  not finished within ${settings.timeoutS} s: ${JSON.stringify(result.notificationStatuses)}`);

  await sleep(1000);
  result.sink = await sink.tally(tag, acceptedRecipients);
  const counts = sink.byTag.get(tag) ?? new Map();
  const lostSample = [];
  let lost = 0;
  for (const id of delivered) {
    const recipient = accepted.get(id)?.toLowerCase();
    if (recipient && !counts.has(recipient)) {
      lost += 1;
      if (lostSample.length < 5) lostSample.push(recipient);
    }
  }
  Object.assign(result.sink, { lost, lostSample });
  log(
    `  ${result.finished ? `final in ${(terminalAt / 1000).toFixed(1)} s (${result.messagesPerSecond} msg/s)` : "NOT FINISHED"}; ` +
      `sink: ${result.sink.captured} captured, ${result.sink.duplicated} duplicated, ${result.sink.missing} missing, ${lost} lost; workerd peak ${result.memory.peakTotalMb} MB`,
  );
  return result;
}

/**
 * Runs the selected delivery scenarios against a started service; answers every figure. With
 * `restart` (a function answering a freshly started service), each scenario gets its own server,
 * except the first when `freshAtStart` says the given one has not been used yet.
 */
export async function runDelivery(svc, { merge = true, plain = true, restart, freshAtStart = false, log = console.log } = {}) {
  const settings = deliverySettings();
  const ctx = { settings, runId: randomBytes(3).toString("hex"), log };
  const limitsAnswers = [];
  const use = async (service) => {
    ctx.sink?.close();
    Object.assign(ctx, { svc: service, api: new Api(service), sink: new SinkCounter({ stateDir: service.stateDir, baseUrl: service.baseUrl, mode: settings.sinkMode }) });
    const limits = await raiseLimits(service);
    limitsAnswers.push(limits.status);
    if (limits.status !== 200) log(`Raising the demo tenant's limits answered ${limits.status}: ${limits.error}`);
  };
  await use(svc);
  let used = !freshAtStart;
  const scenarios = [];
  // A scenario that throws (a bug here, the service gone) is recorded and the next one still runs.
  const attempt = async (name, run) => {
    try {
      if (restart && used) await use(await restart());
      used = true;
      const result = await run();
      result.server = restart ? "fresh" : "shared";
      scenarios.push(result);
    } catch (err) {
      log(`  ${name} failed: ${err.stack ?? err}`);
      scenarios.push({ name, kind: "error", finished: false, error: String(err.message ?? err), http: {} });
    }
  };
  try {
    if (merge) {
      for (const channel of settings.mergeChannels) {
        for (const rows of settings.mergeRows) await attempt(`merge ${channel} ${rows} rows`, () => mergeScenario(ctx, channel, rows));
      }
    }
    if (plain && settings.plainSends > 0) await attempt("plain", () => plainScenario(ctx));
  } finally {
    ctx.sink.close();
  }
  const growth = {};
  for (const channel of settings.mergeChannels) {
    const at = (rows) => scenarios.find((s) => s.kind === "merge" && s.channel === channel && s.rows === rows && s.finished);
    const big = at(50_000);
    const mid = at(10_000);
    growth[channel] = big && mid ? round(big.terminalMs / mid.terminalMs, 2) : null;
  }
  return { settings: { ...settings, freshServerPerScenario: !!restart }, runId: ctx.runId, limitsPatchStatuses: limitsAnswers, scenarios, timeGrowth50kOver10k: growth };
}

/** Messages and check marks for the printed table and README's targets. */
export function printDeliveryTable(delivery, log = console.log) {
  const rows = delivery.scenarios;
  if (rows.length === 0) return;
  const mb = (v) => (v === null || v === undefined ? "?" : String(v));
  const sec = (ms) => (ms === null || ms === undefined ? "—" : (ms / 1000).toFixed(1));
  log("\nDelivery scenarios (live key, real SES/Twilio adapters → local sink)\n");
  log(
    [
      "scenario".padEnd(40),
      "answer".padStart(9),
      "msgs".padStart(7),
      "final s".padStart(8),
      "sink s".padStart(7),
      "msg/s".padStart(7),
      "peak MB".padStart(8),
      "+MB".padStart(6),
      "dup".padStart(5),
      "lost".padStart(5),
      "miss".padStart(5),
      "  status",
    ].join(" "),
  );
  for (const s of rows) {
    if (s.kind === "error") {
      log([s.name.padEnd(40), `  FAILED: ${String(s.error).split("\n")[0].slice(0, 100)}`].join(" "));
      continue;
    }
    const answer = s.kind === "merge" ? `${s.http.status} ${sec(s.http.answerMs)}s` : `${s.http.sendPhaseMs !== undefined ? sec(s.http.sendPhaseMs) : "—"}s`;
    const failures = FAILURE_STATUSES.reduce((n, st) => n + (s.counts?.[st] ?? 0), 0);
    const state = s.kind === "merge" ? (s.http.status !== 201 ? `refused: ${s.http.error}` : s.finished ? `${s.status}${failures ? ` (${failures} failed)` : ""}` : `NOT FINISHED ${JSON.stringify(s.counts ?? {})}`) : s.finished ? JSON.stringify(s.notificationStatuses) : `NOT FINISHED ${JSON.stringify(s.notificationStatuses)}`;
    log(
      [
        s.name.padEnd(40),
        answer.padStart(9),
        String(s.messages ?? "—").padStart(7),
        sec(s.terminalMs).padStart(8),
        sec(s.sinkCompleteMs).padStart(7),
        String(s.messagesPerSecond ?? "—").padStart(7),
        mb(s.memory?.peakTotalMb).padStart(8),
        (s.memory?.available ? String(Math.round(s.memory.peakTotalMb - s.memory.startTotalMb)) : "?").padStart(6),
        String(s.sink?.duplicated ?? "—").padStart(5),
        String(s.sink?.lost ?? "—").padStart(5),
        String(s.sink?.missing ?? "—").padStart(5),
        `  ${state.slice(0, 90)}`,
      ].join(" "),
    );
  }
  const growth = Object.entries(delivery.timeGrowth50kOver10k)
    .map(([channel, g]) => `${channel} ${g ?? "n/a"}`)
    .join(", ");
  log(`\ntime(50k)/time(10k): ${growth}   (n/a: one of them did not run or finish)`);
  log("answer = HTTP status and seconds to it (plain: seconds to send all); final = until every message is final per the API;");
  log("sink = until the sink captured them all; peak MB = all workerd processes together, sampled every 200 ms; +MB = peak minus the value when the scenario started.");
}
