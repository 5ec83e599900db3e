/**
 * The OSDP secure channel's cryptography (OSDP v2.2 annex D), pure functions over bytes with
 * Node's AES-128: session keys from the SCBK, the two cryptograms, the initial R-MAC, the MAC of a
 * message and the encrypted data blocks. It never frames packets: it works on the `macInput` and
 * `data` fields of the codec's packets. The session state (the MAC chain) is in secureSession.ts.
 */
import { type Cipher, createCipheriv, createDecipheriv, type Decipher, timingSafeEqual } from "node:crypto";
import { inspect } from "node:util";

export { SCS } from "./codes.js";
export { hasMac } from "./packet.js";

/** The default secure channel base key (install mode): the bytes 0x30 to 0x3F. */
export const SCBK_D: Uint8Array = Uint8Array.from({ length: 16 }, (_, i) => 0x30 + i);

/** The SCB data byte of CHLNG and CCRYPT: which key the handshake uses. */
export const KEY_MODE_BYTE = { scbk: 0x01, "scbk-d": 0x00 } as const;

/** Which base key a handshake uses: the reader's own SCBK, or SCBK-D in install mode. */
export type KeyMode = keyof typeof KEY_MODE_BYTE;

/** The three session keys derived from the SCBK and the CP's random number. */
export interface SessionKeys {
  sEnc: Uint8Array;
  sMac1: Uint8Array;
  sMac2: Uint8Array;
}

/** Why a secure channel step failed; outside input never throws, it gives one of these. */
export const SECURE_FAILURE_CODES = [
  "SC_CRYPTOGRAM_MISMATCH",
  "SC_KEY_MODE_MISMATCH",
  "SC_MALFORMED",
  "SC_OUT_OF_ORDER",
  "SC_REJECTED",
  "SC_RMAC_MISMATCH",
  "SC_MAC_MISMATCH",
  "SC_BAD_PADDING",
  "SC_NOT_SECURED",
] as const;

/** One of the named secure channel failures. */
export type SecureFailureCode = (typeof SECURE_FAILURE_CODES)[number];

/** A failed step: its code and what was expected and found. */
export interface SecureFailure {
  ok: false;
  code: SecureFailureCode;
  message: string;
}

/** Builds a failure result. */
export function secureFailure(code: SecureFailureCode, message: string): SecureFailure {
  return { ok: false, code, message };
}

/** Misuse by the caller (a key of the wrong size, a session used before it exists), never outside input. */
export class SecureChannelError extends Error {
  readonly code: "SC_KEY_INVALID" | "SC_ARGUMENT_INVALID" | "SC_NOT_READY";

  constructor(code: SecureChannelError["code"], message: string) {
    super(message);
    this.name = "SecureChannelError";
    this.code = code;
  }
}

/** Anything holding key material: JSON and util.inspect show only `shown()`, so keys never reach a log. */
export abstract class KeyHolder {
  /** The fields safe to show. */
  protected abstract shown(): Record<string, unknown>;

  /** What JSON.stringify (and so pino) writes. */
  toJSON(): Record<string, unknown> {
    return this.shown();
  }

  /** What console.log and util.inspect write. */
  [inspect.custom](): string {
    return `${this.constructor.name} ${JSON.stringify(this.shown())}`;
  }
}

const BLOCK = 16;
/** The end-of-message marker that starts the padding of MAC input and encrypted data. */
const PAD_MARKER = 0x80;

/** Throws unless `bytes` has exactly `length` bytes; keys and randoms come from our own code. */
export function requireLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length)
    throw new SecureChannelError(
      what.endsWith("key") ? "SC_KEY_INVALID" : "SC_ARGUMENT_INVALID",
      `${what}: expected ${length} bytes, got ${bytes.length}`,
    );
}

/**
 * AES-128 on single blocks under one key. Making a cipher costs several times what a packet's few
 * blocks cost, and every exchange on a secure bus needs three to five of them, so one ECB cipher
 * per key is kept and CBC is chained here. ECB without padding holds nothing back between calls.
 */
interface BlockCipher {
  /** The key it was made with: a key changed in place gets a new cipher. */
  key: Uint8Array;
  encrypt: Cipher;
  decrypt?: Decipher;
}

const blockCiphers = new WeakMap<Uint8Array, BlockCipher>();

function blockCipher(key: Uint8Array): BlockCipher {
  const known = blockCiphers.get(key);
  if (known !== undefined && equalKeys(known.key, key)) return known;
  const made: BlockCipher = {
    key: key.slice(),
    encrypt: createCipheriv("aes-128-ecb", key, null).setAutoPadding(false),
  };
  blockCiphers.set(key, made);
  return made;
}

/** Our own key against our own copy of it: no outside input, so a plain comparison. */
function equalKeys(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** AES-128 in ECB mode over whole blocks. */
function aesEcb(key: Uint8Array, input: Uint8Array): Uint8Array {
  return new Uint8Array(blockCipher(key).encrypt.update(input));
}

/** AES-128 in CBC mode over whole blocks. */
function aesCbc(key: Uint8Array, iv: Uint8Array, input: Uint8Array): Uint8Array {
  const { encrypt } = blockCipher(key);
  const out = new Uint8Array(input.length);
  const block = Buffer.allocUnsafe(BLOCK);
  let previous: Uint8Array = iv;
  for (let at = 0; at < input.length; at += BLOCK) {
    for (let i = 0; i < BLOCK; i++) block[i] = (input[at + i] as number) ^ (previous[i] as number);
    out.set(encrypt.update(block), at);
    previous = out.subarray(at, at + BLOCK);
  }
  return out;
}

/** AES-128 CBC decryption over whole blocks. */
function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, input: Uint8Array): Uint8Array {
  const cipher = blockCipher(key);
  cipher.decrypt ??= createDecipheriv("aes-128-ecb", key, null).setAutoPadding(false);
  const out = new Uint8Array(cipher.decrypt.update(input));
  for (let i = 0; i < out.length; i++)
    out[i] = (out[i] as number) ^ (i < BLOCK ? (iv[i] as number) : (input[i - BLOCK] as number));
  return out;
}

/** Derives S-ENC, S-MAC1 and S-MAC2: each the SCBK over 0x01, its code, the first 6 bytes of RND.A, zeros. */
export function deriveSessionKeys(scbk: Uint8Array, rndA: Uint8Array): SessionKeys {
  requireLength(scbk, BLOCK, "SCBK key");
  requireLength(rndA, 8, "RND.A");
  const derive = (code: number): Uint8Array => {
    const block = new Uint8Array(BLOCK);
    block[0] = 0x01;
    block[1] = code;
    block.set(rndA.subarray(0, 6), 2);
    return aesEcb(scbk, block);
  };
  return { sEnc: derive(0x82), sMac1: derive(0x01), sMac2: derive(0x02) };
}

/** The client cryptogram the PD sends in CCRYPT: S-ENC over RND.A then RND.B. */
export function clientCryptogram(keys: SessionKeys, rndA: Uint8Array, rndB: Uint8Array): Uint8Array {
  return aesEcb(keys.sEnc, concat(rndA, rndB));
}

/** The server cryptogram the CP sends in SCRYPT: S-ENC over RND.B then RND.A. */
export function serverCryptogram(keys: SessionKeys, rndA: Uint8Array, rndB: Uint8Array): Uint8Array {
  return aesEcb(keys.sEnc, concat(rndB, rndA));
}

/** The initial R-MAC that starts the MAC chain: S-MAC1 then S-MAC2 over the server cryptogram. */
export function initialRmac(keys: SessionKeys, serverCrypt: Uint8Array): Uint8Array {
  return aesEcb(keys.sMac2, aesEcb(keys.sMac1, serverCrypt));
}

/**
 * The 16-byte MAC of one message: AES-CBC over `macInput` (padded 0x80 then zeros only when not a
 * whole number of blocks, as libosdp does) from `iv`, the last MAC of the other side, with S-MAC1
 * for all blocks but the last and S-MAC2 for the last. The wire carries its first 4 bytes.
 */
export function computeMac(keys: SessionKeys, iv: Uint8Array, macInput: Uint8Array): Uint8Array {
  requireLength(iv, BLOCK, "MAC IV");
  const padded = macInput.length % BLOCK === 0 && macInput.length > 0 ? macInput : pad(macInput);
  let chain = iv;
  if (padded.length > BLOCK) {
    const head = aesCbc(keys.sMac1, iv, padded.subarray(0, padded.length - BLOCK));
    chain = head.subarray(head.length - BLOCK);
  }
  return aesCbc(keys.sMac2, chain, padded.subarray(padded.length - BLOCK));
}

/** SCS_17/SCS_18 data: AES-CBC with S-ENC, the IV the complement of the last MAC received, always padded. */
export function encryptData(sEnc: Uint8Array, lastMacReceived: Uint8Array, plain: Uint8Array): Uint8Array {
  return aesCbc(sEnc, complement(lastMacReceived), pad(plain));
}

/** The plain data of an encrypted block, or a failure when it is not whole blocks or its padding is wrong. */
export function decryptData(
  sEnc: Uint8Array,
  lastMacReceived: Uint8Array,
  cipher: Uint8Array,
): { ok: true; data: Uint8Array } | SecureFailure {
  if (cipher.length === 0 || cipher.length % BLOCK !== 0)
    return secureFailure(
      "SC_MALFORMED",
      `encrypted data must be whole 16-byte blocks, got ${cipher.length} bytes`,
    );
  const plain = aesCbcDecrypt(sEnc, complement(lastMacReceived), cipher);
  let end = plain.length - 1;
  // The padding is 0x80 then up to 15 zeros: at most one block's worth to strip.
  while (end >= plain.length - BLOCK && plain[end] === 0) end--;
  if (end < plain.length - BLOCK || plain[end] !== PAD_MARKER)
    return secureFailure(
      "SC_BAD_PADDING",
      "decrypted data does not end in 0x80 then zeros (wrong key, IV or altered data)",
    );
  return { ok: true, data: plain.slice(0, end) };
}

/** Compares two byte strings in constant time; different lengths are simply unequal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bytes followed by 0x80 and zeros up to a whole number of blocks (at least one padding byte). */
function pad(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array((Math.floor(bytes.length / BLOCK) + 1) * BLOCK);
  out.set(bytes);
  out[bytes.length] = PAD_MARKER;
  return out;
}

/** The bitwise complement of a block. */
function complement(block: Uint8Array): Uint8Array {
  requireLength(block, BLOCK, "MAC used as IV");
  return block.map((b) => ~b & 0xff);
}

/** Two byte strings end to end. */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  requireLength(a, 8, "random number");
  requireLength(b, 8, "random number");
  const out = new Uint8Array(16);
  out.set(a);
  out.set(b, 8);
  return out;
}
