/**
 * `npm run open311`, run as the process an operator runs: keys made (the last word of the
 * output), listed without secrets, revoked, and the refusals said in one line with exit code 1.
 */
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisOpen311KeyStore } from "../../src/adapters/redis/open311-key-store.js";
import { runScript, type CliResult } from "../helpers/cli.js";

// The command writes the line's own key names (civic:open311:...); a database of its own keeps
// them away from a dev server and from the other tests' databases.
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/7";
const REDIS_URL = base.toString();

const open311 = (...args: string[]): Promise<CliResult> => runScript("open311.ts", args, { REDIS_URL });
const lastWord = (run: CliResult) => run.stdout.trim().split(/\s+/).at(-1)!;

let redis: Redis;
let keys: RedisOpen311KeyStore;

async function clean(): Promise<void> {
  const stale = await redis.keys("civic:open311:*");
  if (stale.length > 0) await redis.del(...stale);
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  keys = new RedisOpen311KeyStore(redis);
  await clean();
});
afterAll(async () => {
  await clean();
  redis.disconnect();
});

describe("npm run open311", { timeout: 60_000 }, () => {
  describe("key add", () => {
    let run: CliResult;
    beforeAll(async () => {
      run = await open311("key", "add", "Web-Form");
    });

    it("prints a new key as the last word", () => {
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(lastWord(run)).toMatch(/^civic311_[\w-]{43}$/);
      expect(run.stdout).toMatch(/^New Open311 key "web-form", shown once/);
    });

    it("gives a key that opens the endpoint, held by the name lower-cased", async () => {
      expect(await keys.holderOf(lastWord(run))).toMatchObject({ name: "web-form", department: null });
    });

    it("keeps only its SHA-256", async () => {
      const stored = JSON.stringify(await redis.hgetall("civic:open311:keys")) + JSON.stringify(await redis.hgetall("civic:open311:key-hashes"));
      expect(stored).not.toContain(lastWord(run));
      expect(stored).toContain(createHash("sha256").update(lastWord(run)).digest("hex"));
    });
  });

  describe("key add --department", () => {
    it("makes a department's key, which may post the department's updates", async () => {
      const run = await open311("key", "add", "water-works", "--department", "Water and Wastewater");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('for the department "Water and Wastewater"');
      expect(await keys.holderOf(lastWord(run))).toMatchObject({ name: "water-works", department: "Water and Wastewater" });
    });

    it("is refused for a department the line does not have, naming the nearest and every one it has, and makes no key", async () => {
      const run = await open311("key", "add", "water-system", "--department", "Water an Wastewater");
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('the line has no department "Water an Wastewater" (did you mean "Water and Wastewater"?)');
      expect(run.stderr).toContain('"Electric Utility", "Water and Wastewater"');
      expect((await keys.list()).map((key) => key.name)).not.toContain("water-system");
    });
  });

  describe("key add, refused", () => {
    it("for a name already taken", async () => {
      const run = await open311("key", "add", "web-form");
      expect([run.code, run.stderr]).toEqual([1, 'open311: there is already a key "web-form"; revoke it first, or choose another name\n']);
    });

    it("for a name that breaks the rules, pointing at --help", async () => {
      const run = await open311("key", "add", "web form!");
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^open311: "web form!" is not a key name: .+\nRun with --help for usage\.\n$/);
    });

    it("without a name", async () => {
      const run = await open311("key", "add");
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^open311: key add needs the key's name, e.g. npm run open311 -- key add web-form\n/);
    });

    it("with a department's name left unquoted", async () => {
      const run = await open311("key", "add", "roads", "--department", "Public", "Works");
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/unexpected argument "Works": key add takes one name \(quote a department's name/);
    });
  });

  describe("key list", () => {
    it("shows each key's name, department and creation time, and no secret", async () => {
      const run = await open311("key", "list");
      expect(run.code).toBe(0);
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^Name\s+Department\s+Created$/);
      expect(lines[1]).toMatch(/^water-works\s+Water and Wastewater\s+\d{4}-\d{2}-\d{2}T/);
      expect(lines[2]).toMatch(/^web-form\s+-\s+\d{4}-/);
      expect(run.stdout).not.toContain("civic311_");
      expect(run.stdout).not.toMatch(/[0-9a-f]{64}/);
    });
  });

  describe("key revoke", () => {
    it("forgets the key: it opens nothing any more", async () => {
      const made = await open311("key", "add", "temporary");
      const run = await open311("key", "revoke", "temporary");
      expect([run.code, run.stdout]).toEqual([0, 'Revoked the Open311 key "temporary": it opens nothing from now on.\n']);
      expect(await keys.holderOf(lastWord(made))).toBeNull();
      expect((await open311("key", "list")).stdout).not.toContain("temporary");
    });

    it("is refused for a key that does not exist", async () => {
      const run = await open311("key", "revoke", "nobody");
      expect([run.code, run.stderr]).toEqual([1, 'open311: there is no key "nobody"; see them with: npm run open311 -- key list\n']);
    });
  });

  it("suggests the likely action for a mistyped one", async () => {
    const run = await open311("key", "revok", "web-form");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^open311: unknown action "revok" \(did you mean "revoke"\?\)/);
  });

  it("says in one line when Redis does not answer", async () => {
    const run = await runScript("open311.ts", ["key", "list"], { REDIS_URL: "redis://127.0.0.1:1" });
    expect([run.code, run.stderr]).toEqual([1, "open311: Redis does not answer at redis://127.0.0.1:1; set REDIS_URL to the line's Redis\n"]);
  });
});
