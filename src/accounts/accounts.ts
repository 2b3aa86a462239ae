/**
 * Accounts as the console, the API and `npm run users` use them: signing in and out, finding who
 * a session or a token belongs to, and managing accounts, each change written to the audit log
 * with who made it.
 */
import {
  checkNewPassword,
  couldBeAPassword,
  normalizeUsername,
  parseRole,
  roleAtLeast,
  USERNAME_PATTERN,
  type Role,
} from "../domain/accounts.js";
import type { Account, AccountStore, AuditEntry, AuditLog, Session, SessionStore, SignInLimiter } from "../domain/ports.js";
import {
  decoyPasswordHash,
  DEFAULT_SCRYPT,
  hashApiToken,
  hashPassword,
  isWeakerThan,
  newApiToken,
  newSecret,
  SECRET_PATTERN,
  verifyPassword,
  type ScryptParameters,
} from "./secrets.js";

/** Who a request comes from. */
export interface User {
  username: string;
  role: Role;
}

/** An account as shown to people: no hashes. */
export interface AccountSummary {
  username: string;
  role: Role;
  /** How many API tokens it holds. */
  tokens: number;
  /** ISO 8601. */
  createdAt: string;
}

export type SignInResult =
  | { outcome: "signed-in"; session: Session; user: User }
  /**
   * A wrong password and an unknown account look the same. `retryAfterSeconds` is there when the
   * next attempt must wait (too many failures); without it, the person may try again at once.
   */
  | { outcome: "refused"; retryAfterSeconds?: number };

/** Who `npm run users` writes into the audit log as the one who made a change. */
export const COMMAND_LINE_USER = "cli";

/** A change to an account that cannot be made; the message says why, in words for the person asking. */
export class AccountError extends Error {
  override readonly name: string = "AccountError";
}

/** The username is taken. */
export class AccountExistsError extends AccountError {
  override readonly name = "AccountExistsError";
  constructor(readonly username: string) {
    super(`there is already an account "${username}"`);
  }
}

/** There is no account by that name. */
export class UnknownAccountError extends AccountError {
  override readonly name = "UnknownAccountError";
  constructor(readonly username: string) {
    super(`there is no account "${username}"`);
  }
}

/** The change would leave nobody able to manage accounts from the console. */
export class LastAdminError extends AccountError {
  override readonly name = "LastAdminError";
  constructor(readonly username: string) {
    super(`"${username}" is the only admin: make another account admin first, so someone can still manage accounts`);
  }
}

export interface AccountServiceDependencies {
  accounts: AccountStore;
  sessions: SessionStore;
  audit: AuditLog;
  limiter: SignInLimiter;
  /** @defaultValue the system clock */
  now?: () => Date;
  /**
   * The scrypt parameters of new password hashes; a hash made with weaker ones is made again at
   * its owner's next sign-in.
   * @defaultValue DEFAULT_SCRYPT
   */
  passwordHashing?: ScryptParameters;
}

/**
 * Signing in, sessions, API tokens and account management.
 *
 * @example
 * const result = await accounts.signIn("dana", "a long passphrase", req.ip);
 * if (result.outcome === "signed-in") setSessionCookie(res, result.session.id, { secureCookies });
 */
export class AccountService {
  private readonly accounts: AccountStore;
  private readonly sessions: SessionStore;
  private readonly audit: AuditLog;
  private readonly limiter: SignInLimiter;
  private readonly now: () => Date;
  private readonly hashing: ScryptParameters;

  constructor(deps: AccountServiceDependencies) {
    this.accounts = deps.accounts;
    this.sessions = deps.sessions;
    this.audit = deps.audit;
    this.limiter = deps.limiter;
    this.now = deps.now ?? (() => new Date());
    this.hashing = deps.passwordHashing ?? DEFAULT_SCRYPT;
  }

  /**
   * Signs `username` in with `password`, from `address` (the client's IP). An unknown account
   * costs the same scrypt as a wrong password, so the time taken does not tell them apart.
   * Refusals are written to the audit log with the address; attempts refused while a wait lasts
   * are not, so that guessing cannot push real changes out of the capped log.
   */
  async signIn(username: string, password: string, address: string): Promise<SignInResult> {
    const typed = username.trim().toLowerCase().slice(0, 64);

    // One check at a time per account and address: a burst of guesses is not checked faster than
    // they are counted. A second attempt waits its turn a moment, then is told to try again.
    if (!(await this.claimCheck(typed, address))) return { outcome: "refused", retryAfterSeconds: 1 };
    let account: Account | null;
    let matches: boolean;
    try {
      // Read once the check is ours, so an attempt that waited its turn sees the failures before it.
      const wait = await this.limiter.waitFor(typed, address);
      if (wait > 0) return { outcome: "refused", retryAfterSeconds: Math.ceil(wait / 1000) };
      account = USERNAME_PATTERN.test(typed) ? await this.accounts.get(typed) : null;
      matches = couldBeAPassword(password) && (await verifyPassword(password, account?.password ?? decoyPasswordHash(this.hashing)));
    } finally {
      await this.limiter.finished(typed, address);
    }
    if (!account || !matches) {
      const waitNext = await this.limiter.failed(typed, address);
      const retryAfterSeconds = waitNext > 0 ? Math.ceil(waitNext / 1000) : undefined;
      const then = retryAfterSeconds ? `; further attempts refused for ${retryAfterSeconds} s` : "";
      // A name that is no account's is not kept: it is often a password typed in the wrong field.
      const who = account ? account.username : "(no such account)";
      await this.record({ user: who, action: "sign-in-refused", document: `account:${who}`, detail: `from ${address}: ${account ? "wrong password" : "no such account"}${then}` });
      return retryAfterSeconds ? { outcome: "refused", retryAfterSeconds } : { outcome: "refused" };
    }

    await this.limiter.succeeded(typed, address);
    if (isWeakerThan(account.password, this.hashing)) {
      await this.accounts.setPassword(account.username, await hashPassword(password, this.hashing));
    }
    const session: Session = { id: newSecret(), username: account.username, csrfToken: newSecret(), createdAt: this.now().toISOString() };
    await this.sessions.create(session);
    return { outcome: "signed-in", session, user: { username: account.username, role: account.role } };
  }

  /**
   * Who the session belongs to, now (a role changed since sign-in counts at once), its idle
   * timer restarted; null for an unknown or lapsed session, or one whose account is gone.
   */
  async sessionFor(id: string): Promise<{ session: Session; user: User } | null> {
    if (!SECRET_PATTERN.test(id)) return null;
    const session = await this.sessions.touch(id);
    if (!session) return null;
    const account = await this.accounts.get(session.username);
    if (!account) {
      await this.sessions.delete(id);
      return null;
    }
    return { session, user: { username: account.username, role: account.role } };
  }

  /** Ends the session; an unknown one is no error (signing out twice is signing out). */
  async signOut(id: string): Promise<void> {
    if (SECRET_PATTERN.test(id)) await this.sessions.delete(id);
  }

  /** Who holds the API token (the text after `Bearer `), or null. */
  async authenticateToken(token: string): Promise<User | null> {
    if (token.length === 0 || token.length > 200) return null;
    const account = await this.accounts.findByTokenHash(hashApiToken(token));
    return account ? { username: account.username, role: account.role } : null;
  }

  /**
   * Adds an account.
   *
   * @param change.by - who adds it, for the audit log (`cli` from the command line)
   * @throws InvalidUsernameError, UnknownRoleError, WeakPasswordError, AccountExistsError
   */
  async add(change: { username: string; role: string; password: string; by: string }): Promise<AccountSummary> {
    const username = normalizeUsername(change.username);
    const role = parseRole(change.role);
    checkNewPassword(change.password);
    const account = { username, role, password: await hashPassword(change.password, this.hashing), createdAt: this.now().toISOString() };
    if (!(await this.accounts.add(account))) throw new AccountExistsError(username);
    await this.record({ user: change.by, action: "account-added", document: `account:${username}`, detail: `role ${role}` });
    return { username, role, tokens: 0, createdAt: account.createdAt };
  }

  /**
   * Removes an account, its tokens and its sessions, at once.
   *
   * @throws UnknownAccountError, LastAdminError
   */
  async remove(change: { username: string; by: string }): Promise<void> {
    const account = await this.existing(change.username);
    if (account.role === "admin") await this.refuseIfLastAdmin(account.username);
    if (!(await this.accounts.remove(account.username))) throw new UnknownAccountError(account.username);
    await this.sessions.deleteFor(account.username);
    await this.record({ user: change.by, action: "account-removed", document: `account:${account.username}`, detail: `was ${account.role}` });
  }

  /**
   * Sets a new password and ends every session of the account: whoever knew the old one is out.
   *
   * @throws UnknownAccountError, WeakPasswordError
   */
  async setPassword(change: { username: string; password: string; by: string }): Promise<void> {
    const account = await this.existing(change.username);
    checkNewPassword(change.password);
    if (!(await this.accounts.setPassword(account.username, await hashPassword(change.password, this.hashing)))) {
      throw new UnknownAccountError(account.username);
    }
    await this.sessions.deleteFor(account.username);
    await this.record({ user: change.by, action: "password-changed", document: `account:${account.username}` });
  }

  /**
   * Gives an account another role, effective at its next request.
   *
   * @throws UnknownAccountError, UnknownRoleError, LastAdminError
   */
  async setRole(change: { username: string; role: string; by: string }): Promise<void> {
    const account = await this.existing(change.username);
    const role = parseRole(change.role);
    if (role === account.role) return;
    if (account.role === "admin") await this.refuseIfLastAdmin(account.username);
    if (!(await this.accounts.setRole(account.username, role))) throw new UnknownAccountError(account.username);
    await this.record({ user: change.by, action: "role-changed", document: `account:${account.username}`, detail: `${account.role} to ${role}` });
  }

  /**
   * Makes a new API token for the account. Only its hash is kept: the token is returned once,
   * to be shown once.
   *
   * @throws UnknownAccountError
   */
  async newToken(change: { username: string; by: string }): Promise<string> {
    const account = await this.existing(change.username);
    const { token, hash } = newApiToken();
    if (!(await this.accounts.addToken(account.username, { hash, createdAt: this.now().toISOString() }))) {
      throw new UnknownAccountError(account.username);
    }
    await this.record({ user: change.by, action: "token-created", document: `account:${account.username}` });
    return token;
  }

  /** The account, without hashes, or null when there is none by that name. */
  async find(username: string): Promise<AccountSummary | null> {
    const normalized = username.trim().toLowerCase();
    const account = USERNAME_PATTERN.test(normalized) ? await this.accounts.get(normalized) : null;
    return account ? summary(account) : null;
  }

  /** Every account, by username, without hashes. */
  async list(): Promise<AccountSummary[]> {
    return (await this.accounts.list()).map(summary);
  }

  private async existing(username: string): Promise<Account> {
    const normalized = username.trim().toLowerCase();
    const account = USERNAME_PATTERN.test(normalized) ? await this.accounts.get(normalized) : null;
    if (!account) throw new UnknownAccountError(username);
    return account;
  }

  /** Not atomic with the change that follows: two admins removing each other at the same instant could both succeed. */
  private async claimCheck(username: string, address: string): Promise<boolean> {
    for (let tries = 0; tries < 10; tries++) {
      if (await this.limiter.checking(username, address)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  private async refuseIfLastAdmin(username: string): Promise<void> {
    const admins = (await this.accounts.list()).filter((account) => roleAtLeast(account.role, "admin"));
    if (admins.every((account) => account.username === username)) throw new LastAdminError(username);
  }

  private async record(entry: Omit<AuditEntry, "id" | "at">): Promise<void> {
    await this.audit.record({ at: this.now().toISOString(), ...entry });
  }
}

function summary(account: Account): AccountSummary {
  return { username: account.username, role: account.role, tokens: account.tokens.length, createdAt: account.createdAt };
}
