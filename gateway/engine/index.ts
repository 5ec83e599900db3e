/** The decision engine: pure functions of a request, facts and `now` (no I/O, no clock). */
export { balances, type MultipackBalance } from "./balance.js";
export { localNow, parseAt } from "./clock.js";
export { decide } from "./decide.js";
export { historyStart } from "./history.js";
export { type OfflineState, offlineState } from "./offline.js";
export { compileSite } from "./site.js";
export type * from "./types.js";
