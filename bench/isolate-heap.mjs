#!/usr/bin/env node
// The Worker isolate's own V8 heap, asked of a running `npm start` through wrangler dev's inspector
// (Runtime.getHeapUsage): what the Worker itself holds, as opposed to the resident memory of the
// workerd processes, which also carry the local D1/R2/Queues and the dev proxy.
//
//   node_modules/.bin/node bench/isolate-heap.mjs            # one reading
//   INSPECTOR=ws://127.0.0.1:9229/ws node_modules/.bin/node bench/isolate-heap.mjs
import WebSocket from "ws";

const url = process.env.INSPECTOR ?? "ws://127.0.0.1:9229/ws";
const ws = new WebSocket(url, { headers: { Origin: "https://devtools.devprod.cloudflare.dev" } });
let id = 0;
const pending = new Map();
ws.on("message", (data) => {
  const message = JSON.parse(String(data));
  pending.get(message.id)?.(message.result ?? message.error);
  pending.delete(message.id);
});
const call = (method, params = {}) =>
  new Promise((resolve) => {
    pending.set(++id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
ws.on("error", (err) => {
  console.error(`inspector at ${url}: ${err.message}`);
  process.exit(1);
});
ws.on("open", async () => {
  await call("Runtime.enable");
  const usage = await call("Runtime.getHeapUsage");
  console.log(JSON.stringify({ usedMB: +(usage.usedSize / 1048576).toFixed(1), totalMB: +(usage.totalSize / 1048576).toFixed(1) }));
  process.exit(0);
});
setTimeout(() => {
  console.error("no answer from the inspector within 8 s");
  process.exit(1);
}, 8000).unref();
