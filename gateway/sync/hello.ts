/** The hello a gateway says on every (re)connect and after a gap (sync.md "Gateway → central"). */
import { historyHorizonDays } from "../engine/horizon.js";
import { syncState } from "../store/db.js";
import { outboxRange } from "../store/outbox.js";
import type { SyncClientOptions } from "./clientOptions.js";

/**
 * The hello of this gateway now: its revisions and outbox from the store, its features, and the
 * history horizon of the site configuration it has applied. Without one it does not know its rules,
 * so it states no horizon (`historyDays` left out) and a central sends it full history. The shape is
 * payloads.ts's HelloMessage (outboxRange's type is looser than its union of two ranges).
 */
export function helloMessage(
  o: Pick<SyncClientOptions, "store" | "gatewayId" | "version" | "features">,
  siteId: string,
  helloId: string | undefined,
) {
  const state = syncState(o.store);
  const site = o.store.siteConfig();
  return {
    gatewayId: o.gatewayId,
    siteId,
    lastRev: state.lastRev,
    configRev: state.configRev,
    version: o.version,
    outbox: outboxRange(o.store),
    ...(o.features === undefined ? {} : { features: o.features }),
    // sync.md "History horizon": null = none, keep everything (an indefinite validity under a limit).
    ...(site === null ? {} : { historyDays: historyHorizonDays(site) }),
    // Present only while a restored seq is unconfirmed: the central echoes it in its acks.
    ...(helloId === undefined ? {} : { helloId }),
  };
}
