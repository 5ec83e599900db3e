/**
 * Errors in the logs for a person: a refused connection, an unknown host, a broker that says no or
 * a serial port that vanished are expected on a site's network and wiring, so they log as one line
 * with the cause; their stack only at debug. Anything else keeps its stack: it is a bug to report.
 */
import { pino } from "pino";

/** Node's codes for a network that is down, slow or refusing (not a bug of ours). */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EPIPE",
  "ENOENT",
  "EACCES",
  "EBUSY",
  "EIO",
  "ENXIO",
]);

/** Our transport layer's codes for a link that would not open or went away (drivers/transport/errors.ts). */
const LINK_CODES: ReadonlySet<string> = new Set(["TRANSPORT_OPEN_FAILED", "TRANSPORT_DISCONNECTED"]);

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  disconnected?: unknown;
}

/** The error and its causes (and an AggregateError's errors: Node's happy eyeballs), outermost first. */
function chain(err: unknown, depth = 0): ErrorLike[] {
  if (typeof err !== "object" || err === null || depth > 8) return [];
  const e = err as ErrorLike;
  const inner = Array.isArray(e.errors) ? e.errors.flatMap((x) => chain(x, depth + 1)) : [];
  return [e, ...chain(e.cause, depth + 1), ...inner];
}

/** The network or device code that explains an error, e.g. ECONNREFUSED; undefined when none does. */
export function expectedCause(err: unknown): string | undefined {
  for (const e of chain(err)) {
    if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return e.code;
    // serialport: a port that closes under us is `disconnected` (a cable pulled, a USB adapter gone).
    if (e.disconnected === true) return "DISCONNECTED";
    // mqtt.js: a CONNACK that refuses (bad credentials, not authorised, server unavailable).
    if (
      e.name === "ErrorWithReasonCode" &&
      typeof e.message === "string" &&
      e.message.startsWith("Connection refused")
    )
      return "BROKER_REFUSED";
  }
  const outer = chain(err)[0];
  return typeof outer?.code === "string" && LINK_CODES.has(outer.code) ? outer.code : undefined;
}

/**
 * pino's `err` serializer: the standard one; an expected error gets `expected` (its code, e.g.
 * ECONNREFUSED) and loses its stack unless `debugEnabled()` (asked at each entry: the level changes
 * at runtime).
 */
export function errSerializer(debugEnabled: () => boolean): (err: unknown) => unknown {
  return (err) => {
    if (!(err instanceof Error)) return err;
    const serialized = pino.stdSerializers.err(err) as Record<string, unknown>;
    const cause = expectedCause(err);
    if (cause === undefined) return serialized;
    const { stack, ...rest } = serialized;
    return debugEnabled() ? { ...rest, expected: cause, stack } : { ...rest, expected: cause };
  };
}
