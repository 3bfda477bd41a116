import type { TenantPrincipal } from "../../lib/app-env";
import { documentLayer, type ChannelLayer, type Source } from "../resolve/layers";
import type { MergeRow } from "../send/merge/merge-array";
import type { ChannelRequest, SendRequest } from "../send/plan";
import type { TenantSettings } from "../tenants/settings";

/**
 * Rows per chunk. One chunk is one notify-fanout message and one invocation: it renders its rows
 * (about 0.1 ms each), writes their deliveries and messages in one D1 batch (well under D1's
 * queries per invocation), and enqueues the deliveries in sendBatch calls of 100 (5 subrequests),
 * all far inside Cloudflare's per-invocation limits and the isolate's 128 MB.
 */
export const FANOUT_CHUNK_ROWS = 500;

export type FanoutChannel = "email" | "sms";

/** A request layer as stored: documentLayer's arguments. */
interface StoredLayer {
  source: Source;
  mode: ChannelLayer["mode"];
  value: Record<string, unknown>;
  prefix: string;
}

/** What the notify-fanout consumer needs to plan any chunk as the request would have. */
export interface FanoutManifest {
  v: 1;
  notifyId: string;
  tenantId: string;
  /** The request's clock: every chunk is planned at this instant (schedules, unsubscribe tokens). */
  now: string;
  requestId: string;
  correlationId: string;
  origin: string;
  principal: Omit<TenantPrincipal, "tenant">;
  /** The tenant's defaults as the request resolved them, so every chunk renders alike. */
  settings: TenantSettings;
  /** The default reply-to address and SMS sender the request resolved with (absent in manifests written before they applied: none). */
  senderDefaults?: { defaultReplyTo: string | null; defaultSmsSender: string | null };
  /** The request without its other channels or merge rows. */
  request: Omit<SendRequest, "channels">;
  channels: Partial<Record<FanoutChannel, StoredChannel>>;
}

export interface StoredChannel {
  layers: StoredLayer[];
  path: string;
  paramsPath: string;
  mergePath: string;
  columns: string[];
  chunks: ChunkInfo[];
}

export interface ChunkInfo {
  firstRow: number;
  lastRow: number;
  /** Recipients the request counted for these rows (messages are counted for real once rendered). */
  recipients: number;
}

/** A chunk's rows, as stored in R2. */
export interface StoredChunk {
  rows: MergeRow[];
}

/** Where a fanned-out notification's merge input lives in R2 (under the tenant, like attachments). */
export const fanoutKeys = {
  manifest: (tenantId: string, notifyId: string) => `fanout/${tenantId}/${notifyId}/manifest.json`,
  chunk: (tenantId: string, notifyId: string, channel: FanoutChannel, index: number) => `fanout/${tenantId}/${notifyId}/${channel}/${index}.json`,
};

/** The request's layers as data; only documentLayer's layers (every request layer) can be stored. */
export function storeLayers(layers: ChannelLayer[]): StoredLayer[] {
  return layers.map((layer) => {
    if (layer.prefix === undefined) throw new Error(`a ${layer.source} layer without a prefix cannot be stored for the fan-out`);
    return { source: layer.source, mode: layer.mode, value: layer.value, prefix: layer.prefix };
  });
}

/**
 * A chunk's send request, rebuilt from the manifest: the channel's stored layers with the chunk's
 * rows as its merge. Rows that fail now are skipped by the planner (and recorded as failed by the
 * consumer), since the request already accepted the merge.
 */
export function chunkRequest(manifest: FanoutManifest, channel: FanoutChannel, rows: MergeRow[]): SendRequest {
  const stored = manifest.channels[channel]!;
  const request: ChannelRequest = {
    layers: stored.layers.map((l) => documentLayer(l.source, l.value, l.prefix, l.mode)),
    path: stored.path,
    paramsPath: stored.paramsPath,
    merge: { path: stored.mergePath, parsed: { columns: stored.columns, rows, errors: [] }, skipInvalidRows: true },
  };
  return { ...manifest.request, channels: { [channel]: request } };
}

/**
 * Recipients per chunk: a chunk's messages are written in one D1 batch and its deliveries enqueued
 * by one invocation, so rows of 50 addresses each make smaller chunks (at most 1,000 messages).
 */
export const FANOUT_CHUNK_RECIPIENTS = 1_000;

/**
 * Splits accepted rows into chunks of at most FANOUT_CHUNK_ROWS rows and FANOUT_CHUNK_RECIPIENTS
 * recipients (a row is never split), with the recipients the request counted for each.
 *
 * @example
 * ```ts
 * splitRows(rows, [1, 1, 50, …]).map((c) => c.info) // [{ firstRow: 1, lastRow: 480, recipients: 998 }, …]
 * ```
 */
export function splitRows(rows: MergeRow[], recipients: number[]): { info: ChunkInfo; rows: MergeRow[] }[] {
  const parts: { info: ChunkInfo; rows: MergeRow[] }[] = [];
  let current: MergeRow[] = [];
  let count = 0;
  const close = () => {
    if (current.length > 0) parts.push({ info: { firstRow: current[0]!.row, lastRow: current.at(-1)!.row, recipients: count }, rows: current });
    current = [];
    count = 0;
  };
  rows.forEach((row, i) => {
    const n = recipients[i] ?? 1;
    if (current.length >= FANOUT_CHUNK_ROWS || (current.length > 0 && count + n > FANOUT_CHUNK_RECIPIENTS)) close();
    current.push(row);
    count += n;
  });
  close();
  return parts;
}
