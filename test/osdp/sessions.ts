/**
 * Secure channel sessions for tests: a whole handshake run between the two machines, and the pair
 * established from the libosdp trace's handshake with its random numbers replayed.
 */
import type { SecureFailureCode } from "../../drivers/osdp/secureChannel.js";
import { CpHandshake, PdHandshake } from "../../drivers/osdp/secureHandshake.js";
import type { CpSession, PdSession } from "../../drivers/osdp/secureSession.js";
import { hexBytes as hex } from "./trace.js";
import { readTracePackets, type TracePacket } from "./tracePackets.js";

/** The SCBK of the libosdp secure-channel trace. */
export const TRACE_SCBK = hex("000102030405060708090a0b0c0d0e0f");

/** The libosdp secure-channel trace, cut into packets. */
export const scTrace: TracePacket[] = readTracePackets("libosdp-sc-trace.txt");

/** The trace's packet at `index`. */
export function tracePacket(index: number): TracePacket {
  const p = scTrace[index];
  if (p === undefined) throw new Error(`the trace has no packet ${index}`);
  return p;
}

/** Runs CHLNG → CCRYPT → SCRYPT → RMAC_I between the two machines: both sessions, or the first failure. */
export function runHandshake(
  cpSide: CpHandshake,
  pdSide: PdHandshake,
): { ok: true; cp: CpSession; pd: PdSession } | { ok: false; code: SecureFailureCode } {
  const challenge = cpSide.challenge();
  const answer = pdSide.onChallenge(challenge.scb.data, challenge.data);
  if (!answer.ok) return { ok: false, code: answer.code };
  const reply = cpSide.onCcrypt(answer.message.scb.data, answer.message.data);
  if (!reply.ok) return { ok: false, code: reply.code };
  const rmac = pdSide.onScrypt(reply.message.scb.data, reply.message.data);
  if (!rmac.ok) return { ok: false, code: rmac.code };
  const done = cpSide.onRmacI(rmac.message.scb.data, rmac.message.data);
  return done.ok ? { ok: true, cp: done.session, pd: rmac.session } : { ok: false, code: done.code };
}

/** Both sides established as in the trace: its SCBK, client id, RND.A and RND.B. */
export function traceSessions(): { cp: CpSession; pd: PdSession } {
  const chlng = tracePacket(4);
  const ccrypt = tracePacket(5);
  const result = runHandshake(
    new CpHandshake({ scbk: TRACE_SCBK, random: () => chlng.data }),
    new PdHandshake({
      scbk: TRACE_SCBK,
      installMode: false,
      clientUid: ccrypt.data.slice(0, 8),
      random: () => ccrypt.data.slice(8, 16),
    }),
  );
  if (!result.ok) throw new Error(`the trace's handshake failed: ${result.code}`);
  return result;
}
