/**
 * Scenario files: steps a technician would do at the simulator prompt (present, hold, wait,
 * unplug…) and expectations about relay pulses. This module is the schema, the checks against a
 * sim.yaml, and the pure judging of one expectation against a recorded relay history.
 */
import { z } from "zod";
import { parseText } from "../config/dataFile.js";
import { formatPath } from "../config/errors.js";
import { LED_COLOR } from "../drivers/osdp/codes.js";
import { issueMessage, MQTT_KINDS, type SimConfig } from "./config.js";
import { HARDWARE_ACTIONS, type HardwareKind } from "./devices/doorHardware.js";
import { PD_CARD_FORMATS } from "./devices/osdpCard.js";
import { PD_FAULTS } from "./devices/osdpPd.js";
import type { RelayChange } from "./devices/relayState.js";

const Card = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);
const Ms = z.number().int().min(0).max(600_000);
const DeviceId = z.string().min(1);

/** A relay pulse expected (or ruled out) within `within` ms of the last action step. */
export const Expectation = z
  .strictObject({
    relay: DeviceId,
    channel: z.number().int().nonnegative(),
    pulse: z.boolean().default(true).describe("true: an ON then OFF happens; false: no ON happens"),
    within: Ms.default(2000),
    minMs: Ms.optional().describe("shortest acceptable pulse (ON to OFF)"),
    maxMs: Ms.optional().describe("longest acceptable pulse (ON to OFF)"),
  })
  .refine((e) => e.minMs === undefined || e.maxMs === undefined || e.minMs <= e.maxMs, {
    error: "minMs must not be greater than maxMs",
  });
export type Expectation = z.infer<typeof Expectation>;

/**
 * At one PD of an osdp-bus: exactly one of a card (`123:4567` in `format`, default H10301; hex with
 * `bits` for raw), keys, tamper, power, a fault, or dropping the secure session.
 */
export const PdAction = z
  .strictObject({
    device: DeviceId,
    address: z.number().int().min(0).max(126),
    card: Card.optional(),
    format: z.enum(PD_CARD_FORMATS).optional(),
    bits: z.number().int().min(1).max(512).optional(),
    keys: z
      .string()
      .regex(/^[0-9*#]+$/, "expected digits, * and #")
      .optional(),
    tamper: z.boolean().optional(),
    power: z.enum(["ok", "fail"]).optional(),
    fault: z.enum(PD_FAULTS).optional(),
    dropSession: z.literal(true).optional(),
  })
  .refine(
    (a) =>
      [a.card, a.keys, a.tamper, a.power, a.fault, a.dropSession].filter((v) => v !== undefined).length === 1,
    { error: "expected exactly one of card, keys, tamper, power, fault, dropSession" },
  );
export type PdAction = z.infer<typeof PdAction>;

/** What one PD of an osdp-bus is expected to show within `within` ms of the last action step. */
export const PdExpectation = z
  .strictObject({
    device: DeviceId,
    address: z.number().int().min(0).max(126),
    led: z.enum(Object.keys(LED_COLOR).map((c) => c.toLowerCase()) as [string, ...string[]]).optional(),
    beeps: z.number().int().min(0).max(255).optional(),
    text: z.string().min(1).optional(),
    output: z.number().int().min(0).max(255).optional().describe("an output that pulses (ON then OFF)"),
    within: Ms.default(2000),
  })
  .refine((e) => [e.led, e.beeps, e.text, e.output].some((v) => v !== undefined), {
    error: "expected at least one of led, beeps, text, output",
  });
export type PdExpectation = z.infer<typeof PdExpectation>;

/** One step; exactly one key per step. */
export const Step = z.union([
  z.strictObject({ present: z.strictObject({ reader: DeviceId, card: Card }) }),
  z.strictObject({ hold: z.strictObject({ reader: DeviceId, card: Card }) }),
  z.strictObject({ release: z.strictObject({ reader: DeviceId }) }),
  z.strictObject({ wait: Ms }),
  z.strictObject({ unplug: DeviceId }),
  z.strictObject({ replug: DeviceId }),
  z.strictObject({
    garbage: z.strictObject({
      device: DeviceId,
      hex: z
        .string()
        .regex(/^([0-9a-fA-F]{2}\s*)+$/, 'expected hex bytes, e.g. "ff 00 0d"')
        .optional(),
    }),
  }),
  z.strictObject({ expect: Expectation }),
  /** At a turnstile, door or fire panel: pass-in, pass-out, walk-away, open, close, rex, alarm, reset. */
  z.strictObject({ act: z.strictObject({ device: DeviceId, action: z.string().min(1) }) }),
  z.strictObject({ pd: PdAction }),
  z.strictObject({ expectPd: PdExpectation }),
]);
export type Step = z.infer<typeof Step>;

/** A scenario file. */
export const Scenario = z.strictObject({
  name: z.string().optional(),
  /** How long to wait for the gateway to connect to every serial device before the first step. */
  waitForGateway: Ms.default(10_000),
  steps: z.array(Step).min(1, "expected at least one step"),
});
export type Scenario = z.infer<typeof Scenario>;

const STEP_KEYS = [
  "present",
  "hold",
  "release",
  "wait",
  "unplug",
  "replug",
  "garbage",
  "expect",
  "act",
  "pd",
  "expectPd",
];

/** Parses and checks a scenario against the simulator's devices; every problem names file and path. */
export function checkScenario(
  file: string,
  text: string,
  config: SimConfig,
): { scenario: Scenario | null; problems: string[] } {
  const parsed = parseText(file, text);
  if (parsed.problems.length > 0) return { scenario: null, problems: parsed.problems };
  const result = Scenario.safeParse(parsed.value ?? {});
  if (!result.success)
    return {
      scenario: null,
      problems: result.error.issues.map(
        (i) => `${file}: ${formatPath(i.path) || "(top level)"}: ${stepIssue(i)}`,
      ),
    };
  const problems = referenceProblems(result.data, config).map((p) => `${file}: ${p}`);
  return { scenario: problems.length === 0 ? result.data : null, problems };
}

function stepIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_union" && issue.path.length === 2 && issue.path[0] === "steps")
    return `expected a step with one of ${STEP_KEYS.join(", ")}`;
  return issueMessage(issue);
}

const READER_KINDS = new Set(["serial-line-reader", "rdm6300", "tasmota", "esp-rfid", "mqtt-json-reader"]);
const RELAY_KINDS = new Set(["lcus-board", "modbus-board", "tasmota", "shelly-gen2", "shelly-gen1"]);
const HOLD_KINDS = new Set(["rdm6300"]);
const HARDWARE_KINDS = new Set<string>(["turnstile", "door", "fire-panel"]);

/** Steps naming devices the sim.yaml does not have, or of the wrong kind. */
function referenceProblems(scenario: Scenario, config: SimConfig): string[] {
  const kinds = new Map(config.devices.map((d) => [d.id, d.kind]));
  const list = (want: Set<string>) =>
    config.devices
      .filter((d) => want.has(d.kind))
      .map((d) => d.id)
      .join(", ") || "none";
  const problems: string[] = [];
  const need = (path: string, id: string, want: Set<string> | null, what: string) => {
    const kind = kinds.get(id);
    if (kind === undefined)
      problems.push(`${path}: unknown device "${id}" (the simulator has: ${[...kinds.keys()].join(", ")})`);
    else if (want !== null && !want.has(kind))
      problems.push(`${path}: "${id}" is a ${kind}, not ${what} (${list(want)})`);
  };
  scenario.steps.forEach((step, i) => {
    const at = `steps[${i}]`;
    if ("present" in step) need(`${at}.present.reader`, step.present.reader, READER_KINDS, "a reader");
    else if ("hold" in step)
      need(`${at}.hold.reader`, step.hold.reader, HOLD_KINDS, "a reader that can hold a card");
    else if ("release" in step)
      need(`${at}.release.reader`, step.release.reader, HOLD_KINDS, "a reader that can hold a card");
    else if ("unplug" in step) need(`${at}.unplug`, step.unplug, null, "");
    else if ("replug" in step) need(`${at}.replug`, step.replug, null, "");
    else if ("garbage" in step) {
      const kind = kinds.get(step.garbage.device);
      need(`${at}.garbage.device`, step.garbage.device, null, "");
      if (kind !== undefined && MQTT_KINDS.has(kind))
        problems.push(`${at}.garbage.device: garbage needs a serial device`);
    } else if ("expect" in step) need(`${at}.expect.relay`, step.expect.relay, RELAY_KINDS, "a relay board");
    else if ("pd" in step) problems.push(...pdProblems(`${at}.pd`, step.pd, config));
    else if ("expectPd" in step) problems.push(...pdProblems(`${at}.expectPd`, step.expectPd, config));
    else if ("act" in step) {
      need(`${at}.act.device`, step.act.device, HARDWARE_KINDS, "door hardware");
      const kind = kinds.get(step.act.device) as HardwareKind | undefined;
      if (kind !== undefined && HARDWARE_KINDS.has(kind) && !HARDWARE_ACTIONS[kind].includes(step.act.action))
        problems.push(
          `${at}.act.action: a ${kind} cannot "${step.act.action}" (it can: ${HARDWARE_ACTIONS[kind].join(", ")})`,
        );
    }
  });
  return problems;
}

/** A PD step's bus must be an osdp-bus of the sim.yaml with a PD at that address. */
function pdProblems(at: string, step: { device: string; address: number }, config: SimConfig): string[] {
  const buses = config.devices.filter((d) => d.kind === "osdp-bus");
  const bus = buses.find((d) => d.id === step.device);
  if (bus === undefined)
    return [
      `${at}.device: "${step.device}" is not an osdp-bus (${buses.map((d) => d.id).join(", ") || "none"})`,
    ];
  if (!bus.pds.some((p) => p.address === step.address))
    return [
      `${at}.address: ${step.device} has no PD at ${step.address} (it has: ${bus.pds.map((p) => p.address).join(", ")})`,
    ];
  return [];
}

/** The outcome of one expectation so far: decided (pass/fail) or still pending. */
export interface Verdict {
  status: "pass" | "fail" | "pending";
  /** What was seen on the channel since the mark, e.g. "ON +35 ms, OFF +1036 ms (held 1001 ms)". */
  seen: string;
}

/** Describes the expectation, e.g. "board-1 ch1 pulse 900..1100 ms within 2000 ms". */
export function describeExpectation(e: Expectation): string {
  const bounds =
    e.minMs !== undefined && e.maxMs !== undefined
      ? ` ${e.minMs}..${e.maxMs} ms`
      : e.minMs !== undefined
        ? ` of at least ${e.minMs} ms`
        : e.maxMs !== undefined
          ? ` of at most ${e.maxMs} ms`
          : "";
  return `${e.relay} ch${e.channel} ${e.pulse ? `pulse${bounds}` : "no pulse"} within ${e.within} ms`;
}

/**
 * Judges `e` against the relay history of its board at `now`, counting from `mark` (when the
 * last action step ran). A pulse is an ON inside the window followed by an OFF inside it; with
 * minMs/maxMs any pulse of the right length passes. `pulse: false` fails on any ON in the window
 * and passes once the window is over.
 */
export function judge(e: Expectation, history: readonly RelayChange[], mark: number, now: number): Verdict {
  const end = mark + e.within;
  const inWindow = history.filter((c) => c.channel === e.channel && c.at >= mark && c.at <= end);
  const seen = describeChanges(inWindow, mark);
  const over = now >= end;
  if (!e.pulse) {
    if (inWindow.some((c) => c.on)) return { status: "fail", seen };
    return { status: over ? "pass" : "pending", seen };
  }
  for (const [i, c] of inWindow.entries()) {
    if (!c.on) continue;
    const off = inWindow.slice(i + 1).find((o) => !o.on);
    if (off === undefined) break;
    const held = off.at - c.at;
    if ((e.minMs === undefined || held >= e.minMs) && (e.maxMs === undefined || held <= e.maxMs))
      return { status: "pass", seen };
  }
  return { status: over ? "fail" : "pending", seen };
}

/** "ON +35 ms, OFF +1036 ms (held 1001 ms)", or "nothing" for an empty list. */
export function describeChanges(changes: readonly RelayChange[], mark: number): string {
  if (changes.length === 0) return "nothing";
  let onAt: number | undefined;
  const parts = changes.map((c) => {
    const text = `${c.on ? "ON" : "OFF"} +${c.at - mark} ms`;
    if (c.on) {
      onAt = c.at;
      return text;
    }
    const held = onAt === undefined ? "" : ` (held ${c.at - onAt} ms)`;
    onAt = undefined;
    return text + held;
  });
  const last = changes.at(-1);
  return parts.join(", ") + (last?.on ? ", then still on" : "");
}

/** "ff 00 0d" or "ff000d" as bytes; throws on anything else. */
export function parseHexBytes(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || !/^([0-9a-fA-F]{2})+$/.test(compact))
    throw new Error(`"${text}" is not hex bytes (expected pairs of hex digits, e.g. "ff 00 0d")`);
  return Uint8Array.from(Buffer.from(compact, "hex"));
}
