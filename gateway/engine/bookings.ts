import { areaRules } from "./areaRules.js";
import { type LocalNow, localParts } from "./clock.js";
import { grantMessage } from "./message.js";
import { deny, grant, traceRow } from "./outcome.js";
import type { BookingFact, Decision, Facts, MemberFact } from "./types.js";
import type { Words } from "./words.js";

/** R10: a booking for this area from its start − bookingEarlyMinutes until its end, or null. */
export function activeBooking(
  facts: Facts,
  member: MemberFact,
  area: string,
  now: number,
): BookingFact | null {
  const early = facts.site.site.bookingEarlyMinutes * 60_000;
  return member.bookings.find((b) => b.area === area && now >= b.start - early && now < b.end) ?? null;
}

/**
 * R10: a booking beats every multipack and costs nothing (the credit was taken when the class was
 * booked); anti-passback and capacity (R12) still apply to it.
 */
export function bookingDecision(
  d: Decision,
  booking: BookingFact,
  facts: Facts,
  ln: LocalNow,
  member: MemberFact,
  w: Words,
): Decision {
  const start = localParts(booking.start, ln.zone).time;
  const end = localParts(booking.end, ln.zone).time;
  const areaDeny = areaRules(facts, ln, d.area, w);
  if (areaDeny) {
    d.trace.push(
      traceRow(null, null, "skipped", areaDeny.reason, `booking ${booking.id}: ${areaDeny.detail}`),
    );
    return deny(d, areaDeny.reason, areaDeny.message);
  }
  d.trace.push(traceRow(null, null, "chosen", "booking", `booking ${booking.id} ${start}–${end} (R10)`));
  const booked = w.t.booked(w.time(start), w.time(end));
  return grant(d, "booking", grantMessage(w, "booking", member.name, null, booked));
}
