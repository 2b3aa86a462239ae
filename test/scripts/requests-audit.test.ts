/**
 * `npm run requests -- close` in the line's audit log, run as the process an operator runs, on
 * both records databases: the close is recorded as made by "cli" with the note (and the name given
 * with --by said, not trusted), and when Redis cannot be reached the request is closed all the
 * same and a warning says the log does not have it.
 */
import { Redis } from "ioredis";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { RedisAuditLog } from "../../src/adapters/redis/audit-log.js";
import type { ServiceRequest } from "../../src/domain/records.js";
import { runScript, type CliResult } from "../helpers/cli.js";
import { DATABASE_KINDS, recordsForCommand, type CommandRecords } from "../helpers/database.js";
import { voicemailRequest } from "../helpers/records.js";

// The command writes the line's own key names (civic:audit:...); a database of its own keeps them
// away from a dev server and from the other tests' databases.
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/8";
const REDIS_URL = base.toString();
const NO_REDIS = "redis://127.0.0.1:1/8";

/** A voicemail left two hours ago. */
const callback = (reference: string): ServiceRequest => voicemailRequest({ reference, requestedAt: DateTime.now().minus({ hours: 2 }).toUTC().toISO()! });

let redis: Redis;
let audit: RedisAuditLog;

async function clean(): Promise<void> {
  const keys = await redis.keys("civic:audit:*");
  if (keys.length > 0) await redis.del(...keys);
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  audit = new RedisAuditLog(redis);
  await clean();
});
afterAll(async () => {
  await clean();
  redis.disconnect();
});

describe.each(DATABASE_KINDS)("npm run requests -- close, in the audit log, on %s", { timeout: 60_000 }, (kind) => {
  let records: CommandRecords;
  let store: PostgresRecordStore;
  // Each database's references apart, as both write to the same audit log.
  const ref = (number: number) => `${kind === "postgres" ? 6 : 7}${number}`;
  const requests = (redisUrl: string, ...args: string[]): Promise<CliResult> => runScript("requests.ts", args, { FLOWS_DIR: "flows", REDIS_URL: redisUrl, ...records.env });

  beforeAll(async () => {
    records = await recordsForCommand(kind);
    store = new PostgresRecordStore(records.database);
    for (const number of [201, 202, 203]) await store.addRequest(callback(ref(number)));
  }, 60_000);
  afterAll(() => records?.close());

  describe("closed by whoever runs it", () => {
    let run: CliResult;
    beforeAll(async () => {
      run = await requests(REDIS_URL, "close", ref(201), "--note", "Called back: <b>all</b> sorted");
    });

    it("closes the request and says nothing more", () => {
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout).toMatch(new RegExp(`^Closed ${ref(201)} \\(callback, .*\\) as cli:`));
    });

    it("records it as made by cli, with the request and the note", async () => {
      const entries = await audit.entries({ document: `request:${ref(201)}` });
      expect(entries).toEqual([{ id: expect.any(String), at: expect.any(String), user: "cli", action: "request-closed", document: `request:${ref(201)}`, message: "Called back: <b>all</b> sorted" }]);
      const found = await store.request(ref(201));
      expect(entries[0]!.at).toBe(found!.request.closedAt);
    });
  });

  it("says the name given with --by beside cli", async () => {
    const run = await requests(REDIS_URL, "close", ref(202), "--note", "Called back", "--by", "dana");
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(await audit.entries({ document: `request:${ref(202)}` })).toEqual([expect.objectContaining({ user: "cli", message: "Called back", detail: "closed as dana (--by)" })]);
  });

  it("records nothing for a request closed already", async () => {
    const run = await requests(REDIS_URL, "close", ref(201), "--note", "Me too");
    expect(run.stdout).toContain("was closed already");
    expect(await audit.entries({ document: `request:${ref(201)}` })).toHaveLength(1);
  });

  describe("when Redis cannot be reached", () => {
    let run: CliResult;
    beforeAll(async () => {
      run = await requests(NO_REDIS, "close", ref(203), "--note", "Called back while Redis was down");
    });

    it("closes the request all the same, with exit code 0", async () => {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Closed ${ref(203)} `));
      expect((await store.request(ref(203)))!.request.status).toBe("closed");
    });

    it("warns, in one line, that the audit log does not have it", () => {
      expect(run.stderr).toBe(`requests: warning: ${ref(203)} is closed, but the audit log does not have it: Redis does not answer at ${NO_REDIS}; set REDIS_URL to the line's Redis\n`);
      expect(run.stdout).not.toContain("warning");
    });
  });
});
