/** D6: Italian. Signage register: impersonal for instructions, "tu" in greetings as Italian gyms do. */
import { type Catalogue, named, type PeriodKey } from "./catalogue.js";

/** "per …" after a limit. */
const PER: Record<PeriodKey, string> = {
  day: "giorno",
  week: "settimana",
  month: "mese",
  year: "anno",
  chargePeriod: "periodo",
  validity: "validità",
};

/** "… esauriti per …" after an allowance: the demonstrative agrees with the noun. */
const THIS: Record<PeriodKey, string> = {
  day: "oggi",
  week: "questa settimana",
  month: "questo mese",
  year: "quest'anno",
  chargePeriod: "questo periodo",
  validity: "questa validità",
};

const RECEPTION = "rivolgersi alla reception";

export const it: Catalogue = {
  unknownCard: "Tessera sconosciuta",
  cardBlocked: `Tessera bloccata — ${RECEPTION}`,
  cardExpiredOn: (date) => `Tessera scaduta il ${date}`,
  cardNotValidYet: "Tessera non ancora valida",
  accessBlocked: `Accesso bloccato — ${RECEPTION}`,
  pinTimeout: "PIN non inserito in tempo — ripresentare la tessera",
  pinMissing: `Nessun PIN impostato — ${RECEPTION}`,
  wrongPin: "PIN errato",
  pinLocked: `Troppi PIN errati — riprovare tra 15 minuti o ${RECEPTION}`,
  noEntitlement: `Nessun abbonamento valido — ${RECEPTION}`,
  inactive: `Abbonamento non attivo — ${RECEPTION}`,
  expiredOn: (date) => `Scaduto il ${date}`,
  validFromDate: (date) => `Valido dal ${date}`,
  validFromTime: (time) => `Valido dalle ${time}`,
  suspendedUntil: (date) => `Sospeso fino al ${date}`,
  wrongArea: "Non valido per quest'area",
  notValidNow: "Non valido in questo orario",
  notOpen: (area) => `${area}: accesso non consentito in questo orario`,
  opensToday: (area, time) => `${area} apre alle ${time}`,
  opensOn: (area, weekday, time) => `${area} apre ${weekday} alle ${time}`,
  or: "o",
  cardModelRequired: (models) =>
    models === null ? "Serve una tessera del modello richiesto" : `Serve una tessera ${models} valida`,
  memberCodeRequired: (codes) => `Codice socio ${codes} richiesto — ${RECEPTION}`,
  noCredits: (remaining, total) => `Ingressi esauriti — ${remaining}/${total}`,
  allowanceUsed: (period) => `Ingressi inclusi esauriti per ${THIS[period]}`,
  limitReached: (count, period) => `Limite raggiunto: ${count} per ${PER[period]}`,
  offlineStale: "Offline da troppo tempo — ingressi a pagamento solo in reception",
  accessDenied: "Accesso negato",
  alreadyInside: "Sei già dentro — passa prima la tessera in uscita",
  pleaseWait: (minutes) => `Attendere ${minutes} min`,
  areaFull: (area) => `${area} al completo`,
  welcome: (name) => named("Ciao", name),
  welcomeBack: (name) => named("Rieccoti", name),
  goodbye: (name) => named("Arrivederci", name),
  creditsLeft: (remaining, total) => `restano ${remaining}/${total}`,
  unlimited: "ILLIMITATO",
  booked: (from, to) => `prenotazione ${from}–${to}`,
  undone: (cause) =>
    cause === "relay_failed"
      ? "La porta non si è aperta — riprova"
      : "Passaggio non rilevato — ingresso annullato",
  emergencyOpen: "Emergenza — porta aperta",
  openedByStaff: "Aperta dal personale",
  doorLocked: "Porta chiusa — rivolgiti alla reception",
};
