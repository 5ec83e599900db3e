/**
 * The control panel's vocabulary: its timings (docs/osdp.md, "How the gateway talks to readers"),
 * the events it reports, the commands the gateway queues and the typed error their promises reject
 * with. Card bits out, commands in: nothing here knows about members.
 */
import type { OsdpCommand } from "./commands.js";
import type { Capability, PdIdentity } from "./replies.js";

/** How long the control panel waits and how often it tries, in ms. */
export interface CpTimings {
  /** A reply must begin within this (OSDP: 200 ms); then the same packet is sent again. */
  replyTimeoutMs: number;
  /** Without a valid reply for this long the PD is offline (OSDP: 8 s). */
  offlineAfterMs: number;
  /** An offline PD is tried this often (2 s; OSDP allows up to 10 s). */
  offlineRetryMs: number;
  /** A PD with nothing queued is polled this often. */
  pollIntervalMs: number;
  /** A PD that answered BUSY is asked again after this. */
  busyRetryMs: number;
  /** A secure channel that failed (wrong key, refused) is tried again after this. */
  handshakeRetryMs: number;
}

/** The timings the gateway uses. */
export const defaultTimings: Readonly<CpTimings> = {
  replyTimeoutMs: 200,
  offlineAfterMs: 8_000,
  offlineRetryMs: 2_000,
  pollIntervalMs: 50,
  busyRetryMs: 50,
  handshakeRetryMs: 10_000,
};

/**
 * The secure channel as the gateway sees it: `off` by configuration, `none` before it is set up,
 * `handshake` while it is, `established` with the reader's SCBK, `install` with SCBK-D, `failed`
 * when the PD refused or could not set it up (the reason says why).
 */
export const SECURE_STATES = ["off", "none", "handshake", "established", "install", "failed"] as const;

/** One of {@link SECURE_STATES}. */
export type SecureState = (typeof SECURE_STATES)[number];

/** What the gateway knows of a PD's capabilities (PDCAP), with the records as the PD sent them. */
export interface PdCapabilities {
  records: Capability[];
  /** A text display (READER_TEXT with a compliance above 0). */
  display: boolean;
  /** How many outputs OUT can switch. */
  outputs: number;
  /** LEDs per reader. */
  leds: number;
  buzzer: boolean;
  /** The largest packet the PD takes, in bytes, when it says. */
  receiveBuffer: number | undefined;
}

/** One PD's state, as `status` reports it. */
export interface PdStatus {
  address: number;
  online: boolean;
  secureChannel: SecureState;
  /** Why the secure channel is `failed` or was dropped last, when it was. */
  reason?: string;
  tamper: boolean;
  /** True when the PD reports a power failure. */
  powerFailure: boolean;
}

/** A card read (RAW): the bits as the PD sent them; the gateway turns them into a card number. */
export interface CardEvent {
  address: number;
  reader: number;
  /** RAW format byte: 1 Wiegand, 0 unspecified. */
  format: number;
  bitCount: number;
  data: Uint8Array;
}

/** Keys typed on a PD's keypad: digits, `*` and `#`. */
export interface KeypadEvent {
  address: number;
  reader: number;
  digits: string;
}

/** Something a PD sent that was dropped, and why (never silently). */
export interface RejectedEvent {
  address: number;
  /** What was dropped: "card", "reply", "packet"… */
  what: string;
  /** A secure channel failure code, a NAK name or a codec error. */
  code: string;
  message: string;
}

/** What a PD's state machine reports. */
export type PdEvent =
  | ({ kind: "card" } & CardEvent)
  | ({ kind: "keypad" } & KeypadEvent)
  | ({ kind: "status" } & PdStatus)
  | ({ kind: "rejected" } & RejectedEvent)
  /** ID and CAP answered: who the PD is and what it can do (display, outputs, receive buffer…). */
  | { kind: "capabilities"; address: number; identity: PdIdentity | null; capabilities: PdCapabilities }
  /** The PD went offline after its COM said it took other settings (it is still polled as configured). */
  | { kind: "moved"; address: number; to: { address: number; baudRate: number } };

/** The commands the gateway queues for a PD: the codec's, KEYSET always with a secure channel base key. */
export type PdCommand =
  | Extract<OsdpCommand, { kind: "led" | "buz" | "text" | "out" | "comset" }>
  | { kind: "keyset"; key: Uint8Array };

/** How a command ended well: ACK, or COM for COMSET (the settings the PD takes). */
export type CommandResult = { kind: "ack" } | { kind: "com"; address: number; baudRate: number };

/** Why a command did not go through. */
export type OsdpCommandErrorCode =
  /** The PD refused it (`nak` names the code). */
  | "OSDP_NAK"
  /** The PD said it does not know the command; it is not sent to that PD again. */
  | "OSDP_UNSUPPORTED"
  /** The PD went offline (8 s without a reply) before it answered, or was offline. */
  | "OSDP_OFFLINE"
  /** The secure channel is required and not up, so the command is not sent in clear. */
  | "OSDP_NOT_SECURED"
  /** The command does not fit the PD (its receive buffer, its outputs) or the state (KEYSET). */
  | "OSDP_INVALID"
  /** The bus was stopped. */
  | "OSDP_STOPPED";

/** A command's failure: a code, the PD's address, and the NAK or secure channel code when there is one. */
export class OsdpCommandError extends Error {
  readonly code: OsdpCommandErrorCode;
  readonly address: number;
  readonly detail: string | undefined;
  constructor(code: OsdpCommandErrorCode, address: number, message: string, detail?: string) {
    super(`OSDP PD ${address}: ${message}`);
    this.name = "OsdpCommandError";
    this.code = code;
    this.address = address;
    this.detail = detail;
  }
}

/** Per-PD counts, for status and troubleshooting. */
export interface PdCounters {
  sent: number;
  replies: number;
  /** Bytes of the packets this PD sent while it had the bus (stale replies included). */
  bytes: number;
  timeouts: number;
  resends: number;
  busy: number;
  naks: number;
  rejected: number;
  staleReplies: number;
  wentOffline: number;
  handshakes: number;
}
