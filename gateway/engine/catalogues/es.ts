/** D6: Spanish (usted, as on signage). */
import { type Catalogue, named, type PeriodKey } from "./catalogue.js";

const PER: Record<PeriodKey, string> = {
  day: "día",
  week: "semana",
  month: "mes",
  year: "año",
  chargePeriod: "período",
  validity: "validez",
};

/** "Visitas incluidas agotadas …": the demonstrative agrees with the noun. */
const FOR: Record<PeriodKey, string> = {
  day: "hoy",
  week: "esta semana",
  month: "este mes",
  year: "este año",
  chargePeriod: "este período",
  validity: "esta validez",
};

const RECEPTION = "por favor, acuda a recepción";

export const es: Catalogue = {
  unknownCard: "Tarjeta desconocida",
  cardBlocked: `Tarjeta bloqueada — ${RECEPTION}`,
  cardExpiredOn: (date) => `Tarjeta caducada el ${date}`,
  cardNotValidYet: "Tarjeta aún no válida",
  accessBlocked: `Acceso bloqueado — ${RECEPTION}`,
  pinTimeout: "PIN no introducido a tiempo — presente la tarjeta de nuevo",
  pinMissing: `Sin PIN asignado — ${RECEPTION}`,
  wrongPin: "PIN incorrecto",
  pinLocked: `Demasiados PIN incorrectos — vuelva a intentarlo en 15 minutos o ${RECEPTION}`,
  noEntitlement: `Sin abono válido — ${RECEPTION}`,
  inactive: `Abono no activo — ${RECEPTION}`,
  expiredOn: (date) => `Caducado el ${date}`,
  validFromDate: (date) => `Válido desde el ${date}`,
  validFromTime: (time) => `Válido desde las ${time}`,
  suspendedUntil: (date) => `Suspendido hasta el ${date}`,
  wrongArea: "No válido para esta zona",
  notValidNow: "No válido a esta hora",
  notOpen: (area) => `${area}: sin acceso a esta hora`,
  opensToday: (area, time) => `${area}: abre a las ${time}`,
  opensOn: (area, weekday, time) => `${area}: abre el ${weekday} a las ${time}`,
  or: "o",
  cardModelRequired: (models) =>
    models === null
      ? "Se requiere una tarjeta del modelo adecuado"
      : `Se requiere una tarjeta ${models} válida`,
  memberCodeRequired: (codes) => `Se requiere el código de socio ${codes} — ${RECEPTION}`,
  noCredits: (remaining, total) => `Sin créditos — ${remaining}/${total}`,
  allowanceUsed: (period) => `Visitas incluidas agotadas ${FOR[period]}`,
  limitReached: (count, period) => `Límite alcanzado: ${count} por ${PER[period]}`,
  offlineStale: "Sin conexión demasiado tiempo — entrada de pago en recepción",
  accessDenied: "Acceso denegado",
  alreadyInside: "Ya está dentro — pase primero la tarjeta a la salida",
  pleaseWait: (minutes) => `Espere ${minutes} min`,
  areaFull: (area) => `${area}: aforo completo`,
  welcome: (name) => named("Hola", name),
  welcomeBack: (name) => named("Hola de nuevo", name),
  goodbye: (name) => named("Hasta pronto", name),
  creditsLeft: (remaining, total) => `quedan ${remaining}/${total}`,
  unlimited: "ILIMITADO",
  booked: (from, to) => `reserva ${from}–${to}`,
  undone: (cause) =>
    cause === "relay_failed"
      ? "La puerta no se abrió — inténtelo de nuevo"
      : "Paso no detectado — entrada anulada",
  emergencyOpen: "Emergencia — puerta abierta",
  openedByStaff: "Abierta por el personal",
  doorLocked: "Puerta bloqueada — acude a recepción",
};
