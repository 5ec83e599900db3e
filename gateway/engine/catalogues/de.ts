/** D6: German (Sie-Form, as on signage). */
import { type Catalogue, named, type PeriodKey } from "./catalogue.js";

const PER: Record<PeriodKey, string> = {
  day: "Tag",
  week: "Woche",
  month: "Monat",
  year: "Jahr",
  chargePeriod: "Zeitraum",
  validity: "Laufzeit",
};

/** "Inklusivbesuche für … aufgebraucht": the article agrees with the noun. */
const FOR: Record<PeriodKey, string> = {
  day: "heute",
  week: "diese Woche",
  month: "diesen Monat",
  year: "dieses Jahr",
  chargePeriod: "diesen Zeitraum",
  validity: "diese Laufzeit",
};

const RECEPTION = "bitte an der Rezeption melden";

export const de: Catalogue = {
  unknownCard: "Unbekannte Karte",
  cardBlocked: `Karte gesperrt — ${RECEPTION}`,
  cardExpiredOn: (date) => `Karte abgelaufen am ${date}`,
  cardNotValidYet: "Karte noch nicht gültig",
  accessBlocked: `Zutritt gesperrt — ${RECEPTION}`,
  pinTimeout: "PIN nicht rechtzeitig eingegeben — Karte erneut vorhalten",
  pinMissing: `Keine PIN hinterlegt — ${RECEPTION}`,
  wrongPin: "Falsche PIN",
  pinLocked: `Zu viele falsche PINs — in 15 Minuten erneut versuchen oder ${RECEPTION}`,
  noEntitlement: `Keine gültige Mitgliedschaft — ${RECEPTION}`,
  inactive: `Mitgliedschaft nicht aktiv — ${RECEPTION}`,
  expiredOn: (date) => `Abgelaufen am ${date}`,
  validFromDate: (date) => `Gültig ab ${date}`,
  validFromTime: (time) => `Gültig ab ${time} Uhr`,
  suspendedUntil: (date) => `Ruht bis ${date}`,
  wrongArea: "Für diesen Bereich nicht gültig",
  notValidNow: "Zu dieser Zeit nicht gültig",
  notOpen: (area) => `${area}: zu dieser Zeit kein Zutritt`,
  opensToday: (area, time) => `${area} öffnet um ${time} Uhr`,
  opensOn: (area, weekday, time) => `${area} öffnet ${weekday} um ${time} Uhr`,
  or: "oder",
  cardModelRequired: (models) =>
    models === null
      ? "Gültige Karte des passenden Typs erforderlich"
      : `Gültige Karte ${models} erforderlich`,
  memberCodeRequired: (codes) => `Mitgliedscode ${codes} erforderlich — ${RECEPTION}`,
  noCredits: (remaining, total) => `Kein Guthaben mehr — ${remaining}/${total}`,
  allowanceUsed: (period) => `Inklusivbesuche für ${FOR[period]} aufgebraucht`,
  limitReached: (count, period) => `Limit erreicht: ${count} pro ${PER[period]}`,
  offlineStale: "Zu lange offline — kostenpflichtiger Eintritt nur an der Rezeption",
  accessDenied: "Zutritt verweigert",
  alreadyInside: "Bereits eingecheckt — bitte zuerst am Ausgang scannen",
  pleaseWait: (minutes) => `Bitte ${minutes} Min. warten`,
  areaFull: (area) => `${area} ist voll belegt`,
  welcome: (name) => named("Willkommen", name),
  welcomeBack: (name) => named("Willkommen zurück", name),
  goodbye: (name) => named("Auf Wiedersehen", name),
  creditsLeft: (remaining, total) => `noch ${remaining}/${total}`,
  unlimited: "UNBEGRENZT",
  booked: (from, to) => `Buchung ${from}–${to}`,
  undone: (cause) =>
    cause === "relay_failed"
      ? "Tür nicht geöffnet — bitte erneut versuchen"
      : "Kein Durchgang erkannt — Eintritt storniert",
  emergencyOpen: "Notfall — Tür offen",
  openedByStaff: "Vom Personal geöffnet",
  doorLocked: "Tür gesperrt — bitte an die Rezeption wenden",
};
