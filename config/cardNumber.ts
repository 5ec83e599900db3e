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
