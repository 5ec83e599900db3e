/** D6: English, the default; the wording of domain.md's examples and cli.md (R15). */
import { type Catalogue, named, type PeriodKey } from "./catalogue.js";

const PERIODS: Record<PeriodKey, string> = {
  day: "day",
  week: "week",
  month: "month",
  year: "year",
  chargePeriod: "period",
  validity: "validity",
};

const RECEPTION = "please see reception";

export const en: Catalogue = {
  unknownCard: "Unknown card",
  cardBlocked: `Card blocked — ${RECEPTION}`,
  cardExpiredOn: (date) => `Card expired on ${date}`,
  cardNotValidYet: "Card not valid yet",
  accessBlocked: `Access blocked — ${RECEPTION}`,
  pinTimeout: "PIN not entered in time — present your card again",
  pinMissing: `No PIN set — ${RECEPTION}`,
  wrongPin: "Wrong PIN",
  pinLocked: `Too many wrong PINs — try again in 15 minutes or ${RECEPTION}`,
  noEntitlement: `No valid membership — ${RECEPTION}`,
  inactive: `Membership not active — ${RECEPTION}`,
  expiredOn: (date) => `Expired on ${date}`,
  validFromDate: (date) => `Valid from ${date}`,
  validFromTime: (time) => `Valid from ${time}`,
  suspendedUntil: (date) => `Suspended until ${date}`,
  wrongArea: "Not valid for this area",
  notValidNow: "Not valid at this time",
  notOpen: (area) => `${area}: not open at this time`,
  opensToday: (area, time) => `${area} opens at ${time}`,
  opensOn: (area, weekday, time) => `${area} opens ${weekday} ${time}`,
  or: "or",
  cardModelRequired: (models) => `Valid ${models ?? "card model"} card required`,
  memberCodeRequired: (codes) => `Member code ${codes} required — ${RECEPTION}`,
  noCredits: (remaining, total) => `No credits left — ${remaining}/${total}`,
  allowanceUsed: (period) => `Included visits used up this ${PERIODS[period]}`,
  limitReached: (count, period) => `Limit reached: ${count} per ${PERIODS[period]}`,
  offlineStale: "Offline too long — paid entry needs reception",
  accessDenied: "Access denied",
  alreadyInside: "Already inside — please scan out first",
  pleaseWait: (minutes) => `Please wait ${minutes} min`,
  areaFull: (area) => `${area} is full`,
  welcome: (name) => named("Welcome", name),
  welcomeBack: (name) => named("Welcome back", name),
  goodbye: (name) => named("Goodbye", name),
  creditsLeft: (remaining, total) => `${remaining}/${total} left`,
  unlimited: "UNLIMITED",
  booked: (from, to) => `booked ${from}–${to}`,
  undone: (cause) =>
    cause === "relay_failed" ? "Door did not open — please try again" : "No passage — entry cancelled",
  emergencyOpen: "Emergency — door open",
  openedByStaff: "Opened by staff",
  doorLocked: "Door locked — please see reception",
};
