/**
 * What every card reader driver offers the gateway: typed `card`, `keypad`, `rejected` and `state` events,
 * start()/stop(), and counters. Drivers know nothing about members, rules or debounce (R17).
 */
import type { HealthState } from "../transport/reconnecting.js";
import type { OsdpReaderDetails } from "./osdpReader.js";

/** A card presented at a reader; `card` is already converted per the reader's `cardNumber` mode. */
export interface CardEvent {
  readerId: string;
  card: string;
  /** When the read was decoded (ms, from the injected clock). */
  at: number;
}

/** R21: keys pressed on a reader's keypad, already normalised to `0-9`, `*` and `#` (keypad.ts). */
export interface KeypadEvent {
  readerId: string;
  /** One or more keys, in the order pressed. */
  keys: string;
  /** When the keys arrived (ms, from the injected clock). */
  at: number;
}

/**
 * Why a read was dropped: a codec error code (`bad_parity`: the device reported a Wiegand parity
 * error), "unsupported" when `cardNumber` cannot express it, or "not_secured": an OSDP PD sent it
 * in clear while its reader requires the secure channel.
 */
export type ReaderRejectCode =
  | "empty"
  | "too_long"
  | "bad_characters"
  | "bad_format"
  | "bad_parity"
  | "bad_checksum"
  | "zero_tag"
  | "bad_frame"
  | "unsupported"
  | "not_secured";

/** A read (line or frame) the driver dropped, with a readable detail. */
export interface RejectedEvent {
  readerId: string;
  error: ReaderRejectCode;
  detail: string;
}

/** The health of the reader's transport and why it is in that state. */
export interface ReaderStateEvent {
  readerId: string;
  state: HealthState;
  /** When this state began (ms, from the injected clock). */
  since: number;
  /** Why it is not open (the last open failure or disconnect); undefined while open. */
  reason: string | undefined;
  /** Open attempts since it was last open. */
  attempts: number;
  /** When waiting: the delay before the next attempt, in ms. */
  retryInMs?: number;
}

/** What a reader driver reports. */
export interface ReaderEvents {
  card: (event: CardEvent) => void;
  /** R21: keypad keys; only drivers in KEYPAD_READER_DRIVERS (config/readerPin.ts) emit them. */
  keypad: (event: KeypadEvent) => void;
  rejected: (event: RejectedEvent) => void;
  state: (event: ReaderStateEvent) => void;
}

/** Running totals of one reader. */
export interface ReaderCounters {
  /** Card events emitted. */
  cards: number;
  /** R21: keypad events emitted (drivers with a keypad). */
  keypads?: number;
  /** Dropped reads by error code. */
  rejected: Partial<Record<ReaderRejectCode, number>>;
  /** Bytes received from the transport. */
  bytes: number;
  /** Times the transport opened again after having been open before. */
  reconnects: number;
  /** D6: feedback the device did not take (drivers whose device answers). */
  feedbackFailures?: number;
}

/**
 * doors.md D6: what the gateway tells a reader right after a decision or an undo. Drivers know
 * nothing about members: they get the outcome and the words to show, already in the member's language.
 */
export interface ReaderFeedback {
  decision: "grant" | "deny";
  /** The decision's reason code; for an undone grant, why it was undone (`relay_failed`, `no_passage`). */
  reason: string;
  /** R15's message (for an undo, the words saying the entry did not happen). */
  message: string;
  /** True when a grant was taken back after the door did not open or nobody passed (D2). */
  undone: boolean;
}

/** A card reader: constructed idle, connects on start(), silent after stop(). */
export interface ReaderDriver {
  readonly id: string;
  /** Starts connecting; later calls do nothing. */
  start(): void;
  /** Stops and closes the transport; no events follow once it resolves. */
  stop(): Promise<void>;
  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof ReaderEvents>(event: K, listener: ReaderEvents[K]): () => void;
  /** A snapshot of the counters. */
  counters(): ReaderCounters;
  /**
   * D6: shows or sounds a decision at the reader, fire-and-forget (never awaited, never throws);
   * absent when the device has no way to take it.
   */
  feedback?(f: ReaderFeedback): void;
  /** The device's own state beyond the link's (OSDP: the PD's secure channel, tamper, power). */
  details?(): ReaderDetails;
}

/** What `details()` reports: one shape per driver that has one. */
export type ReaderDetails = OsdpReaderDetails;

/** Why a reader could not be created. */
export type ReaderErrorCode = "READER_DRIVER_UNSUPPORTED";

/** The reader layer's error: a code, the reader it concerns, and what was expected. */
export class ReaderError extends Error {
  readonly code: ReaderErrorCode;
  readonly readerId: string;

  constructor(code: ReaderErrorCode, readerId: string, message: string) {
    super(`reader ${readerId}: ${message}`);
    this.name = "ReaderError";
    this.code = code;
    this.readerId = readerId;
  }
}
