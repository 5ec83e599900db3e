/**
 * R1: the canonical form of a card number: trimmed, upper-cased, and when all digits, without
 * leading zeros (`0004215834` = `4215834`; `000` = `0`).
 */
export function canonicalCard(raw: string): string {
  const s = raw.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    const stripped = s.replace(/^0+/, "");
    return stripped === "" ? "0" : stripped;
  }
  return s;
}

/** A card number safe for info-level logs and problems that may reach them: its last 4 characters only. */
export function maskCard(card: string): string {
  return card.length <= 4 ? "…" : `…${card.slice(-4)}`;
}
