/** Why a transport failed; `code` lets callers react without parsing messages. */
export type TransportErrorCode =
  | "TRANSPORT_TARGET_INVALID"
  | "TRANSPORT_OPEN_FAILED"
  | "TRANSPORT_NOT_OPEN"
  | "TRANSPORT_WRITE_FAILED"
  | "TRANSPORT_DISCONNECTED";

/** The transport layer's one error class: a code, the target it concerns, and an optional cause. */
export class TransportError extends Error {
  readonly code: TransportErrorCode;
  readonly target: string;

  constructor(code: TransportErrorCode, target: string, message: string, options?: { cause?: unknown }) {
    super(`${target}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TransportError";
    this.code = code;
    this.target = target;
  }
}

/** Wraps anything thrown into an Error, keeping Errors as they are. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
