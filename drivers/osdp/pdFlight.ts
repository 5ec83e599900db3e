/**
 * The words of one PD's state machine (pdMachine.ts): what it is handed, the steps of its
 * conversation with the PD, and the packet it has on the wire — kept here so the machine's file
 * holds only its transitions.
 */
import type { CpTimings, PdEvent } from "./cpTypes.js";
import type { NakedPacket } from "./nakPolicy.js";
import type { QueuedCommand } from "./pdCommands.js";
import type { RandomSource } from "./secureHandshake.js";

/** What one PD's machine is handed. */
export interface PdMachineOptions {
  address: number;
  /** `required` (the configuration's default) or `off`. */
  secureChannel: "required" | "off";
  /** The reader's SCBK; null: install mode (SCBK-D) until KEYSET gives it one. */
  scbk: Uint8Array | null;
  random: RandomSource;
  timings: CpTimings;
  emit(event: PdEvent): void;
}

/** Where the conversation with the PD stands. */
export type Step = "id" | "cap" | "chlng" | "scrypt" | "poll";

/** The packet on the wire: what it was for, its bytes (to send again as they are) and its number. */
export interface Flight {
  what: Step | "command";
  item?: QueuedCommand;
  bytes: Uint8Array;
  sequence: number;
}

/** What a NAK answered, in the NAK policy's terms. */
export function nakedPacket(what: Flight["what"]): NakedPacket {
  if (what === "id" || what === "cap") return "setup";
  return what === "chlng" || what === "scrypt" ? "handshake" : what;
}
