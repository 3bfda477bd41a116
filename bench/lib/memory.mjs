// Resident memory of the workerd processes a bench run started: every workerd process descended
// from the `npm start` child, found through /proc (Linux only) and sampled every `intervalMs`.
import { readdirSync, readFileSync } from "node:fs";

/** pid → ppid and command name for every process we may read, from /proc/<pid>/stat. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split at the last ")".
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      table.set(Number(entry), { ppid, comm });
    } catch {
      // gone between readdir and read
    }
  }
  return table;
}

/** The workerd processes descended from `rootPid`. */
export function workerdDescendants(rootPid) {
  const table = processTable();
  const children = new Map();
  for (const [pid, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const found = [];
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop();
    for (const child of children.get(pid) ?? []) {
      if (table.get(child)?.comm === "workerd") found.push(child);
      stack.push(child);
    }
  }
  return found.sort((a, b) => a - b);
}

/** VmRSS and VmHWM of one process, in kB; null when it is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rssKb: field("VmRSS"), hwmKb: field("VmHWM") };
  } catch {
    return null;
  }
}

const mb = (kb) => Math.round((kb / 1024) * 10) / 10;

/**
 * Starts sampling; `stop()` answers the figures in MB: RSS of all workerd processes together and
 * of the largest one, at the start and at the peak, and the kernel's high-water mark (VmHWM, since
 * the process started, so it can predate the scenario).
 */
export function sampleWorkerdMemory(rootPid, intervalMs = 200) {
  if (process.platform !== "linux" || !rootPid) {
    return { pause() {}, resume() {}, stop: () => ({ available: false, reason: "needs Linux /proc and the npm start child's pid" }) };
  }
  let pids = workerdDescendants(rootPid);
  let lastScan = Date.now();
  let samples = 0;
  let startTotal = null;
  let startMax = null;
  let peakTotal = 0;
  let peakMax = 0;
  const perProcessPeak = new Map();
  const hwm = new Map();
  let paused = false;
  const sample = () => {
    if (paused) return;
    if (Date.now() - lastScan > 2000 || pids.length === 0) {
      pids = workerdDescendants(rootPid);
      lastScan = Date.now();
    }
    let total = 0;
    let max = 0;
    for (const pid of pids) {
      const m = memoryOf(pid);
      if (!m) continue;
      total += m.rssKb;
      max = Math.max(max, m.rssKb);
      perProcessPeak.set(pid, Math.max(perProcessPeak.get(pid) ?? 0, m.rssKb));
      hwm.set(pid, m.hwmKb);
    }
    if (pids.length === 0) return;
    samples += 1;
    if (startTotal === null) {
      startTotal = total;
      startMax = max;
    }
    peakTotal = Math.max(peakTotal, total);
    peakMax = Math.max(peakMax, max);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    /** Stops counting samples (e.g. while the bench itself asks for something large). */
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
    },
    stop() {
      paused = false;
      clearInterval(timer);
      sample();
      return {
        available: samples > 0,
        samples,
        intervalMs,
        processes: [...perProcessPeak.keys()].length,
        startTotalMb: mb(startTotal ?? 0),
        peakTotalMb: mb(peakTotal),
        startLargestMb: mb(startMax ?? 0),
        peakLargestMb: mb(peakMax),
        perProcess: [...perProcessPeak].map(([pid, peak]) => ({ pid, peakRssMb: mb(peak), vmHwmMb: mb(hwm.get(pid) ?? 0) })),
      };
    },
  };
}
