/**
 * R21: a member's PIN hash, a PHC string `$scrypt$ln=14,r=8,p=1$<salt>$<hash>`. Parsed here (pure,
 * no crypto) so that an import, a sync document and the gateway all refuse the same bad strings.
 */
import { z } from "zod";

/** The scrypt parameters and bytes of a parsed PIN hash. */
export interface PinHashParts {
  /** log2 of scrypt's cost N. */
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  /** 32 bytes (R21). */
  hash: Buffer;
}

/** R21: the hash is 32 bytes of scrypt. */
export const PIN_HASH_BYTES = 32;
/**
 * scrypt needs 128·N·r bytes of memory; the gateway is a small Linux box checking PINs while it
 * decides scans, so one check may take at most 64 MiB (ln=14, r=8 takes 16 MiB).
 */
export const PIN_HASH_MAX_MEMORY = 64 * 1024 * 1024;

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Standard base64 without padding (PHC): decoded, or null when it is not canonical. */
function unpadded64(text: string): Buffer | null {
  if (text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64").replace(/=+$/, "") === text ? bytes : null;
}

/** The memory scrypt needs for these parameters, in bytes. */
export function scryptMemory(ln: number, r: number): number {
  return 128 * 2 ** ln * r;
}

/** R21: the parts of a PIN hash, or what is wrong with it (never echoing the string). */
export function parsePinHash(
  text: string,
): { ok: true; parts: PinHashParts } | { ok: false; problem: string } {
  const m = PHC.exec(text);
  if (m === null)
    return { ok: false, problem: "expected a PHC string $scrypt$ln=<n>,r=<n>,p=<n>$<salt>$<hash>" };
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 1 || ln > 20) return { ok: false, problem: `ln=${ln}: expected 1 to 20` };
  if (r < 1 || p < 1 || p > 16) return { ok: false, problem: `r=${r},p=${p}: expected r ≥ 1 and p 1 to 16` };
  if (scryptMemory(ln, r) > PIN_HASH_MAX_MEMORY)
    return {
      ok: false,
      problem: `ln=${ln},r=${r} needs ${scryptMemory(ln, r) / 2 ** 20} MiB per check, at most ${PIN_HASH_MAX_MEMORY / 2 ** 20} MiB`,
    };
  const salt = unpadded64(m[4] as string);
  if (salt === null || salt.length < 8)
    return { ok: false, problem: "salt: expected at least 8 bytes in standard base64 without padding" };
  const hash = unpadded64(m[5] as string);
  if (hash === null || hash.length !== PIN_HASH_BYTES)
    return {
      ok: false,
      problem: `hash: expected ${PIN_HASH_BYTES} bytes in standard base64 without padding`,
    };
  return { ok: true, parts: { ln, r, p, salt, hash } };
}

/** R21: the member's `pinHash` field, validated (a bad string is refused with a reason, never stored). */
export const PinHash = z.string().superRefine((text, ctx) => {
  const parsed = parsePinHash(text);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.problem });
});
