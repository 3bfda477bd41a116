// Facts about the machine and the code a bench run measured, for the results file.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";

function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

export function machineFacts(root) {
  let cpuModel = null;
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? null;
  } catch {
    // not Linux
  }
  let wranglerVersion = null;
  try {
    wranglerVersion = JSON.parse(readFileSync(`${root}/node_modules/wrangler/package.json`, "utf8")).version;
  } catch {
    // not installed
  }
  const status = run("git", ["status", "--porcelain", "--untracked-files=no"], root);
  return {
    nproc: Number(run("nproc", [], root)) || availableParallelism(),
    cpuModel,
    memTotalMb: Math.round(totalmem() / 1024 / 1024),
    loadAverageAtStart: (() => {
      try {
        return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
      } catch {
        return null;
      }
    })(),
    node: process.version,
    wrangler: wranglerVersion,
    platform: `${process.platform}-${process.arch}`,
    commit: run("git", ["rev-parse", "HEAD"], root),
    // Tracked files changed in the working tree when the bench ran (the figures measured them too).
    uncommittedChanges: status ? status.split("\n").map((l) => l.slice(3)) : [],
  };
}
