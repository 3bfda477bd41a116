// Counts what the local provider sink captured, per scenario tag and recipient.
//
// The sink (src/dev/store.ts) keeps one R2 object per captured message under
// `dev-sink/messages/`. Its only listing API, GET /dev/inbox.json, answers the newest 200 at most
// and has no cursor, so it cannot count a 50,000-message merge. The bench owns its state
// directory, so it reads the local R2 bucket where Miniflare keeps it instead, read-only:
//
//   <state>/v3/r2/miniflare-R2BucketObject/<hash>.sqlite   table _mf_objects (key, blob_id, …)
//   <state>/v3/r2/<bucket>/blobs/<blob_id>                 the object's bytes (our JSON)
//
// That is Miniflare's private layout, not an API: if it is not found the reader falls back to
// /dev/inbox.json and says that its count is incomplete once the inbox holds 200 or more.
//
// Every scenario puts a tag (`bnch-<run>-<scenario>`) in the subject or text of what it sends,
// so a capture is attributed to its scenario without any help from the Worker.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const MESSAGES_PREFIX = "dev-sink/messages/";
const TAG = /bnch-[0-9a-z]+-[0-9a-z]+/;
const INBOX_MAX = 200;

let DatabaseSync;
async function sqlite() {
  if (DatabaseSync === undefined) {
    // node:sqlite is in Node 22.5+ (the project's node_modules/.bin/node is 22); warns once that it is experimental.
    const originalEmit = process.emitWarning;
    process.emitWarning = (warning, ...rest) => {
      if (String(warning).includes("SQLite")) return;
      return originalEmit.call(process, warning, ...rest);
    };
    try {
      ({ DatabaseSync } = await import("node:sqlite"));
    } catch {
      DatabaseSync = null;
    } finally {
      process.emitWarning = originalEmit;
    }
  }
  return DatabaseSync;
}

/** A recipient as the sink wrote it ("Name <a@b>" or "a@b" or "+1604…"), reduced to its address. */
export function recipientKey(value) {
  const angle = /<([^>]+)>\s*$/.exec(value);
  return (angle ? angle[1] : value).trim().toLowerCase();
}

export class SinkCounter {
  /** `mode`: "state" reads the local R2 state (falling back to the inbox API), "inbox" only the API. */
  constructor({ stateDir, baseUrl, mode = "state" }) {
    this.mode = mode;
    this.r2Dir = join(stateDir, "v3", "r2");
    this.baseUrl = baseUrl;
    this.db = null;
    this.blobDirs = null;
    this.lastRowId = 0;
    this.pending = new Map(); // rowid → {key, blobId}: listed, blob not readable yet
    this.byTag = new Map(); // tag → Map(recipient → count)
    this.capturedByTag = new Map(); // tag → captured messages
    this.deliveriesByTag = new Map(); // tag → Map(X-Notify-Delivery-Id → count), email only
    this.seenKeys = new Set(); // R2 keys already counted: a capture is counted once whatever happens
    this.total = 0;
    this.unreadable = 0;
    this.method = null;
  }

  /** Finds the sqlite file of the bucket that holds the sink's messages. */
  async #open() {
    if (this.db) return true;
    const Database = await sqlite();
    const dir = join(this.r2Dir, "miniflare-R2BucketObject");
    if (!Database || !existsSync(dir)) return false;
    for (const file of readdirSync(dir)) {
      if (!file.endsWith(".sqlite") || file === "metadata.sqlite") continue;
      let db;
      try {
        db = new Database(join(dir, file), { readOnly: true });
        const row = db.prepare("SELECT 1 AS found FROM _mf_objects WHERE key >= ? AND key < ? LIMIT 1").get(MESSAGES_PREFIX, `${MESSAGES_PREFIX}\uffff`);
        if (row) {
          this.db = db;
          this.method = "local R2 state (Miniflare sqlite + blobs, read-only)";
          return true;
        }
        db.close();
      } catch {
        db?.close();
      }
    }
    return false;
  }

  /** Candidate blob directories: <r2>/<anything>/blobs. */
  #blobDirectories() {
    if (this.blobDirs) return this.blobDirs;
    const dirs = [];
    for (const entry of readdirSync(this.r2Dir)) {
      const blobs = join(this.r2Dir, entry, "blobs");
      if (existsSync(blobs) && statSync(blobs).isDirectory()) dirs.push(blobs);
    }
    if (dirs.length > 0) this.blobDirs = dirs;
    return dirs;
  }

  #readBlob(blobId) {
    for (const dir of this.#blobDirectories()) {
      const path = join(dir, blobId);
      if (existsSync(path)) return readFileSync(path, "utf8");
    }
    return null;
  }

  #record(message) {
    if (this.seenKeys.has(message.id)) return;
    this.seenKeys.add(message.id);
    this.total += 1;
    const tag = TAG.exec(message.subject ?? "")?.[0] ?? TAG.exec(message.text ?? "")?.[0];
    if (!tag) return;
    // The same delivery captured twice means the provider was called twice for it.
    const deliveryId = message.headers?.["x-notify-delivery-id"];
    if (deliveryId) {
      if (!this.deliveriesByTag.has(tag)) this.deliveriesByTag.set(tag, new Map());
      const byDelivery = this.deliveriesByTag.get(tag);
      byDelivery.set(deliveryId, (byDelivery.get(deliveryId) ?? 0) + 1);
    }
    if (!this.byTag.has(tag)) this.byTag.set(tag, new Map());
    const counts = this.byTag.get(tag);
    for (const to of message.to ?? []) {
      const key = recipientKey(to);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    this.capturedByTag.set(tag, (this.capturedByTag.get(tag) ?? 0) + 1);
  }

  /** Reads the messages captured since the last call. Cheap to call every second. */
  async refresh() {
    if (this.mode === "inbox" || !(await this.#open())) return false;
    const rows = this.db
      .prepare("SELECT rowid AS rowid, key, blob_id AS blobId FROM _mf_objects WHERE rowid > ? AND key >= ? AND key < ? ORDER BY rowid")
      .all(this.lastRowId, MESSAGES_PREFIX, `${MESSAGES_PREFIX}\uffff`);
    for (const row of rows) {
      this.lastRowId = Math.max(this.lastRowId, Number(row.rowid));
      this.pending.set(Number(row.rowid), row);
    }
    for (const [rowid, row] of this.pending) {
      const text = row.blobId ? this.#readBlob(row.blobId) : null;
      if (text === null) continue; // not on disk yet: next refresh
      this.pending.delete(rowid);
      try {
        this.#record(JSON.parse(text));
      } catch {
        this.unreadable += 1;
      }
    }
    return true;
  }

  /** Falls back to the inbox API: exact only while the inbox holds fewer than 200 messages. */
  async #fromInbox() {
    const res = await fetch(`${this.baseUrl}/dev/inbox.json?limit=${INBOX_MAX}`);
    if (!res.ok) throw new Error(`/dev/inbox.json answered ${res.status}`);
    const { items } = await res.json();
    this.byTag = new Map();
    this.capturedByTag = new Map();
    this.deliveriesByTag = new Map();
    this.seenKeys = new Set();
    this.total = 0;
    for (const message of items) this.#record(message);
    this.method = items.length < INBOX_MAX ? "/dev/inbox.json (complete: fewer than 200 captured)" : "/dev/inbox.json (INCOMPLETE: only the newest 200 are listed)";
    return items.length < INBOX_MAX;
  }

  /** Captures of `tag` so far (for waiting until the sink holds every message). */
  async capturedCount(tag) {
    if (await this.refresh()) return this.capturedByTag.get(tag) ?? 0;
    await this.#fromInbox();
    return this.capturedByTag.get(tag) ?? 0;
  }

  /**
   * How the captures of `tag` compare with the recipients that should have one each:
   * missing (expected, never captured), duplicated (captured more than once), unexpected.
   */
  async tally(tag, expectedRecipients) {
    let exact = true;
    if (!(await this.refresh())) exact = await this.#fromInbox();
    const counts = this.byTag.get(tag) ?? new Map();
    const expected = new Set(expectedRecipients.map(recipientKey));
    let missing = 0;
    let duplicated = 0;
    let extraCopies = 0;
    const missingSample = [];
    const duplicatedSample = [];
    for (const recipient of expected) {
      const n = counts.get(recipient) ?? 0;
      if (n === 0) {
        missing += 1;
        if (missingSample.length < 5) missingSample.push(recipient);
      } else if (n > 1) {
        duplicated += 1;
        extraCopies += n - 1;
        if (duplicatedSample.length < 5) duplicatedSample.push(`${recipient} ×${n}`);
      }
    }
    const byDelivery = this.deliveriesByTag.get(tag);
    const deliveriesCapturedTwice = byDelivery ? [...byDelivery.values()].filter((n) => n > 1).length : null;
    let unexpected = 0;
    for (const recipient of counts.keys()) if (!expected.has(recipient)) unexpected += 1;
    return {
      method: this.method ?? "none",
      exact,
      captured: this.capturedByTag.get(tag) ?? 0,
      recipientsCaptured: counts.size,
      missing,
      duplicated,
      extraCopies,
      unexpected,
      // Email only (SMS carries no delivery id): deliveries whose provider call reached the sink more than once.
      deliveriesCapturedTwice,
      missingSample,
      duplicatedSample,
      unreadable: this.unreadable,
      pendingBlobs: this.pending.size,
    };
  }

  close() {
    this.db?.close();
    this.db = null;
  }
}
