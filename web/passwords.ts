/**
 * Password hashes for the console's logins: scrypt (node:crypto) with a random salt, the cost
 * parameters written into the hash itself (`scrypt$N$r$p$salt$key`, base64url), so a later version
 * can raise them and old hashes still verify. Hashing runs on libuv's thread pool (the async
 * scrypt), never on the event loop the doors depend on.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { AccessGwError } from "../config/errors.js";

/** The cost of new hashes: N=2^14, r=8, p=1 (16 MiB; scrypt's own figure for interactive logins, ~0.1 s on a small box). */
const COST = { N: 2 ** 14, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** The shortest password accepted (NIST SP 800-63B's floor for a password chosen by its user). */
export const MIN_PASSWORD = 8;
/** The longest: a bound on the work one login costs, far above any real password. */
export const MAX_PASSWORD = 256;

interface Cost {
  N: number;
  r: number;
  p: number;
}

/** scrypt as a promise; maxmem leaves room for the cost of the hash being checked. */
function derive(password: string, salt: Buffer, cost: Cost, bytes: number): Promise<Buffer> {
  const maxmem = 256 * cost.N * cost.r + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, bytes, { ...cost, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Refuses a password too short or too long, saying the bounds (never the password). */
export function checkPassword(password: string): void {
  const length = [...password].length;
  if (length === 0) throw new AccessGwError("USER_INVALID", "the password is empty");
  if (length < MIN_PASSWORD)
    throw new AccessGwError(
      "USER_INVALID",
      `the password is ${length} characters long; at least ${MIN_PASSWORD} are needed`,
    );
  if (length > MAX_PASSWORD)
    throw new AccessGwError("USER_INVALID", `the password is longer than ${MAX_PASSWORD} characters`);
}

/** A new hash of `password` with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST, KEY_BYTES);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** The parts of a stored hash, or undefined when it is not one of ours. */
function parseHash(hash: string): { cost: Cost; salt: Buffer; key: Buffer } | undefined {
  const [kind, n, r, p, salt, key] = hash.split("$");
  if (kind !== "scrypt" || salt === undefined || key === undefined) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds keep a tampered file from making one login take the box's memory.
  const sane = Number.isInteger(cost.N) && cost.N >= 2 && cost.N <= 2 ** 20 && (cost.N & (cost.N - 1)) === 0;
  if (!sane || !(cost.r >= 1 && cost.r <= 32) || !(cost.p >= 1 && cost.p <= 16)) return undefined;
  return { cost, salt: Buffer.from(salt, "base64url"), key: Buffer.from(key, "base64url") };
}

/** Whether `hash` is a hash this module can verify (the users file checks each one it reads). */
export function isPasswordHash(hash: string): boolean {
  return parseHash(hash) !== undefined;
}

/** Whether `password` is the one `hash` was made from (compared in constant time). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (!parsed || parsed.key.length === 0) return false;
  if ([...password].length > MAX_PASSWORD) return false;
  const key = await derive(password, parsed.salt, parsed.cost, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** A hash no password matches, checked for an unknown user so that its answer takes as long. */
export const DECOY_HASH = `scrypt$${COST.N}$${COST.r}$${COST.p}$${randomBytes(SALT_BYTES).toString("base64url")}$${randomBytes(KEY_BYTES).toString("base64url")}`;
