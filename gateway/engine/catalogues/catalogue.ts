/**
 * doors.md D6: the shape of a message catalogue. Every language implements every key (the compiler
 * refuses a catalogue that misses one); dates, weekdays and times arrive already formatted by Intl
 * for the member's locale, so a catalogue holds words and word order only.
 */

/** The periods an allowance (R7) or a limit (R8) counts in, as the messages name them. */
export type PeriodKey = "day" | "week" | "month" | "year" | "chargePeriod" | "validity";

/** Why a grant was undone after the decision (D2). */
export type UndoCause = "relay_failed" | "no_passage";

/** R15's messages in one language. */
export interface Catalogue {
  /** R1 */
  unknownCard: string;
  cardBlocked: string;
  cardExpiredOn: (date: string) => string;
  cardNotValidYet: string;
  accessBlocked: string;
  /** R21 */
  pinTimeout: string;
  pinMissing: string;
  wrongPin: string;
  pinLocked: string;
  /** R2–R4 */
  noEntitlement: string;
  inactive: string;
  expiredOn: (date: string) => string;
  validFromDate: (date: string) => string;
  validFromTime: (time: string) => string;
  suspendedUntil: (date: string) => string;
  /** R3 */
  wrongArea: string;
  notValidNow: string;
  notOpen: (area: string) => string;
  opensToday: (area: string, time: string) => string;
  opensOn: (area: string, weekday: string, time: string) => string;
  /** `A or B`, for lists of card models and member codes. */
  or: string;
  /** R3: null when the models are not known. */
  cardModelRequired: (models: string | null) => string;
  /** R19 */
  memberCodeRequired: (codes: string) => string;
  /** R6–R8 */
  noCredits: (remaining: number, total: number) => string;
  allowanceUsed: (period: PeriodKey) => string;
  limitReached: (count: number | undefined, period: PeriodKey) => string;
  /** sync.offline */
  offlineStale: string;
  accessDenied: string;
  /** R12 */
  alreadyInside: string;
  pleaseWait: (minutes: number) => string;
  areaFull: (area: string) => string;
  /** R15 greetings: `name` is the member's first name, or "" when unknown. */
  welcome: (name: string) => string;
  welcomeBack: (name: string) => string;
  goodbye: (name: string) => string;
  creditsLeft: (remaining: number, total: number) => string;
  /** More than 100 credits remaining (seed 001). */
  unlimited: string;
  booked: (from: string, to: string) => string;
  /** D2/D6: what the reader shows when a grant is undone. */
  undone: (cause: UndoCause) => string;
  /** D3: a scan at a door released for an emergency. */
  emergencyOpen: string;
  /** D5: the door opened by staff. */
  openedByStaff: string;
  /** D3: an entry refused at a locked door. */
  doorLocked: string;
}

/** `word` and a first name with one space between, or `word` alone. */
export function named(word: string, name: string): string {
  return name ? `${word} ${name}` : word;
}
