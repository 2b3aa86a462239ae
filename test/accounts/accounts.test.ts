/**
 * The account service against the real Redis, as the console, the API and `npm run users` use
 * it: signing in and out, sessions and tokens, the growing wait after failures, and every change
 * written to the audit log with who made it.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AccountExistsError,
  LastAdminError,
  UnknownAccountError,
  type AccountService,
  type SignInResult,
} from "../../src/accounts/accounts.js";
import { createRedisAccountService } from "../../src/accounts/redis-account-service.js";
import type { RedisAuditLog } from "../../src/adapters/redis/audit-log.js";
import { InvalidUsernameError, UnknownRoleError, WeakPasswordError } from "../../src/domain/accounts.js";
import { REDIS_URL } from "../helpers/line.js";

const FAST = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };
const PASSWORD = "correct horse battery staple";
const prefixes: string[] = [];
const redis = new Redis(REDIS_URL);

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

/** A service of its own for each situation: its own accounts, audit and failure counts. */
function freshService(options: Parameters<typeof createRedisAccountService>[1] = {}): { accounts: AccountService; audit: RedisAuditLog; prefix: string } {
  const prefix = `test-${randomBytes(4).toString("hex")}:`;
  prefixes.push(prefix);
  return { ...createRedisAccountService(redis, { prefix, passwordHashing: FAST, ...options }), prefix };
}

const ADDRESS = "203.0.113.10";

function signedIn(result: SignInResult) {
  if (result.outcome !== "signed-in") throw new Error(`expected a sign-in, got ${JSON.stringify(result)}`);
  return result;
}

describe("signing in", () => {
  const { accounts, audit, prefix } = freshService();
  beforeAll(async () => {
    await accounts.add({ username: "dana", role: "supervisor", password: PASSWORD, by: "cli" });
  });

  describe("with the right password", () => {
    it("makes a session with its own CSRF token, for the account and its role", async () => {
      const { session, user } = signedIn(await accounts.signIn("dana", PASSWORD, ADDRESS));
      expect(user).toEqual({ username: "dana", role: "supervisor" });
      expect(session).toMatchObject({ username: "dana", id: expect.stringMatching(/^[\w-]{43}$/), csrfToken: expect.stringMatching(/^[\w-]{43}$/) });
      expect(session.csrfToken).not.toBe(session.id);
    });

    it("takes the username however it is capitalised", async () => {
      expect((await accounts.signIn(" Dana", PASSWORD, ADDRESS)).outcome).toBe("signed-in");
    });

    it("gives a session that finds its user, the next request and on any instance", async () => {
      const { session } = signedIn(await accounts.signIn("dana", PASSWORD, ADDRESS));
      const elsewhere = createRedisAccountService(redis, { prefix, passwordHashing: FAST }).accounts;
      expect(await elsewhere.sessionFor(session.id)).toEqual({ session, user: { username: "dana", role: "supervisor" } });
    });
  });

  describe("with a wrong password", () => {
    it("is refused, with no wait for a first mistake", async () => {
      expect(await accounts.signIn("dana", "wrong horse battery staple", ADDRESS)).toEqual({ outcome: "refused" });
    });

    it("is written to the audit log with the address", async () => {
      await accounts.signIn("dana", "wrong horse battery staple", "198.51.100.20");
      expect((await audit.entries({ user: "dana" }))[0]).toMatchObject({
        user: "dana",
        action: "sign-in-refused",
        document: "account:dana",
        detail: "from 198.51.100.20: wrong password",
      });
    });
  });

  describe("as someone with no account", () => {
    it("is refused exactly as a wrong password is", async () => {
      expect(await accounts.signIn("nobody", PASSWORD, ADDRESS)).toEqual({ outcome: "refused" });
    });

    it("is written to the audit log too, without the name typed (often a password in the wrong field)", async () => {
      await accounts.signIn("correct-horse-battery", PASSWORD, "198.51.100.21");
      expect((await audit.entries({ user: "(no such account)" }))[0]).toMatchObject({ action: "sign-in-refused", detail: "from 198.51.100.21: no such account" });
      expect(JSON.stringify(await audit.entries())).not.toContain("correct-horse-battery");
    });
  });

  describe("with guesses sent all at once from one address", () => {
    it("checks them one at a time, so each failure is counted before the next is checked and the wait grows", async () => {
      const results = await Promise.all(Array.from({ length: 12 }, () => accounts.signIn("dana", "not the password at all", "198.51.100.77")));
      expect(results.every((result) => result.outcome === "refused")).toBe(true);
      expect(results.some((result) => result.outcome === "refused" && (result.retryAfterSeconds ?? 0) > 0)).toBe(true);
      expect(await accounts.signIn("dana", PASSWORD, "198.51.100.77")).toMatchObject({ outcome: "refused", retryAfterSeconds: expect.any(Number) });
      // Only the free tries and the one that started the wait had their password checked.
      const checked = (await audit.entries({ user: "dana" })).filter((entry) => entry.detail?.startsWith("from 198.51.100.77: wrong password"));
      expect(checked.length).toBeLessThanOrEqual(6);
    });

    it("is refused for a name no account could have, and a password none could", async () => {
      expect(await accounts.signIn("x", PASSWORD, ADDRESS)).toEqual({ outcome: "refused" });
      expect(await accounts.signIn("dana", "", ADDRESS)).toEqual({ outcome: "refused" });
    });
  });
});

describe("how long a refusal takes", () => {
  // Real-sized hashing here: the point is that an unknown name costs a whole scrypt too.
  const { accounts } = freshService({ passwordHashing: { cost: 2 ** 14, blockSize: 8, parallelization: 1 } });
  beforeAll(async () => {
    await accounts.add({ username: "erin", role: "viewer", password: PASSWORD, by: "cli" });
  });

  /** The median time of each attempt, the two taking turns, so a machine that slows down meanwhile slows both alike. */
  async function medians(...attempts: (() => Promise<unknown>)[]): Promise<number[]> {
    const times = attempts.map((): number[] => []);
    for (let run = 0; run < 7; run++) {
      for (const [index, attempt] of attempts.entries()) {
        const start = performance.now();
        await attempt();
        times[index]!.push(performance.now() - start);
      }
    }
    return times.map((runs) => runs.sort((a, b) => a - b)[3]!);
  }

  it("is about the same for an unknown account as for a wrong password", async () => {
    const [wrongPassword, unknownAccount] = (await medians(
      () => accounts.signIn("erin", "not the password at all", `198.51.100.${randomBytes(1)[0]}`),
      () => accounts.signIn("nobody-here", "not the password at all", `198.51.100.${randomBytes(1)[0]}`),
    )) as [number, number];
    expect(unknownAccount / wrongPassword).toBeGreaterThan(0.5);
    expect(unknownAccount / wrongPassword).toBeLessThan(2);
  });
});

describe("failed sign-ins in a row", () => {
  const limits = {
    perAccountAndAddress: { freeFailures: 3, firstDelaySeconds: 1, maxDelaySeconds: 60, windowSeconds: 600 },
    perAddress: { freeFailures: 100, firstDelaySeconds: 1, maxDelaySeconds: 60, windowSeconds: 600 },
  };
  const { accounts, audit } = freshService({ signInLimits: limits });
  beforeAll(async () => {
    await accounts.add({ username: "fay", role: "viewer", password: PASSWORD, by: "cli" });
    for (let failure = 0; failure < 3; failure++) await accounts.signIn("fay", "wrong password!", ADDRESS);
  });

  it("cost nothing while free; the next says when to try again", async () => {
    expect(await accounts.signIn("fay", "wrong password!", ADDRESS)).toEqual({ outcome: "refused", retryAfterSeconds: 1 });
  });

  it("then refuse even the right password until the wait is over, saying how long is left", async () => {
    expect(await accounts.signIn("fay", PASSWORD, ADDRESS)).toEqual({ outcome: "refused", retryAfterSeconds: 1 });
  });

  it("are not written again while the wait lasts, so guessing cannot flood the audit log", async () => {
    const refusals = (await audit.entries({ user: "fay" })).filter((entry) => entry.action === "sign-in-refused");
    expect(refusals).toHaveLength(4);
    expect(refusals[0]!.detail).toBe(`from ${ADDRESS}: wrong password; further attempts refused for 1 s`);
  });

  it("make the next wait longer", async () => {
    await sleep(1100);
    expect(await accounts.signIn("fay", "wrong password!", ADDRESS)).toEqual({ outcome: "refused", retryAfterSeconds: 2 });
  });

  it("do not hold up the same account from another address", async () => {
    expect((await accounts.signIn("fay", PASSWORD, "198.51.100.99")).outcome).toBe("signed-in");
  });

  it("are forgotten at the next sign-in that succeeds", async () => {
    await sleep(2100);
    expect((await accounts.signIn("fay", PASSWORD, ADDRESS)).outcome).toBe("signed-in");
    expect(await accounts.signIn("fay", "wrong password!", ADDRESS)).toEqual({ outcome: "refused" });
  });
});

describe("a password hashed with weaker parameters than today's", () => {
  it("is hashed again with today's at its owner's next sign-in", async () => {
    const weak = freshService({ passwordHashing: { cost: 2 ** 8, blockSize: 8, parallelization: 1 } });
    await weak.accounts.add({ username: "gus", role: "viewer", password: PASSWORD, by: "cli" });
    const today = createRedisAccountService(redis, { prefix: weak.prefix, passwordHashing: FAST }).accounts;
    expect((await today.signIn("gus", PASSWORD, ADDRESS)).outcome).toBe("signed-in");
    const stored = JSON.parse((await redis.hget(`${weak.prefix}account:gus`, "password"))!) as { cost: number };
    expect(stored.cost).toBe(FAST.cost);
    expect((await today.signIn("gus", PASSWORD, ADDRESS)).outcome).toBe("signed-in");
  });
});

describe("a session", () => {
  const { accounts } = freshService({ sessions: { idleMs: 300 } });
  beforeAll(async () => {
    await accounts.add({ username: "hal", role: "supervisor", password: PASSWORD, by: "cli" });
    await accounts.add({ username: "root", role: "admin", password: PASSWORD, by: "cli" });
  });

  it("is not found once signed out", async () => {
    const { session } = signedIn(await accounts.signIn("hal", PASSWORD, ADDRESS));
    await accounts.signOut(session.id);
    expect(await accounts.sessionFor(session.id)).toBeNull();
  });

  it("lapses after the idle time", async () => {
    const { session } = signedIn(await accounts.signIn("hal", PASSWORD, ADDRESS));
    await sleep(450);
    expect(await accounts.sessionFor(session.id)).toBeNull();
  });

  it("carries the account's role as it is now, not as it was at sign-in", async () => {
    const { session } = signedIn(await accounts.signIn("hal", PASSWORD, ADDRESS));
    await accounts.setRole({ username: "hal", role: "viewer", by: "root" });
    expect((await accounts.sessionFor(session.id))?.user.role).toBe("viewer");
  });

  it("is not found for junk or for an id of the wrong shape", async () => {
    expect(await accounts.sessionFor("not a session")).toBeNull();
    expect(await accounts.sessionFor("")).toBeNull();
  });
});

describe("an API token", () => {
  const { accounts, audit } = freshService();
  let token: string;
  beforeAll(async () => {
    await accounts.add({ username: "ivy", role: "supervisor", password: PASSWORD, by: "cli" });
    token = await accounts.newToken({ username: "ivy", by: "cli" });
  });

  it("authenticates its holder with their role", async () => {
    expect(await accounts.authenticateToken(token)).toEqual({ username: "ivy", role: "supervisor" });
  });

  it("is one of several an account may hold", async () => {
    const second = await accounts.newToken({ username: "ivy", by: "cli" });
    expect(second).not.toBe(token);
    expect(await accounts.authenticateToken(second)).toEqual({ username: "ivy", role: "supervisor" });
    expect((await accounts.find("ivy"))?.tokens).toBe(2);
  });

  it("that was never made authenticates nobody", async () => {
    expect(await accounts.authenticateToken(`${token.slice(0, -1)}x`)).toBeNull();
    expect(await accounts.authenticateToken("")).toBeNull();
  });

  it("is written to the audit log without the token", async () => {
    const entry = (await audit.entries({ document: "account:ivy" }))[0]!;
    expect(entry).toMatchObject({ user: "cli", action: "token-created" });
    expect(JSON.stringify(entry)).not.toContain(token);
  });

  it("cannot be made for an account that does not exist", async () => {
    await expect(accounts.newToken({ username: "nobody", by: "cli" })).rejects.toThrow(UnknownAccountError);
  });
});

describe("adding an account", () => {
  const { accounts, audit } = freshService();

  it("stores the username lower-cased and lists it, without any hash", async () => {
    const added = await accounts.add({ username: "Jo", role: "viewer", password: PASSWORD, by: "root" });
    expect(added).toMatchObject({ username: "jo", role: "viewer", tokens: 0 });
    expect(await accounts.list()).toEqual([added]);
  });

  it("is written to the audit log with who added it and the role", async () => {
    expect((await audit.entries({ document: "account:jo" }))[0]).toMatchObject({ user: "root", action: "account-added", detail: "role viewer" });
  });

  it("is refused for a name already taken", async () => {
    await expect(accounts.add({ username: "JO", role: "admin", password: PASSWORD, by: "root" })).rejects.toThrow(AccountExistsError);
    expect((await accounts.find("jo"))?.role).toBe("viewer");
  });

  it("is refused for a password under 12 characters, and keeps nothing", async () => {
    await expect(accounts.add({ username: "kit", role: "viewer", password: "short pass", by: "root" })).rejects.toThrow(WeakPasswordError);
    expect(await accounts.find("kit")).toBeNull();
  });

  it("is refused for a bad username or role", async () => {
    await expect(accounts.add({ username: "1st", role: "viewer", password: PASSWORD, by: "root" })).rejects.toThrow(InvalidUsernameError);
    await expect(accounts.add({ username: "lee", role: "owner", password: PASSWORD, by: "root" })).rejects.toThrow(UnknownRoleError);
  });
});

describe("a new password", () => {
  const { accounts, audit } = freshService();
  let before: string;
  beforeAll(async () => {
    await accounts.add({ username: "max", role: "supervisor", password: PASSWORD, by: "cli" });
    before = signedIn(await accounts.signIn("max", PASSWORD, ADDRESS)).session.id;
    await accounts.setPassword({ username: "max", password: "a brand new passphrase", by: "cli" });
  });

  it("signs in, and the old one no longer does", async () => {
    expect((await accounts.signIn("max", "a brand new passphrase", ADDRESS)).outcome).toBe("signed-in");
    expect((await accounts.signIn("max", PASSWORD, ADDRESS)).outcome).toBe("refused");
  });

  it("ends the sessions made with the old one", async () => {
    expect(await accounts.sessionFor(before)).toBeNull();
  });

  it("is written to the audit log", async () => {
    expect((await audit.entries({ document: "account:max" })).map((entry) => entry.action)).toContain("password-changed");
  });

  it("is refused when short", async () => {
    await expect(accounts.setPassword({ username: "max", password: "too short", by: "cli" })).rejects.toThrow(WeakPasswordError);
  });
});

describe("removing an account", () => {
  const { accounts, audit } = freshService();
  let token: string;
  let session: string;
  beforeAll(async () => {
    await accounts.add({ username: "root", role: "admin", password: PASSWORD, by: "cli" });
    await accounts.add({ username: "ned", role: "supervisor", password: PASSWORD, by: "cli" });
    token = await accounts.newToken({ username: "ned", by: "cli" });
    session = signedIn(await accounts.signIn("ned", PASSWORD, ADDRESS)).session.id;
    await accounts.remove({ username: "ned", by: "root" });
  });

  it("ends its sessions and its tokens at once", async () => {
    expect(await accounts.sessionFor(session)).toBeNull();
    expect(await accounts.authenticateToken(token)).toBeNull();
  });

  it("is written to the audit log with who removed it", async () => {
    expect((await audit.entries({ document: "account:ned" }))[0]).toMatchObject({ user: "root", action: "account-removed", detail: "was supervisor" });
  });

  it("of an account that does not exist is refused", async () => {
    await expect(accounts.remove({ username: "ned", by: "root" })).rejects.toThrow(UnknownAccountError);
  });

  it("is refused for the only admin, who could not then be replaced from the console", async () => {
    await expect(accounts.remove({ username: "root", by: "root" })).rejects.toThrow(LastAdminError);
    await expect(accounts.setRole({ username: "root", role: "viewer", by: "root" })).rejects.toThrow(LastAdminError);
  });

  it("of an admin is taken once another admin exists", async () => {
    await accounts.add({ username: "other", role: "admin", password: PASSWORD, by: "cli" });
    await accounts.remove({ username: "root", by: "other" });
    expect(await accounts.find("root")).toBeNull();
  });
});
