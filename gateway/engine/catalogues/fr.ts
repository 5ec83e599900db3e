/** D6: French (vouvoiement; a space before the colon, as French typography wants). */
import { type Catalogue, named, type PeriodKey } from "./catalogue.js";

const PER: Record<PeriodKey, string> = {
  day: "jour",
  week: "semaine",
  month: "mois",
  year: "an",
  chargePeriod: "période",
  validity: "validité",
};

/** "Visites incluses épuisées pour …": the demonstrative agrees with the noun. */
const FOR: Record<PeriodKey, string> = {
  day: "aujourd'hui",
  week: "cette semaine",
  month: "ce mois-ci",
  year: "cette année",
  chargePeriod: "cette période",
  validity: "cette validité",
};

const RECEPTION = "merci de passer à l'accueil";

export const fr: Catalogue = {
  unknownCard: "Carte inconnue",
  cardBlocked: `Carte bloquée — ${RECEPTION}`,
  cardExpiredOn: (date) => `Carte expirée le ${date}`,
  cardNotValidYet: "Carte pas encore valable",
  accessBlocked: `Accès bloqué — ${RECEPTION}`,
  pinTimeout: "Code PIN non saisi à temps — présentez à nouveau votre carte",
  pinMissing: `Aucun code PIN défini — ${RECEPTION}`,
  wrongPin: "Code PIN incorrect",
  pinLocked: `Trop de codes PIN incorrects — réessayez dans 15 minutes ou ${RECEPTION}`,
  noEntitlement: `Aucun abonnement valable — ${RECEPTION}`,
  inactive: `Abonnement inactif — ${RECEPTION}`,
  expiredOn: (date) => `Expiré le ${date}`,
  validFromDate: (date) => `Valable à partir du ${date}`,
  validFromTime: (time) => `Valable à partir de ${time}`,
  suspendedUntil: (date) => `Suspendu jusqu'au ${date}`,
  wrongArea: "Non valable pour cet espace",
  notValidNow: "Non valable à cette heure",
  notOpen: (area) => `${area} : pas d'accès à cette heure`,
  opensToday: (area, time) => `${area} : ouverture à ${time}`,
  opensOn: (area, weekday, time) => `${area} : ouverture ${weekday} à ${time}`,
  or: "ou",
  cardModelRequired: (models) =>
    models === null ? "Carte du modèle requis nécessaire" : `Carte ${models} valable requise`,
  memberCodeRequired: (codes) => `Code membre ${codes} requis — ${RECEPTION}`,
  noCredits: (remaining, total) => `Plus de crédits — ${remaining}/${total}`,
  allowanceUsed: (period) => `Visites incluses épuisées pour ${FOR[period]}`,
  limitReached: (count, period) => `Limite atteinte : ${count} par ${PER[period]}`,
  offlineStale: "Hors ligne depuis trop longtemps — entrée payante à l'accueil",
  accessDenied: "Accès refusé",
  alreadyInside: "Déjà à l'intérieur — badgez d'abord à la sortie",
  pleaseWait: (minutes) => `Veuillez patienter ${minutes} min`,
  areaFull: (area) => `${area} : complet`,
  welcome: (name) => named("Bienvenue", name),
  welcomeBack: (name) => named("Bon retour", name),
  goodbye: (name) => named("Au revoir", name),
  creditsLeft: (remaining, total) => `reste ${remaining}/${total}`,
  unlimited: "ILLIMITÉ",
  booked: (from, to) => `réservation ${from}–${to}`,
  undone: (cause) =>
    cause === "relay_failed"
      ? "La porte ne s'est pas ouverte — réessayez"
      : "Passage non détecté — entrée annulée",
  emergencyOpen: "Urgence — porte ouverte",
  openedByStaff: "Ouverte par le personnel",
  doorLocked: "Porte verrouillée — adressez-vous à l'accueil",
};
