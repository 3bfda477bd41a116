import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

export interface StartedService {
  baseUrl: string;
  tenantId: string;
  liveKey: string;
  testKey: string;
  adminToken: string;
  stateDir: string;
  output: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    service: StartedService;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function field(output: string, label: string): string {
  const match = new RegExp(`${label}\\s+(\\S+)`).exec(output);
  if (!match) throw new Error(`npm start did not print "${label}"\n${output}`);
  return match[1]!;
}

let child: ChildProcess | undefined;
let dir: string | undefined;

/** Runs `npm start`'s script exactly as a newcomer would, on a free port with fresh state. */
export default async function setup(project: TestProject) {
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), "edge-notify-e2e-"));
  const stateDir = join(dir, "state");
  child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: join(import.meta.dirname, ".."),
    env: { ...process.env, PORT: String(port), NOTIFY_STATE_DIR: stateDir, NOTIFY_DEV_VARS: join(dir, ".dev.vars") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (d) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up in 150 s\n${output}`)), 150_000);
    child!.stdout!.on("data", (d) => {
      output += d.toString();
      if (output.includes("Press Ctrl+C to stop")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child!.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}\n${output}`));
    });
  });
  child.removeAllListeners("exit");
  const service: StartedService = {
    baseUrl: `http://127.0.0.1:${port}`,
    tenantId: field(output, "Demo tenant"),
    liveKey: field(output, "Live API key"),
    testKey: field(output, "Test API key"),
    adminToken: field(output, "Admin token"),
    stateDir,
    output,
  };
  project.provide("service", service);
  return teardown;
}

async function teardown() {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
