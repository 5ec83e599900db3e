/** Why a relay command failed; `code` lets callers react without parsing messages. */
export type RelayErrorCode = "RELAY_FAILED" | "RELAY_UNSUPPORTED";

/** What went wrong underneath a RELAY_FAILED, for counters and tests. */
export type RelayFailure =
  | "transport_down"
  | "write_failed"
  | "exception"
  | "timeout"
  | "bad_channel"
  | "stopped"
  | "unsupported";

/** The relay layer's one error class: a code, the relay and channel it concerns, and a cause. */
export class RelayError extends Error {
  readonly code: RelayErrorCode;
  readonly relayId: string;
  readonly channel: number | undefined;
  readonly failure: RelayFailure;

  constructor(
    code: RelayErrorCode,
    where: { relayId: string; channel?: number; failure: RelayFailure },
    message: string,
    options?: { cause?: unknown },
  ) {
    const at = where.channel === undefined ? where.relayId : `${where.relayId} channel ${where.channel}`;
    super(`relay ${at}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RelayError";
    this.code = code;
    this.relayId = where.relayId;
    this.channel = where.channel;
    this.failure = where.failure;
  }
}
