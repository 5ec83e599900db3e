/**
 * R21: checks a typed PIN against a member's `pinHash` with Node's async scrypt (the work runs on
 * libuv's thread pool, so scans at other readers go on while a PIN is checked).
 */
import { scrypt, timingSafeEqual } from "node:crypto";
import { parsePinHash, scryptMemory } from "../config/pinHash.js";

/**
 * R21: does `pin` (its digits, without `#`) match the PHC string? Resolves false for a string that
 * does not parse (import refuses those, so it means a damaged cache, never a grant).
 */
export function checkPin(pin: string, pinHash: string): Promise<boolean> {
  const parsed = parsePinHash(pinHash);
  if (!parsed.ok) return Promise.resolve(false);
  const { ln, r, p, salt, hash } = parsed.parts;
  // scrypt refuses parameters whose memory exceeds maxmem (32 MiB by default): allow what they need.
  const maxmem = scryptMemory(ln, r) * 2;
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(pin, "utf8"), salt, hash.length, { N: 2 ** ln, r, p, maxmem }, (err, key) => {
      if (err) reject(err);
      // Constant time: how long the comparison takes says nothing about how much of the PIN was right.
      else resolve(timingSafeEqual(key, hash));
    });
  });
}
