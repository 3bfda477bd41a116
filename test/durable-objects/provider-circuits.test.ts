import { env } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CircuitPolicy } from "../../src/services/circuits/policy";
import { circuitPolicy } from "../../src/services/circuits/policy";

const policy: CircuitPolicy = { failureThreshold: 3, windowMs: 60_000, cooldownMs: 30_000, probeLeaseMs: 20_000 };
const T0 = 1_800_000_000_000;

/** A circuit object of its own, so tests never share circuits with each other or the suite. */
const fresh = () => env.PROVIDER_CIRCUITS.get(env.PROVIDER_CIRCUITS.idFromName(crypto.randomUUID()));

describe("ProviderCircuits", () => {
  it("lets every call through while closed, and opens after the threshold of failures in the window", async () => {
    const circuits = fresh();
    expect(await circuits.permit([{ name: "ses", wanted: 40 }], T0, policy)).toEqual([{ name: "ses", allowed: 40 }]);
    await circuits.report([{ name: "ses", ok: 0, failed: 2 }], T0, policy);
    expect((await circuits.status(["ses"], T0, policy))[0]).toMatchObject({ state: "closed", failures: 2 });
    await circuits.report([{ name: "ses", ok: 0, failed: 1 }], T0 + 1_000, policy);
    const [view] = await circuits.status(["ses"], T0 + 1_000, policy);
    expect(view).toMatchObject({ state: "open", failures: 3, openedAt: T0 + 1_000, halfOpenAt: T0 + 31_000, lastFailureAt: T0 + 1_000, lastSuccessAt: null });
    expect(await circuits.permit([{ name: "ses", wanted: 5 }, { name: "postmark", wanted: 5 }], T0 + 2_000, policy)).toEqual([
      { name: "ses", allowed: 0, retryAt: T0 + 31_000 },
      { name: "postmark", allowed: 5 },
    ]);
  });

  it("counts only failures within the window, and a provider that mostly answers stays closed", async () => {
    const circuits = fresh();
    await circuits.report([{ name: "ses", ok: 0, failed: 2 }], T0, policy);
    await circuits.report([{ name: "ses", ok: 0, failed: 2 }], T0 + 61_000 + 6_000, policy);
    expect((await circuits.status(["ses"], T0 + 67_000, policy))[0]).toMatchObject({ state: "closed", failures: 2 });
    // Ten failures among a hundred answered calls: degraded, not down (each failure fails over on its own).
    await circuits.report([{ name: "twilio", ok: 100, failed: 10 }], T0, policy);
    expect((await circuits.status(["twilio"], T0, policy))[0]).toMatchObject({ state: "closed", failures: 10, successes: 100 });
  });

  it("after the cool-down lets exactly one probe through; its success closes the circuit", async () => {
    const circuits = fresh();
    await circuits.report([{ name: "ses", ok: 0, failed: 3 }], T0, policy);
    const later = T0 + 30_000;
    expect((await circuits.status(["ses"], later, policy))[0]!.state).toBe("half-open");
    const [probe] = await circuits.permit([{ name: "ses", wanted: 10 }], later, policy);
    expect(probe).toMatchObject({ name: "ses", allowed: 1, probe: expect.any(String) });
    // Another batch asking meanwhile gets nothing, and is told to ask again soon.
    expect(await circuits.permit([{ name: "ses", wanted: 10 }], later + 1_000, policy)).toEqual([{ name: "ses", allowed: 0, retryAt: later + 6_000 }]);
    expect((await circuits.status(["ses"], later + 1_000, policy))[0]!.probeInFlight).toBe(true);
    await circuits.report([{ name: "ses", ok: 1, failed: 0, probe: probe!.probe }], later + 2_000, policy);
    expect((await circuits.status(["ses"], later + 2_000, policy))[0]).toMatchObject({ state: "closed", failures: 0, openedAt: null, lastSuccessAt: later + 2_000 });
    expect(await circuits.permit([{ name: "ses", wanted: 10 }], later + 3_000, policy)).toEqual([{ name: "ses", allowed: 10 }]);
  });

  it("a failed probe opens the circuit again for another cool-down", async () => {
    const circuits = fresh();
    await circuits.report([{ name: "vonage", ok: 0, failed: 3 }], T0, policy);
    const [probe] = await circuits.permit([{ name: "vonage", wanted: 1 }], T0 + 30_000, policy);
    await circuits.report([{ name: "vonage", ok: 0, failed: 1, probe: probe!.probe }], T0 + 31_000, policy);
    expect((await circuits.status(["vonage"], T0 + 31_000, policy))[0]).toMatchObject({ state: "open", openedAt: T0 + 31_000, halfOpenAt: T0 + 61_000 });
    expect(await circuits.permit([{ name: "vonage", wanted: 1 }], T0 + 40_000, policy)).toEqual([{ name: "vonage", allowed: 0, retryAt: T0 + 61_000 }]);
  });

  it("a probe that is not used is handed back; one whose batch never reports expires with its lease", async () => {
    const circuits = fresh();
    await circuits.report([{ name: "ses", ok: 0, failed: 3 }], T0, policy);
    const [unused] = await circuits.permit([{ name: "ses", wanted: 1 }], T0 + 30_000, policy);
    await circuits.report([{ name: "ses", ok: 0, failed: 0, probe: unused!.probe }], T0 + 30_500, policy);
    const [lost] = await circuits.permit([{ name: "ses", wanted: 1 }], T0 + 31_000, policy);
    expect(lost).toMatchObject({ allowed: 1, probe: expect.any(String) });
    expect((await circuits.permit([{ name: "ses", wanted: 1 }], T0 + 50_000, policy))[0]!.allowed).toBe(0);
    // The lease (20 s here) ran out without a report: the next batch probes instead.
    const [next] = await circuits.permit([{ name: "ses", wanted: 1 }], T0 + 51_001, policy);
    expect(next).toMatchObject({ allowed: 1, probe: expect.any(String) });
    expect(next!.probe).not.toBe(lost!.probe);
    // The lost probe's late report no longer decides anything.
    await circuits.report([{ name: "ses", ok: 1, failed: 0, probe: lost!.probe }], T0 + 52_000, policy);
    expect((await circuits.status(["ses"], T0 + 52_000, policy))[0]!.state).toBe("half-open");
  });

  it("reports of calls let through before the circuit opened do not move it", async () => {
    const circuits = fresh();
    await circuits.report([{ name: "ses", ok: 0, failed: 3 }], T0, policy);
    await circuits.report([{ name: "ses", ok: 5, failed: 0 }], T0 + 1_000, policy);
    expect((await circuits.status(["ses"], T0 + 1_000, policy))[0]).toMatchObject({ state: "open", lastSuccessAt: T0 + 1_000 });
  });

  it("keeps its circuits across an eviction (SQLite storage) and bounds what it stores", async () => {
    const circuits = fresh();
    await circuits.report([{ name: "ses", ok: 0, failed: 3 }], T0, policy);
    await evictDurableObject(circuits);
    expect((await circuits.status(["ses"], T0 + 1_000, policy))[0]!.state).toBe("open");
    await circuits.report([{ name: "Not A Provider!", ok: 0, failed: 99 }, ...Array.from({ length: 40 }, (_, i) => ({ name: `p${i}`, ok: 1, failed: 0 }))], T0, policy);
    expect((await circuits.status(["Not A Provider!"], T0, policy))[0]!.state).toBe("closed");
    const stored = await circuits.status(Array.from({ length: 40 }, (_, i) => `p${i}`), T0, policy);
    expect(stored.filter((c) => c.lastSuccessAt !== null).length).toBeLessThanOrEqual(32);
  });
});

describe("circuitPolicy", () => {
  it("reads the CIRCUIT_ variables, and falls back to the defaults for anything else", () => {
    expect(circuitPolicy({ CIRCUIT_FAILURE_THRESHOLD: "3", CIRCUIT_WINDOW_SECONDS: "10", CIRCUIT_COOLDOWN_SECONDS: "5", PROVIDER_TIMEOUT_MS: "2000" })).toEqual({
      failureThreshold: 3,
      windowMs: 10_000,
      cooldownMs: 5_000,
      probeLeaseMs: 34_000,
    });
    expect(circuitPolicy({ CIRCUIT_FAILURE_THRESHOLD: "zero", CIRCUIT_WINDOW_SECONDS: "-1", CIRCUIT_COOLDOWN_SECONDS: "" })).toEqual({
      failureThreshold: 5,
      windowMs: 60_000,
      cooldownMs: 30_000,
      probeLeaseMs: 60_000,
    });
  });
});
