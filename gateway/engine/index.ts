/** The decision engine: pure functions of a request, facts and `now` (no I/O, no clock). */
import { allowanceFailure } from "./allowance.js";
import { areaRules } from "./areaRules.js";
import { bookingDecision } from "./bookings.js";
import { evaluateMultipack } from "./candidates.js";
import { cardRefusal, exitGrant } from "./card.js";
import { compareCandidates } from "./choice.js";
import { creditsFailure, remainingCredits } from "./credits.js";
import { denyMessage } from "./denyMessage.js";
import { furthestFailure } from "./denyReason.js";
import {
  emergencyDecision,
  openWindowStart,
  remoteOpenDecision,
  resolveMode,
  scheduleOpen,
  staffOverride,
  withDoorMode,
} from "./doorModes.js";
import { limitCoversSite } from "./homeSite.js";
import { limitFailure } from "./limits.js";
import { memberCodeFailure } from "./memberCodes.js";
import { creditsText, grantMessage } from "./message.js";
import { pinDecision, pinRequired } from "./pin.js";
import { isReentry } from "./reentry.js";
import { transfersAt } from "./transfer.js";
import { usability } from "./validity.js";
import { itemsForArea, whenFailure } from "./whereWhen.js";

export { balances, type MultipackBalance } from "./balance.js";
export { localNow, parseAt } from "./clock.js";
export { decide } from "./decide.js";
export { historyStart } from "./history.js";
export { historyHorizonDays, horizonStart } from "./horizon.js";
export { type OfflineState, offlineState } from "./offline.js";
export { type PinRefusal, pinDecision, pinRequired } from "./pin.js";
export { compileSite } from "./site.js";
export type * from "./types.js";

/**
 * Where each rule of domain.md lives: R-number → the functions that implement it, the main one
 * first (a rule asked in two places, such as R3's area per multipack and its windows per item, lists
 * both). decide() calls them in the order of the rules; rules kept outside the engine (R14 record,
 * R17 debounce) are not listed.
 */
export const RULES = {
  R1: [cardRefusal],
  R2: [usability],
  R3: [whenFailure, itemsForArea],
  R4: [evaluateMultipack],
  R5: [isReentry],
  R6: [creditsFailure],
  R7: [allowanceFailure],
  R8: [limitFailure],
  R9: [compareCandidates],
  R10: [bookingDecision],
  R11: [exitGrant],
  R12: [areaRules],
  R13: [furthestFailure],
  R15: [denyMessage, grantMessage, creditsText],
  R16: [remainingCredits],
  R18: [transfersAt],
  R19: [memberCodeFailure],
  R20: [limitCoversSite],
  R21: [pinRequired, pinDecision],
} as const;
export type { Catalogue, PeriodKey, UndoCause } from "./catalogues/catalogue.js";
export { CATALOGUES, type Words, wordsFor } from "./words.js";

/**
 * The rules of doors.md the engine decides, as RULES does for domain.md: D3 a door's mode (the
 * scan in it, which mode holds, the schedule and first-person-in), D5 the front desk's decisions.
 */
export const DOOR_RULES = {
  D3: [withDoorMode, emergencyDecision, resolveMode, scheduleOpen, openWindowStart],
  D5: [staffOverride, remoteOpenDecision],
} as const;
