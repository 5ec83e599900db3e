/**
 * Linked pseudo-terminal pairs for the end-to-end benchmark: the gateway opens one end as its
 * serial port, the load generator the other. socat itself is started by the simulator's helper.
 */
import { startSocatPair } from "../firmware-sim/devices/socatPair.js";

/** A running socat and its two ends. */
export interface PtyPair {
  /** The end the gateway opens. */
  readonly gatewaySide: string;
  /** The end the load generator opens. */
  readonly benchSide: string;
  /** Stops socat and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts socat with two raw, echo-less ptys; resolves once it is relaying. */
export async function startPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const pair = await startSocatPair({ timeoutMs });
  return { gatewaySide: pair.a, benchSide: pair.b, stop: () => pair.stop() };
}
