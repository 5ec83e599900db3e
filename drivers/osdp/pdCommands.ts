/**
 * A PD's command queue: what the gateway asked for, encoded up front (a value that cannot be sent
 * fails at once, not later on the bus), each with the promise its caller waits on. The state
 * machine sends the head when it is the PD's turn and settles it on ACK, NAK or going offline.
 */
import { KEY_TYPE } from "./codes.js";
import { type EncodedPayload, encodeCommand } from "./commands.js";
import {
  type CommandResult,
  OsdpCommandError,
  type OsdpCommandErrorCode,
  type PdCapabilities,
  type PdCommand,
} from "./cpTypes.js";

/** What a secured packet adds to a command's data at most: header, block, code, MAC, CRC, padding. */
const SECURE_OVERHEAD = 5 + 2 + 1 + 4 + 2 + 16;

/** What the reader shows the member: a door's OUT goes ahead of these when they still wait. */
const FEEDBACK: ReadonlySet<PdCommand["kind"]> = new Set(["led", "buz", "text"]);

/** What decides whether a PD takes commands now. */
export interface PdState {
  stopped: boolean;
  online: boolean;
  channelRequired: boolean;
  channelFailed: boolean;
  channelReason: string | undefined;
}

/** One queued command and its caller's promise. */
export interface QueuedCommand {
  command: PdCommand;
  payload: EncodedPayload;
  /** How often it was sent into a dropped secure channel (it is sent again once, then refused). */
  requeued: number;
  resolve(result: CommandResult): void;
  reject(err: OsdpCommandError): void;
}

/** The commands waiting for one PD, oldest first. */
export class CommandQueue {
  private readonly items: QueuedCommand[] = [];
  private readonly address: number;
  private readonly unsupported = new Set<string>();

  constructor(address: number) {
    this.address = address;
  }

  /** How many commands wait. */
  get length(): number {
    return this.items.length;
  }

  /** Never sends `kind` to this PD again: it said it does not know the command (NAK unknown_command). */
  markUnsupported(kind: PdCommand["kind"]): void {
    this.unsupported.add(kind);
  }

  /** Encodes and queues a command; the promise settles when the PD answers it (or cannot). */
  add(command: PdCommand, capabilities: PdCapabilities | null, state: PdState): Promise<CommandResult> {
    const refused = this.refusal(command, state);
    if (refused) return Promise.reject(refused);
    return new Promise((resolve, reject) => {
      let payload: EncodedPayload;
      try {
        payload = encodeCommand(toWire(command));
      } catch (err) {
        reject(this.error("OSDP_INVALID", `${command.kind}: ${(err as Error).message}`));
        return;
      }
      const misfit = misfitFor(command, payload, capabilities);
      if (misfit) {
        reject(this.error("OSDP_INVALID", misfit));
        return;
      }
      const item = { command, payload, requeued: 0, resolve, reject };
      if (command.kind !== "out") {
        this.items.push(item);
        return;
      }
      // The door first: a grant's LED and beep are queued the moment its pulse is asked for, and
      // on a shared bus each waits its turn. OUTs keep their order among themselves.
      let at = this.items.length;
      while (at > 0 && FEEDBACK.has((this.items[at - 1] as QueuedCommand).command.kind)) at--;
      this.items.splice(at, 0, item);
    });
  }

  /** The next command, taken off the queue. */
  take(): QueuedCommand | undefined {
    return this.items.shift();
  }

  /** Puts a command that was sent into a channel that then dropped back at the head of the queue. */
  putBack(item: QueuedCommand): void {
    this.items.unshift(item);
  }

  /** Rejects every waiting command with the same reason. */
  rejectAll(code: OsdpCommandErrorCode, message: string): void {
    for (const item of this.items.splice(0)) item.reject(this.error(code, message));
  }

  /** Why the PD cannot take the command now, or null when it can. */
  private refusal(command: PdCommand, state: PdState): OsdpCommandError | null {
    const name = command.kind.toUpperCase();
    if (state.stopped) return this.error("OSDP_STOPPED", "the bus stopped");
    if (!state.online) return this.error("OSDP_OFFLINE", "the PD is offline");
    if (this.unsupported.has(command.kind))
      return this.error("OSDP_UNSUPPORTED", `the PD does not support ${name}`);
    // Never in clear what must be secured: no channel where it is required, no KEYSET without one.
    if (state.channelRequired && state.channelFailed)
      return this.error("OSDP_NOT_SECURED", `no secure channel: ${state.channelReason}`);
    if (command.kind === "keyset" && !state.channelRequired)
      return this.error("OSDP_NOT_SECURED", "KEYSET is only ever sent under the secure channel");
    return null;
  }

  /** A typed error about this PD. */
  error(code: OsdpCommandErrorCode, message: string, detail?: string): OsdpCommandError {
    return new OsdpCommandError(code, this.address, message, detail);
  }
}

/** The codec's form of a gateway command (KEYSET always sets the secure channel base key). */
function toWire(command: PdCommand): Parameters<typeof encodeCommand>[0] {
  if (command.kind === "keyset") return { kind: "keyset", keyType: KEY_TYPE.SCBK, key: command.key };
  return command;
}

/** Why a command cannot work on this PD, by what its PDCAP said; null when it can. */
function misfitFor(command: PdCommand, payload: EncodedPayload, caps: PdCapabilities | null): string | null {
  if (command.kind === "keyset" && command.key.length !== 16)
    return `KEYSET needs a 16-byte key, found ${command.key.length} bytes`;
  if (caps === null) return null;
  const size = payload.data.length + SECURE_OVERHEAD;
  if (caps.receiveBuffer !== undefined && caps.receiveBuffer > 0 && size > caps.receiveBuffer)
    return `${command.kind} needs up to ${size} bytes, the PD's receive buffer holds ${caps.receiveBuffer}`;
  if (command.kind === "out" && caps.outputs > 0) {
    const beyond = command.outputs.find((o) => o.output >= caps.outputs);
    if (beyond)
      return `output ${beyond.output} does not exist: the PD reports ${caps.outputs} (numbered from 0)`;
  }
  if (command.kind === "text" && !caps.display) return "TEXT to a PD that reports no display";
  return null;
}
