/** Starts `socat` with two linked pseudo-terminals: a real serial-port pair for integration tests. */
import {
  requireSocat as require,
  type SocatPair,
  startSocatPair,
} from "../../firmware-sim/devices/socatPair.js";

/** A running socat and the two device paths it made (`link=` paths when links were asked for). */
export type PtyPair = SocatPair;

/** Throws a clear error when socat is not installed. */
export function requireSocat(): void {
  require("the serial transport tests need it to make pseudo-terminals; `bash .ci/run` installs it");
}

/** Starts socat; resolves once both ptys exist and socat is relaying. `links` gives stable paths. */
export function startPtyPair(links?: { a: string; b: string }, timeoutMs = 5000): Promise<PtyPair> {
  requireSocat();
  return startSocatPair({ ...(links === undefined ? {} : { links }), timeoutMs });
}
