/**
 * Waiting for one PD on a port the command line opened itself (`osdp keyset`, `osdp comset`): it
 * is ready once it answered (ID, so it is online) and its secure channel is up — with its SCBK or
 * SCBK-D — or off by configuration. The commands map the outcome to their own errors and words.
 */
import type { Scheduler } from "../../runtime/scheduler.js";
import type { PdStatus } from "./cpTypes.js";
import type { OsdpBus } from "./osdpBus.js";

/** How the wait ended: ready, silent the whole time, or answering without the channel it needs. */
export type PdReadiness =
  | { ok: true; status: PdStatus }
  | { ok: false; why: "offline" }
  | { ok: false; why: "not-secured"; reason: string | undefined };

/**
 * Resolves once the PD at `address` is online with its channel up (or off), or as soon as its
 * channel failed, or after `withinMs` with what was last seen. Never rejects.
 */
export function whenPdReady(
  bus: Pick<OsdpBus, "on">,
  address: number,
  scheduler: Scheduler,
  withinMs: number,
): Promise<PdReadiness> {
  return new Promise((resolve) => {
    let last: PdStatus | undefined;
    const finish = (result: PdReadiness) => {
      scheduler.clearTimeout(timer);
      unsubscribe();
      resolve(result);
    };
    const timer = scheduler.setTimeout(
      () => finish(last?.online ? notSecured(last) : { ok: false, why: "offline" }),
      withinMs,
    );
    const unsubscribe = bus.on("status", (s) => {
      if (s.address !== address) return;
      last = s;
      const up =
        s.secureChannel === "established" || s.secureChannel === "install" || s.secureChannel === "off";
      if (s.online && up) finish({ ok: true, status: s });
      else if (s.secureChannel === "failed") finish(notSecured(s));
    });
  });
}

function notSecured(status: PdStatus): PdReadiness {
  return { ok: false, why: "not-secured", reason: status.reason };
}
