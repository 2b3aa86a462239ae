/**
 * Who may use the console and the API, and what each may do: roles, the permissions they carry,
 * the rules for usernames and passwords, and how long a run of failed sign-ins makes the next one
 * wait. Pure: hashing, storage and clocks live in the shell.
 */
import { didYouMean } from "./validation.js";

/** The roles, from the least to the most trusted: each may do everything the ones before it may. */
export const ROLES = ["viewer", "supervisor", "admin"] as const;

/**
 * - `viewer` reads everything;
 * - `supervisor` also edits, publishes and sets the emergency message;
 * - `admin` also manages accounts.
 */
export type Role = (typeof ROLES)[number];

/** What a request asks to do. */
export type Permission = "read" | "edit" | "manage-accounts";

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ["read"],
  supervisor: ["read", "edit"],
  admin: ["read", "edit", "manage-accounts"],
};

/**
 * Whether someone with `role` may do `permission`.
 *
 * @example may("supervisor", "edit") // true
 * @example may("supervisor", "manage-accounts") // false
 */
export function may(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/**
 * Whether `role` is `needed` or above it: a route for supervisors admits admins too.
 *
 * @example roleAtLeast("admin", "supervisor") // true
 */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Something about an account that cannot be so; the message says how to put it right. */
export class AccountRuleError extends Error {
  override readonly name: string = "AccountRuleError";
}

/** A username that does not follow the rules. */
export class InvalidUsernameError extends AccountRuleError {
  override readonly name = "InvalidUsernameError";
}

/** A password too short or too long to be taken. */
export class WeakPasswordError extends AccountRuleError {
  override readonly name = "WeakPasswordError";
}

/** A role that is not viewer, supervisor or admin. */
export class UnknownRoleError extends AccountRuleError {
  override readonly name = "UnknownRoleError";
}

/**
 * Parses a role as a person typed it.
 *
 * @throws UnknownRoleError naming the roles there are, with a suggestion for a typo
 */
export function parseRole(text: string): Role {
  const role = text.trim().toLowerCase();
  if (isRole(role)) return role;
  const near = didYouMean(role, ROLES);
  throw new UnknownRoleError(`unknown role "${text}"${near ? ` (did you mean "${near}"?)` : ""}; the roles are ${ROLES.join(", ")}`);
}

/** A username once lower-cased: a letter, then 1 to 31 letters, digits, dots, dashes or underscores. */
export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{1,31}$/;

/**
 * The username as it is stored: trimmed and lower-cased, so `Alice` and `alice` are one account.
 *
 * @throws InvalidUsernameError saying what a username may be
 * @example normalizeUsername(" Alice ") // "alice"
 */
export function normalizeUsername(input: string): string {
  const username = input.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) {
    throw new InvalidUsernameError(
      `username "${input}" is not valid: use 2 to 32 characters, a letter first, then letters, digits, dots, dashes or underscores (e.g. dana.s)`,
    );
  }
  return username;
}

/** NIST SP 800-63B's floor for a password chosen by its owner, raised: a passphrase is easy to type. */
export const MIN_PASSWORD_LENGTH = 12;

/** Long enough for any passphrase; the bound keeps a megabyte "password" from costing a hash's worth of memory. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Characters as people count them: an accented letter or an emoji is one, whatever its UTF-16 length. */
function characters(text: string): number {
  return [...text].length;
}

/**
 * Checks a new password against the policy: 12 to 1024 characters, anything allowed (spaces too).
 *
 * @throws WeakPasswordError saying what is wrong
 */
export function checkNewPassword(password: string): void {
  const length = characters(password);
  if (length < MIN_PASSWORD_LENGTH) {
    throw new WeakPasswordError(
      `the password is too short (${length} characters): use at least ${MIN_PASSWORD_LENGTH}, e.g. a few words with spaces between them`,
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new WeakPasswordError(`the password is too long (${length} characters): use at most ${MAX_PASSWORD_LENGTH}`);
  }
}

/** Whether a password could be anyone's: the length any password taken by `checkNewPassword` has. */
export function couldBeAPassword(password: string): boolean {
  const length = characters(password);
  return length >= 1 && length <= MAX_PASSWORD_LENGTH;
}

/** How a run of failed sign-ins slows the next attempt. */
export interface GrowingDelay {
  /** Failures that cost nothing: a person mistyping a few times is not kept waiting. */
  freeFailures: number;
  /** The wait after the first failure past the free ones, in whole seconds; it doubles with each failure after. */
  firstDelaySeconds: number;
  /** The wait never grows past this, in whole seconds. */
  maxDelaySeconds: number;
}

/**
 * The wait, in whole seconds, after `failures` failed sign-ins in a row: none for the free ones,
 * then `firstDelaySeconds`, doubling with each failure, up to `maxDelaySeconds`.
 *
 * @example delayAfterFailures(7, { freeFailures: 5, firstDelaySeconds: 2, maxDelaySeconds: 900 }) // 4
 */
export function delayAfterFailures(failures: number, policy: GrowingDelay): number {
  if (failures <= policy.freeFailures) return 0;
  // Past 2^30 the delay is the cap anyway; the bound keeps the power finite.
  const doublings = Math.min(failures - policy.freeFailures - 1, 30);
  return Math.min(policy.maxDelaySeconds, policy.firstDelaySeconds * 2 ** doublings);
}
