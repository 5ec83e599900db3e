/**
 * `accessgw events`: the recorded events (decisions, and doors.md D7's door, alarm and command
 * events) with cli.md's filters and `--kind`, and with `--follow` the new ones
 * as they are recorded — by the daemon, a `scan` or any other process — until SIGINT/SIGTERM.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { canonicalCard } from "../config/cardNumber.js";
import { EVENT_KINDS, type EventKind } from "../config/protocol/events.js";
import { REASON_CODES } from "../config/protocol/reasons.js";
import { formatEvent } from "./cliFormat.js";
import { usage } from "./cliParse.js";
import type { Flags, Io } from "./cliVerbs.js";
import type { Store } from "./store/db.js";
import {
  type EventFilter,
  type EventQuery,
  eventsBetween,
  iterateEvents,
  lastEventSeq,
  type StoredEvent,
} from "./store/events.js";

/** How often `--follow` looks for new events: one read of the highest seq when nothing is new. */
export const FOLLOW_INTERVAL_MS = 250;
/** New events read per query while catching up, so one poll never reads an unbounded range. */
const FOLLOW_BATCH = 500;

/** Waits between polls; resolves early (or rejects) when the signal ends the follow. */
export type Wait = (ms: number, signal: AbortSignal) => Promise<unknown>;

/** What the events verb is handed. */
export interface EventsDeps {
  io: Io;
  openStore: () => Store;
  /** Checks a time flag's syntax now and returns how to read it once the site's zone is known. */
  time: (text: string, flag: string) => (zone: string) => number;
  /** Ends `--follow` (the command line wires it to SIGINT and SIGTERM). */
  signal: AbortSignal;
  wait?: Wait;
}

/** A whole number ≥ 0 from a flag, or undefined when the flag is absent. */
function count(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw usage(`${flag} must be a whole number ≥ 0 (found "${text}")`);
  return Number(text);
}

/** The flags' filter and counts, checked before the data folder is opened (bad input first). */
function readFlags(flags: Flags, deps: EventsDeps) {
  const limit = count(flags.limit, "--limit");
  const last = count(flags.last, "--last");
  if (limit !== undefined && last !== undefined) throw usage("--limit and --last do not go together");
  if (limit !== undefined && flags.follow)
    throw usage("--limit does not go with --follow (use --last N to start from the newest N)");
  const reason = flags.reason;
  if (reason !== undefined && !(REASON_CODES as string[]).includes(reason))
    throw usage(
      `--reason "${reason}" is not a reason code; the reason codes are: ${REASON_CODES.join(", ")}`,
    );
  if (flags.card !== undefined && flags.card.trim() === "") throw usage("--card needs a card number");
  const kind = flags.kind;
  if (kind !== undefined && !(EVENT_KINDS as readonly string[]).includes(kind))
    throw usage(`--kind "${kind}" is not a kind of event; the kinds are: ${EVENT_KINDS.join(", ")}`);
  const since = flags.since === undefined ? undefined : deps.time(flags.since, "--since");
  const until = flags.until === undefined ? undefined : deps.time(flags.until, "--until");
  return { limit, last, reason, kind: kind as EventKind | undefined, since, until };
}

/** Runs `events`; resolves 0 when listed, or when `--follow` was ended by the signal. */
export async function runEvents(flags: Flags, deps: EventsDeps): Promise<number> {
  const { limit, last, reason, kind, since, until } = readFlags(flags, deps);
  const { io } = deps;
  const store = deps.openStore();
  try {
    const zone = store.siteConfig()?.site.timezone ?? "UTC";
    const filter: EventFilter = {
      since: since?.(zone),
      until: until?.(zone),
      // R1: recorded events hold the canonical card number.
      card: flags.card === undefined ? undefined : canonicalCard(flags.card),
      memberId: flags.member,
      readerId: flags.reader,
      reason,
      kind,
    };
    if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until)
      throw usage(`--since ${flags.since} is after --until ${flags.until}`);
    const query: EventQuery = { ...filter, limit, last };
    const print = (e: StoredEvent) => io.out(flags.json ? JSON.stringify(e) : formatEvent(e, zone));
    if (!flags.follow) {
      const printed = await printAll(iterateEvents(store, query), print, io);
      if (printed === 0 && !flags.json) io.out("no events recorded");
      return 0;
    }
    // One read transaction: the listing and the seq it reaches are one snapshot, so the follow
    // neither misses nor repeats an event recorded meanwhile.
    store.db.exec("BEGIN");
    let high: number;
    try {
      high = lastEventSeq(store);
      await printAll(iterateEvents(store, query), print, io, deps.signal);
    } finally {
      store.db.exec("COMMIT");
    }
    await followEvents(store, filter, high, deps.signal, print, deps.wait);
    return 0;
  } finally {
    store.close();
  }
}

/**
 * Prints every event, waiting whenever the output is full; returns how many. Stops early when the
 * signal ends a --follow (Ctrl-C during a long first listing).
 */
async function printAll(
  events: Iterable<StoredEvent>,
  print: (e: StoredEvent) => void,
  io: Io,
  signal?: AbortSignal,
): Promise<number> {
  let printed = 0;
  for (const e of events) {
    if (signal?.aborted) break;
    print(e);
    printed++;
    const full = io.drain?.();
    if (full) await full;
  }
  return printed;
}

/**
 * Prints the events matching `filter` recorded after `afterSeq`, in recording order, until the
 * signal ends it. Between polls it waits; each poll reads the highest seq (an index lookup) and
 * only the new rows by their seq, so it costs nothing on an idle gateway, whatever the history.
 */
export async function followEvents(
  store: Store,
  filter: EventFilter,
  afterSeq: number,
  signal: AbortSignal,
  emit: (e: StoredEvent) => void,
  wait: Wait = (ms, s) => sleep(ms, undefined, { signal: s }),
): Promise<void> {
  let seen = afterSeq;
  while (!signal.aborted) {
    const high = lastEventSeq(store);
    if (high > seen) {
      const through = Math.min(high, seen + FOLLOW_BATCH);
      for (const e of eventsBetween(store, filter, seen, through)) emit(e);
      seen = through;
      if (through < high) continue;
    }
    try {
      await wait(FOLLOW_INTERVAL_MS, signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }
}
