/**
 * `npm run users`, run as the process an operator runs, with the password piped in on standard
 * input: the first admin, API tokens (the last word of the output), list, passwd and remove, and
 * the refusals said in one line with exit code 1.
 */
import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountService } from "../../src/accounts/accounts.js";
import { createRedisAccountService } from "../../src/accounts/redis-account-service.js";
import type { RedisAuditLog } from "../../src/adapters/redis/audit-log.js";

// The command writes the line's own key names (civic:accounts, civic:audit:...); a database of its
// own keeps them away from a dev server and from the other tests' databases (10 to 15).
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/9";
const REDIS_URL = base.toString();
const KEYS = ["civic:account*", "civic:api-tokens", "civic:audit:*", "civic:session*", "civic:sign-in:*"];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tsx scripts/users.ts ...args` as `npm run users` does, with `input` on a piped standard input. */
function users(args: string[], input = ""): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/users.ts", ...args], { env: { ...process.env, REDIS_URL }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

let redis: Redis;
let accounts: AccountService;
let audit: RedisAuditLog;

async function clean(): Promise<void> {
  for (const pattern of KEYS) {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) await redis.del(...keys);
  }
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  ({ accounts, audit } = createRedisAccountService(redis));
  await clean();
});
afterAll(async () => {
  await clean();
  redis.disconnect();
});

describe("npm run users", { timeout: 60_000 }, () => {
  describe("add, with the password piped in", () => {
    let run: Run;
    beforeAll(async () => {
      run = await users(["add", "Alice", "--role", "admin"], "a long passphrase\n");
    });

    it("adds the account, lower-cased, and says how to make a token", () => {
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout).toBe("Added alice (admin). Make an API token with: npm run users -- token alice\n");
    });

    it("keeps a password that signs in", async () => {
      expect((await accounts.signIn("alice", "a long passphrase", "127.0.0.1")).outcome).toBe("signed-in");
    });

    it("keeps only a scrypt hash of it", async () => {
      const stored = await redis.hget("civic:account:alice", "password");
      expect(JSON.parse(stored!)).toMatchObject({ algorithm: "scrypt", cost: 32768, blockSize: 8, parallelization: 3 });
      expect(stored).not.toContain("passphrase");
    });

    it("is written to the audit log as made from the command line", async () => {
      expect((await audit.entries({ document: "account:alice" }))[0]).toMatchObject({ user: "cli", action: "account-added", detail: "role admin" });
    });
  });

  describe("add, refused", () => {
    it("for a password under 12 characters, saying so, and adds nothing", async () => {
      const run = await users(["add", "bob", "--role", "viewer"], "short pass\n");
      expect(run.code).toBe(1);
      expect(run.stderr).toBe("users: the password is too short (10 characters): use at least 12, e.g. a few words with spaces between them\n");
      expect(await accounts.find("bob")).toBeNull();
    });

    it("for no password on standard input", async () => {
      const run = await users(["add", "bob", "--role", "viewer"], "");
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^users: no password on standard input: pipe one in/);
    });

    it("for a name already taken", async () => {
      const run = await users(["add", "alice", "--role", "viewer"], "another long passphrase\n");
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('users: there is already an account "alice"; change its password with passwd\n');
    });

    it("for an unknown role, suggesting the likely one", async () => {
      const run = await users(["add", "bob", "--role", "supervsior"], "a long passphrase\n");
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^users: unknown role "supervsior" \(did you mean "supervisor"\?\)/);
    });

    it("without a role or a username, pointing at --help and never with a stack trace", async () => {
      for (const args of [["add", "bob"], ["add", "--role", "viewer"], ["add", "9lives", "--role", "viewer"]]) {
        const run = await users(args, "a long passphrase\n");
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^users: .+\nRun with --help for usage\.\n$/);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
    });
  });

  describe("token", () => {
    let run: Run;
    beforeAll(async () => {
      await users(["add", "carol", "--role", "supervisor"], "carol's long passphrase\n");
      run = await users(["token", "carol"]);
    });

    it("prints a new token as the last word", () => {
      expect(run.code).toBe(0);
      expect(run.stdout.trim().split(/\s+/).at(-1)).toMatch(/^civic_[\w-]{43}$/);
    });

    it("gives a token that authenticates its holder", async () => {
      const token = run.stdout.trim().split(/\s+/).at(-1)!;
      expect(await accounts.authenticateToken(token)).toEqual({ username: "carol", role: "supervisor" });
    });

    it("is refused for an account that does not exist", async () => {
      const refused = await users(["token", "nobody"]);
      expect([refused.code, refused.stderr]).toEqual([1, 'users: there is no account "nobody"\n']);
    });
  });

  describe("list", () => {
    it("shows each account with its role and tokens, and no hash", async () => {
      const run = await users(["list"]);
      expect(run.code).toBe(0);
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^Username\s+Role\s+Tokens\s+Created$/);
      expect(lines.find((line) => line.startsWith("alice"))).toMatch(/^alice\s+admin\s+0\s+\d{4}-\d\d-\d\dT/);
      expect(lines.find((line) => line.startsWith("carol"))).toMatch(/^carol\s+supervisor\s+1\s/);
      expect(run.stdout).not.toContain("scrypt");
    });
  });

  describe("passwd, with the new password piped in", () => {
    beforeAll(async () => {
      await users(["add", "dave", "--role", "viewer"], "dave's first passphrase\n");
    });

    it("changes the password: the new one signs in, the old one no longer does", async () => {
      const run = await users(["passwd", "dave"], "dave's second passphrase\n");
      expect(run).toMatchObject({ code: 0, stdout: "Password changed for dave; its sessions are ended.\n" });
      expect((await accounts.signIn("dave", "dave's second passphrase", "127.0.0.1")).outcome).toBe("signed-in");
      expect((await accounts.signIn("dave", "dave's first passphrase", "127.0.0.1")).outcome).toBe("refused");
    });

    it("refuses a short one and keeps the old", async () => {
      const run = await users(["passwd", "dave"], "too short\n");
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^users: the password is too short/);
      expect((await accounts.signIn("dave", "dave's second passphrase", "127.0.0.1")).outcome).toBe("signed-in");
    });

    it("is refused for an account that does not exist", async () => {
      const run = await users(["passwd", "nobody"], "a long passphrase\n");
      expect([run.code, run.stderr]).toEqual([1, 'users: there is no account "nobody"\n']);
    });
  });

  describe("remove", () => {
    let token: string;
    beforeAll(async () => {
      await users(["add", "erin", "--role", "viewer"], "erin's long passphrase\n");
      token = (await users(["token", "erin"])).stdout.trim().split(/\s+/).at(-1)!;
    });

    it("removes the account and its tokens", async () => {
      const run = await users(["remove", "erin"]);
      expect(run).toMatchObject({ code: 0, stdout: "Removed erin, its API tokens and its sessions.\n" });
      expect((await users(["list"])).stdout).not.toMatch(/^erin\s/m);
      expect(await accounts.authenticateToken(token)).toBeNull();
    });

    it("is written to the audit log", async () => {
      expect((await audit.entries({ document: "account:erin" }))[0]).toMatchObject({ user: "cli", action: "account-removed" });
    });

    it("refuses to remove the only admin, saying what to do first", async () => {
      const run = await users(["remove", "alice"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('users: "alice" is the only admin: make another account admin first, so someone can still manage accounts\n');
    });
  });

  describe("with Redis not answering", () => {
    it("says so in one line", async () => {
      const run = await new Promise<Run>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "scripts/users.ts", "list"], { env: { ...process.env, REDIS_URL: "redis://127.0.0.1:1/9" } });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout: "", stderr }));
      });
      expect([run.code, run.stderr]).toEqual([1, "users: Redis does not answer at redis://127.0.0.1:1/9; set REDIS_URL to the line's Redis\n"]);
    });
  });
});
