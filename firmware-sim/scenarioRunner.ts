/**
 * Runs a checked scenario against a started Simulator (and the live gateway connected to it):
 * one report line per step, ✓ or ✗, saying what was expected and what was seen.
 */
import type { Scheduler } from "../runtime/scheduler.js";
import type { RelaySide } from "./deviceKinds.js";
import type { OsdpPd } from "./devices/osdpPd.js";
import { shownText } from "./devices/readerDisplay.js";
import { applyPdAction, describePdExpectation, judgePd } from "./pdScenario.js";
import {
  describeExpectation,
  type Expectation,
  judge,
  type PdExpectation,
  parseHexBytes,
  type Scenario,
  type Step,
  type Verdict,
} from "./scenario.js";
import type { ReaderShownEvent, Simulator } from "./simulator.js";

/** What runScenario is handed. */
export interface ScenarioRunOptions {
  clock: () => number;
  scheduler: Scheduler;
  /** Receives each report line as soon as it is known. */
  print: (line: string) => void;
}

/** The outcome of a run. */
export interface ScenarioResult {
  passed: boolean;
  expectations: number;
  failed: number;
  lines: string[];
}

/** Runs every step in order; resolves with whether every expectation held. */
export async function runScenario(
  scenario: Scenario,
  sim: Simulator,
  options: ScenarioRunOptions,
): Promise<ScenarioResult> {
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    options.print(line);
  };
  const sleep = (ms: number) => new Promise<void>((r) => options.scheduler.setTimeout(r, ms));
  const missing = await waitForGateway(sim, scenario.waitForGateway, options.clock, sleep);
  if (missing.length > 0) {
    print(`✗ the gateway did not connect within ${scenario.waitForGateway} ms to: ${missing.join(", ")}`);
    return { passed: false, expectations: 0, failed: 1, lines };
  }
  if (scenario.name !== undefined) print(`scenario: ${scenario.name}`);

  // D6: what the readers show while the scenario runs, each under the step that caused it.
  const offReader = sim.on("reader", (e) => print(`     ${readerShown(e)}`));
  try {
    return await runSteps(scenario, sim, options, { lines, print, sleep });
  } finally {
    offReader();
  }
}

/** `pool-in display "Piscina apre alle 08:00"`, `gym-in buzzer 3 beeps`. */
function readerShown(e: ReaderShownEvent): string {
  return `${e.deviceId} ${shownText(e)}`;
}

/** The steps in order, and the summary line. */
async function runSteps(
  scenario: Scenario,
  sim: Simulator,
  options: ScenarioRunOptions,
  out: { lines: string[]; print: (line: string) => void; sleep: (ms: number) => Promise<void> },
): Promise<ScenarioResult> {
  const { lines, print, sleep } = out;
  let failed = 0;
  let expectations = 0;
  let mark = options.clock();
  for (const [i, step] of scenario.steps.entries()) {
    const n = `${String(i + 1).padStart(2)}.`;
    if ("wait" in step) {
      await sleep(step.wait);
      print(`✓ ${n} wait ${step.wait} ms`);
      continue;
    }
    if ("expectPd" in step) {
      expectations += 1;
      const e = step.expectPd;
      const verdict = await settlePd(e, sim.pd(e.device, e.address), mark, options);
      const ok = verdict.status === "pass";
      if (!ok) failed += 1;
      print(`${ok ? "✓" : "✗"} ${n} expect ${describePdExpectation(e)}: seen ${verdict.seen}`);
      continue;
    }
    if ("expect" in step) {
      expectations += 1;
      const relays = sim.device(step.expect.relay).relays;
      if (relays === undefined) {
        failed += 1;
        print(`✗ ${n} expect ${describeExpectation(step.expect)}: ${step.expect.relay} has no relays`);
        continue;
      }
      const verdict = await settle(step.expect, relays, mark, options, sleep);
      const ok = verdict.status === "pass";
      if (!ok) failed += 1;
      print(`${ok ? "✓" : "✗"} ${n} expect ${describeExpectation(step.expect)}: seen ${verdict.seen}`);
      continue;
    }
    // An action: expectations that follow count from here.
    mark = options.clock();
    const outcome = await act(sim, step);
    if (!outcome.ok) failed += 1;
    print(`${outcome.ok ? "✓" : "✗"} ${n} ${outcome.text}`);
  }
  const summary =
    failed === 0
      ? `passed: ${expectations} expectation${expectations === 1 ? "" : "s"} held`
      : `FAILED: ${failed} of ${scenario.steps.length} steps`;
  print(summary);
  return { passed: failed === 0, expectations, failed, lines };
}

/** Ids of serial devices the gateway has not connected to by the deadline (empty: all connected). */
async function waitForGateway(
  sim: Simulator,
  timeoutMs: number,
  clock: () => number,
  sleep: (ms: number) => Promise<void>,
): Promise<string[]> {
  const deadline = clock() + timeoutMs;
  for (;;) {
    const missing = sim
      .list()
      .filter((d) => d.connected === false)
      .map((d) => `${d.id} (${d.where})`);
    if (missing.length === 0 || clock() >= deadline) return missing;
    await sleep(50);
  }
}

/** Re-judges on every relay change until the verdict is decided or the window is over. */
async function settle(
  e: Expectation,
  relays: RelaySide,
  mark: number,
  options: ScenarioRunOptions,
  sleep: (ms: number) => Promise<void>,
): Promise<Verdict> {
  for (;;) {
    const now = options.clock();
    const verdict = judge(e, relays.history, mark, now);
    if (verdict.status !== "pending") return verdict;
    const left = Math.max(1, mark + e.within - now);
    await new Promise<void>((resolve) => {
      let timer: unknown;
      const off = relays.on("change", () => {
        off();
        options.scheduler.clearTimeout(timer);
        resolve();
      });
      timer = options.scheduler.setTimeout(() => {
        off();
        resolve();
      }, left);
    });
    // A change at the very end may be stamped a hair later than the timer fired: look once more.
    if (options.clock() < mark + e.within) continue;
    await sleep(0);
    const last = judge(e, relays.history, mark, Number.POSITIVE_INFINITY);
    return last;
  }
}

/** Re-judges a PD expectation on everything the PD shows until it is decided or the window is over. */
async function settlePd(
  e: PdExpectation,
  pd: OsdpPd,
  mark: number,
  options: ScenarioRunOptions,
): Promise<Verdict> {
  const verdictAt = (now: number) =>
    judgePd(e, pd.panel.display.history, pd.panel.outputs.history, mark, now);
  for (;;) {
    const now = options.clock();
    const verdict = verdictAt(now);
    if (verdict.status !== "pending") return verdict;
    await new Promise<void>((resolve) => {
      const offs = [pd.panel.display.on("shown", () => done()), pd.panel.outputs.on("change", () => done())];
      const timer = options.scheduler.setTimeout(() => done(), Math.max(1, mark + e.within - now));
      function done() {
        for (const off of offs) off();
        options.scheduler.clearTimeout(timer);
        resolve();
      }
    });
  }
}

/** Runs one action step; not ok when it threw or its bytes did not go out on a fault-free device. */
async function act(sim: Simulator, step: Step): Promise<{ ok: boolean; text: string }> {
  const sent = (id: string, went: boolean, what: string) => {
    if (went) return { ok: true, text: what };
    const faulty = (sim.config.devices.find((d) => d.id === id)?.faults.length ?? 0) > 0;
    const why = faulty
      ? "not sent (lost to a configured fault)"
      : "NOT SENT (unplugged or the gateway is not connected)";
    return { ok: faulty, text: `${what}: ${why}` };
  };
  try {
    if ("present" in step) {
      const { reader, card } = step.present;
      return sent(reader, sim.present(reader, card), `present ${card} at ${reader}`);
    }
    if ("hold" in step) {
      sim.hold(step.hold.reader, step.hold.card);
      return { ok: true, text: `hold ${step.hold.card} at ${step.hold.reader}` };
    }
    if ("release" in step) {
      sim.release(step.release.reader);
      return { ok: true, text: `release ${step.release.reader}` };
    }
    if ("unplug" in step) {
      await sim.unplug(step.unplug);
      return { ok: true, text: `unplug ${step.unplug}` };
    }
    if ("replug" in step) {
      await sim.replug(step.replug);
      return { ok: true, text: `replug ${step.replug}` };
    }
    if ("garbage" in step) {
      const { device, hex } = step.garbage;
      const r = sim.garbage(device, hex === undefined ? undefined : parseHexBytes(hex));
      return sent(device, r.sent, `garbage ${Buffer.from(r.bytes).toString("hex")} at ${device}`);
    }
    if ("pd" in step) {
      return { ok: true, text: applyPdAction(sim.pd(step.pd.device, step.pd.address), step.pd) };
    }
    if ("act" in step) {
      const { device, action } = step.act;
      const what = sim.act(device, action);
      return { ok: !what.includes("not sent"), text: `${device} ${action}: ${what}` };
    }
    return { ok: false, text: `unknown step ${JSON.stringify(step)}` };
  } catch (err) {
    return { ok: false, text: `${Object.keys(step)[0]}: ${(err as Error).message}` };
  }
}
