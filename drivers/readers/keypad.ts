/**
 * R21: keypad keys as the gateway sees them: a string of `0-9`, `*` and `#`. Keypads send `#` and
 * `*` in other forms too (OSDP: `#` as 0x0D, `*` as 0x7F); drivers normalise here.
 */

/** The byte OSDP keypads send for `#` (carriage return). */
export const OSDP_KEY_HASH = 0x0d;
/** The byte OSDP keypads send for `*` (DEL). */
export const OSDP_KEY_STAR = 0x7f;

/** R21: keys as `0-9`, `*`, `#` (0x0D → `#`, 0x7F → `*`), or null when a byte is no key. */
export function normaliseKeys(input: string | Uint8Array): string | null {
  const codes = typeof input === "string" ? [...input].map((c) => c.charCodeAt(0)) : [...input];
  let keys = "";
  for (const code of codes) {
    if (code === OSDP_KEY_HASH) keys += "#";
    else if (code === OSDP_KEY_STAR) keys += "*";
    else if ((code >= 0x30 && code <= 0x39) || code === 0x23 || code === 0x2a)
      keys += String.fromCharCode(code);
    else return null;
  }
  return keys.length > 0 ? keys : null;
}
