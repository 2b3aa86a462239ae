/**
 * The secrets of accounts, made and checked with node's own crypto: scrypt for passwords, SHA-256
 * for API tokens (random enough that a fast hash is safe), random session ids and CSRF tokens,
 * and comparisons that take the same time whatever they find.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { PasswordHash } from "../domain/ports.js";

/** scrypt's parameters: N, r and p. */
export interface ScryptParameters {
  /** N, a power of two: memory and time grow with it. */
  cost: number;
  /** r. */
  blockSize: number;
  /** p: more time, no more memory. */
  parallelization: number;
}

/**
 * OWASP's N=2^15, r=8, p=3: as strong as its N=2^17, p=1, in a quarter of the memory (32 MiB
 * rather than 128), which matters when a few supervisors sign in at once on a small server.
 * About a third of a second on a slow core.
 */
export const DEFAULT_SCRYPT: ScryptParameters = { cost: 2 ** 15, blockSize: 8, parallelization: 3 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** Passwords are compared as NFKC, so the same passphrase typed on another keyboard still matches. */
function passwordBytes(password: string): Buffer {
  return Buffer.from(password.normalize("NFKC"), "utf8");
}

function derive(password: string, salt: Buffer, parameters: ScryptParameters, length: number): Promise<Buffer> {
  const options: ScryptOptions = {
    N: parameters.cost,
    r: parameters.blockSize,
    p: parameters.parallelization,
    // scrypt needs 128 * N * r bytes; node refuses above 32 MiB unless told.
    maxmem: 256 * parameters.cost * parameters.blockSize + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(passwordBytes(password), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A slow salted hash of `password`, with a salt of its own and the parameters it was made with. */
export async function hashPassword(password: string, parameters: ScryptParameters = DEFAULT_SCRYPT): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, parameters, KEY_BYTES);
  return { algorithm: "scrypt", ...parameters, salt: salt.toString("base64"), hash: key.toString("base64") };
}

/** Whether `password` is the one `stored` was made from, compared in constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, "base64");
  const key = await derive(password, Buffer.from(stored.salt, "base64"), stored, expected.length);
  return timingSafeEqual(key, expected);
}

/**
 * A hash no password matches, with the cost of a real one: an unknown account is checked against
 * it, so that the time a refusal takes does not say whether the account exists.
 */
export function decoyPasswordHash(parameters: ScryptParameters = DEFAULT_SCRYPT): PasswordHash {
  return { algorithm: "scrypt", ...parameters, salt: randomBytes(SALT_BYTES).toString("base64"), hash: randomBytes(KEY_BYTES).toString("base64") };
}

/** Whether `stored` was made with weaker parameters than `parameters`: then it is made again at the next sign-in. */
export function isWeakerThan(stored: PasswordHash, parameters: ScryptParameters): boolean {
  const work = (p: ScryptParameters) => p.cost * p.blockSize * p.parallelization;
  return stored.cost < parameters.cost || work(stored) < work(parameters);
}

/** Every API token starts so; a secret scanner (or a person) can tell one in a log or a commit. */
export const API_TOKEN_PREFIX = "civic_";

/** A new API token (32 random bytes) and the hash that is kept of it. The token itself is shown once. */
export function newApiToken(): { token: string; hash: string } {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashApiToken(token) };
}

/** SHA-256, hex: enough for 256 random bits, which no one can guess to then try against a hash. */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A random secret for a session id or a CSRF token: 32 bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** What `newSecret` gives: checked before a lookup, so junk never reaches Redis. */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether two secrets are the same, in a time that does not depend on where they differ. Both
 * are hashed first, so their lengths (which timingSafeEqual insists on) give nothing away either.
 */
export function sameSecret(a: string, b: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}
