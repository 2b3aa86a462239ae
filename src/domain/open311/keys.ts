/**
 * Open311 api_keys: who may post requests (the City's web form), read them when reading is not
 * public, and, for a department's key, post updates to the department's own requests. Only a
 * hash of each key is kept; the key itself is shown once, when it is made.
 */

/** A key as kept: its holder's name, the hash of the secret, and the department it speaks for, if any. */
export interface Open311Key {
  /** Lower-case, as {@link normalizeKeyName} gives it; requests it files say `open311:<name>`. */
  name: string;
  /** SHA-256 of the key, hex. */
  hash: string;
  /** The department whose requests this key may update (its name in departments.yaml); null for a plain key. */
  department: string | null;
  /** ISO 8601. */
  createdAt: string;
}

/** Where keys are kept, shared by every web instance and `npm run open311`. */
export interface Open311KeyStore {
  /** Keeps the key; false (and nothing changed) when the name is taken. */
  add(key: Open311Key): Promise<boolean>;
  /** Every key without its hash, by name. */
  list(): Promise<Omit<Open311Key, "hash">[]>;
  /** Forgets the key; false when there was none by that name. */
  revoke(name: string): Promise<boolean>;
  /** The key with this hash, or null. */
  findByHash(hash: string): Promise<Open311Key | null>;
}

/** A key's name that breaks the rules. */
export class KeyNameError extends Error {
  override readonly name = "KeyNameError";
}

const KEY_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * A key's name, lower-cased: letters, digits, `.`, `_` and `-`, up to 64, as it appears in
 * `open311:<name>`.
 *
 * @example normalizeKeyName("Web-Form") // "web-form"
 * @throws KeyNameError
 */
export function normalizeKeyName(raw: string): string {
  const name = raw.trim().toLowerCase();
  if (!KEY_NAME.test(name)) {
    throw new KeyNameError(`"${raw.slice(0, 70)}" is not a key name: use up to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit (e.g. web-form)`);
  }
  return name;
}
