/**
 * Moving one PD to a new address and/or speed (`accessgw osdp comset`): COMSET goes out at the
 * settings the PD has now, under the secure channel as the reader's configuration has it; the PD
 * answers COM from its old address and takes the new settings after. Nothing is trusted on the
 * PD's word alone: the port is closed and opened again at the new speed, and the PD must answer
 * (ID, then its secure channel) at the new address before the move counts as done.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { TransportFactory } from "../transport/transport.js";
import { type CommandResult, type CpTimings, OsdpCommandError } from "./cpTypes.js";
import { OsdpPort } from "./osdpPort.js";
import { whenPdReady } from "./pdReady.js";
import type { RandomSource } from "./secureHandshake.js";

/** Why a comset did not happen, or is not known to have happened. */
export type ComsetErrorCode =
  /** No answer at the current settings: nothing was sent. */
  | "COMSET_OFFLINE"
  /** The PD answered but its secure channel did not come up: nothing was sent. */
  | "COMSET_NOT_SECURED"
  /** The PD answered COMSET with a NAK: it keeps its settings. */
  | "COMSET_REFUSED"
  /** The PD's COM names other settings than those asked for. */
  | "COMSET_DIFFERENT"
  /** COMSET went out but the PD does not answer at the new settings. */
  | "COMSET_UNVERIFIED";

/** A comset's failure: a code and what the technician should know. */
export class ComsetError extends Error {
  readonly code: ComsetErrorCode;
  constructor(code: ComsetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ComsetError";
    this.code = code;
  }
}

/** An address and speed on a bus. */
export interface ComSettings {
  address: number;
  baudRate: number;
}

/** What a comset is handed: where the PD is now, where it goes, its channel, the usual dependencies. */
export interface ComsetOptions {
  target: string;
  /** The settings the configuration gives the PD today. */
  from: ComSettings;
  to: ComSettings;
  secureChannel: "required" | "off";
  /** The reader's SCBK, or null for install mode (SCBK-D); unused when the channel is off. */
  scbk: Uint8Array | null;
  factory: TransportFactory;
  logger: Logger;
  scheduler: Scheduler;
  now: () => number;
  random: RandomSource;
  /** How long the PD has to answer (with its channel up) at each settings (default 10 s). */
  readyWithinMs?: number;
  /** The control panel's timings (OSDP's by default). */
  timings?: Partial<CpTimings>;
}

/** What was done: the PD answered at `to`; `confirmed` is false when its COM was lost on the way. */
export interface ComsetOutcome {
  from: ComSettings;
  to: ComSettings;
  /** Whether the PD answered COMSET with COM (false: no COM came, but it answers at `to`). */
  confirmed: boolean;
}

/** Sends COMSET to the PD at `from` and checks that it answers at `to`. */
export async function changeComSettings(options: ComsetOptions): Promise<ComsetOutcome> {
  const { from, to } = options;
  const answer = await sendComset(options);
  if (answer.kind === "com" && (answer.address !== to.address || answer.baudRate !== to.baudRate))
    throw new ComsetError(
      "COMSET_DIFFERENT",
      `the PD answered COMSET with ${settings(answer)}, not the ${settings(to)} asked for: it listens there now (put those in the configuration, or run comset again from them)`,
    );
  const ready = await openAt(options, to);
  if (ready) return { from, to, confirmed: answer.kind === "com" };
  const heard =
    answer.kind === "com"
      ? "the PD confirmed COMSET (COM)"
      : answer.kind === "ack"
        ? "the PD answered COMSET with ACK instead of COM"
        : `COMSET got no answer (${answer.why})`;
  throw new ComsetError(
    "COMSET_UNVERIFIED",
    `${heard} but does not answer at ${settings(to)}${options.secureChannel === "required" ? " with its secure channel" : ""}; it may still be at ${settings(from)}: check with the configuration at either`,
  );
}

/** COMSET at the current settings: the PD's answer, or why none came; NAK and a silent PD throw. */
async function sendComset(options: ComsetOptions): Promise<CommandResult | { kind: "none"; why: string }> {
  const { from, to } = options;
  const port = portAt(options, from);
  port.start();
  try {
    const ready = await whenPdReady(port.bus, from.address, options.scheduler, withinMs(options));
    if (!ready.ok && ready.why === "offline")
      throw new ComsetError(
        "COMSET_OFFLINE",
        `no answer from PD ${from.address} on ${options.target} at ${from.baudRate} baud: check the wiring and that the configuration has the PD's address and speed today; nothing was sent`,
      );
    if (!ready.ok)
      throw new ComsetError(
        "COMSET_NOT_SECURED",
        `PD ${from.address} did not set up the secure channel${ready.reason ? ` (${ready.reason})` : ""}: nothing was sent (run accessgw osdp keyset first, or check the reader's key file)`,
      );
    try {
      return await port.bus.send(from.address, { kind: "comset", ...to });
    } catch (err) {
      if (err instanceof OsdpCommandError && err.code === "OSDP_OFFLINE")
        // The PD may have moved and its COM been lost: the check at the new settings tells.
        return { kind: "none", why: err.message };
      const why = err instanceof Error ? err.message : String(err);
      throw new ComsetError("COMSET_REFUSED", `the PD refused COMSET (${why}); it keeps ${settings(from)}`, {
        cause: err,
      });
    }
  } finally {
    await port.stop();
  }
}

/** Whether the PD answers at `at`, on a port opened afresh at that speed. */
async function openAt(options: ComsetOptions, at: ComSettings): Promise<boolean> {
  const port = portAt(options, at);
  port.start();
  try {
    return (await whenPdReady(port.bus, at.address, options.scheduler, withinMs(options))).ok;
  } finally {
    await port.stop();
  }
}

function portAt(options: ComsetOptions, at: ComSettings): OsdpPort {
  const { secureChannel, scbk } = options;
  return new OsdpPort({
    ...options,
    baudRate: at.baudRate,
    pds: [{ address: at.address, secureChannel, scbk: secureChannel === "off" ? null : scbk }],
  });
}

function withinMs(options: ComsetOptions): number {
  return options.readyWithinMs ?? 10_000;
}

/** "address 5 at 19200 baud". */
export function settings(s: ComSettings): string {
  return `address ${s.address} at ${s.baudRate} baud`;
}
