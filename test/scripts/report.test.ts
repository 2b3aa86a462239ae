/**
 * `npm run report`, run as the process an operator runs, against the records database the line
 * uses: a server through DATABASE_URL, and the embedded one under DATA_DIR (this test's process
 * holds it and serves it on its socket, as a running line does). The hours come from the
 * fixture's hours.yaml through FLOWS_DIR.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { FIGURE_DEFINITIONS, type Report } from "../../src/domain/reports/index.js";
import { runScript } from "../helpers/cli.js";
import { DATABASE_KINDS, recordsForCommand, testDatabase, type CommandRecords } from "../helpers/database.js";
import { callRecord } from "../helpers/records.js";

const FLOWS_DIR = "test/fixtures/hours/good";

describe.each(DATABASE_KINDS)("npm run report on %s", { timeout: 60_000 }, (kind) => {
  let records: CommandRecords;
  const report = (...args: string[]) => runScript("report.ts", args, { ...records.env, FLOWS_DIR });

  beforeAll(async () => {
    records = await recordsForCommand(kind);
    const store = new PostgresRecordStore(records.database);
    // Tuesday 8 December 2026 in Lethbridge (UTC-7): 09:15 answered by the IVR, 10:00 an agent after 30 s, 19:00 after hours, abandoned.
    await store.addCall(callRecord({ callSid: "CA1", startedAt: "2026-12-08T16:15:00.000Z", outcome: "answered-by-ivr" }));
    await store.addCall(callRecord({ callSid: "CA2", startedAt: "2026-12-08T17:00:00.000Z", outcome: "queued-to-agent", queue: { name: "utility-billing", waitSeconds: 30, result: "bridged" } }));
    await store.addCall(callRecord({ callSid: "CA3", startedAt: "2026-12-09T02:00:00.000Z", outcome: "abandoned", afterHours: true }));
  }, 60_000);
  afterAll(() => records.close());

  describe("--format table (the default)", () => {
    it("prints the period's figures, then what each one means", async () => {
      const result = await report("--from", "2026-12-07", "--to", "2026-12-09");
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Period: 2026-12-07 to 2026-12-09 (America/Edmonton), by day");
      // 2 of the 3 calls were answered without further action.
      expect(result.stdout).toMatch(/Answered without further action\s+2\s+66\.7%/);
      expect(result.stdout).toMatch(/^2026-12-08 Tue\s+3\s+1\s+1\s+1\s+1\s+0\s+0\s+1\s/m);
      // Named with its code beside it; this fixture has no departments.yaml, so the name is the code in words.
      expect(result.stdout).toMatch(/^Utility billing \(utility-billing\)\s+1\s+1\s+0\s+0\s+30 s\s+100\.0%\s+30 s$/m);
      // The legend wraps its lines: read it as one line.
      const legend = result.stdout.slice(result.stdout.indexOf("WHAT THE FIGURES MEAN")).replace(/\n\s+/g, " ");
      for (const [key, figure] of Object.entries(FIGURE_DEFINITIONS)) expect(legend).toContain(`${figure.label} (${key})`);
      expect(legend).toContain("after a wait of 60 s (SERVICE_LEVEL_SECONDS) or less");
    });

    it("takes the thresholds from SERVICE_LEVEL_SECONDS and SHORT_ABANDON_SECONDS", async () => {
      const result = await runScript("report.ts", ["--from", "2026-12-08", "--to", "2026-12-08"], { ...records.env, FLOWS_DIR, SERVICE_LEVEL_SECONDS: "20", SHORT_ABANDON_SECONDS: "5" });
      expect(result.stdout).toContain("service level 20 s, short abandon 5 s");
      // Answered after 30 s: not within 20 s.
      expect(result.stdout).toMatch(/^Utility billing \(utility-billing\)\s+1\s+1\s+0\s+0\s+30 s\s+0\.0%\s+30 s$/m);
    });
  });

  describe("--format csv", () => {
    it("prints one figure per row, for the period and each interval", async () => {
      const result = await report("--from", "2026-12-01", "--to", "2026-12-31", "--by", "week", "--format", "csv");
      expect(result.code).toBe(0);
      const lines = result.stdout.split("\r\n");
      expect(lines[0]).toBe("scope,from,to,figure,breakdown,value");
      expect(lines).toContain("period,2026-12-01,2026-12-31,calls.offered,,3");
      expect(lines).toContain("interval,2026-12-07,2026-12-13,calls.offered,,3");
      expect(lines).toContain("interval,2026-12-28,2026-12-31,calls.offered,,0");
    });
  });

  describe("--format json", () => {
    it("prints the report GET /api/reports answers", async () => {
      const result = await report("--from", "2026-12-08", "--to", "2026-12-08", "--format", "json");
      expect(result.code).toBe(0);
      const parsed = JSON.parse(result.stdout) as Report;
      expect(parsed.period).toMatchObject({ from: "2026-12-08", to: "2026-12-08", by: "day", zone: "America/Edmonton" });
      expect(parsed.totals.calls).toMatchObject({ offered: 3, afterHours: 1, answeredByIvr: 1, queued: 1, answeredByAgent: 1, abandonedInIvr: 1 });
    });
  });

  describe("bad input", () => {
    const refused = async (...args: string[]) => {
      const result = await report(...args);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      return result.stderr;
    };

    it("names a malformed date and shows how to write one", async () => {
      expect(await refused("--from", "2026-12-1", "--to", "2026-12-31")).toBe(
        'report: --from "2026-12-1" is not a date: write it as yyyy-MM-dd, e.g. 2026-12-01\nRun with --help for usage.\n',
      );
    });

    it("refuses a last day before the first", async () => {
      expect(await refused("--from", "2026-12-31", "--to", "2026-12-01")).toMatch(/^report: --to \(2026-12-01\) is before --from \(2026-12-31\)/);
    });

    it("asks for the dates it needs", async () => {
      expect(await refused()).toMatch(/^report: --from is required: a date written yyyy-MM-dd, e.g. 2026-12-01; --to is required/);
    });

    it("refuses an interval or a format it does not know", async () => {
      expect(await refused("--from", "2026-12-01", "--to", "2026-12-31", "--by", "quarter")).toMatch(/^report: --by "quarter" must be day, week or month/);
      expect(await refused("--from", "2026-12-01", "--to", "2026-12-31", "--format", "xml")).toMatch(/^report: --format "xml" must be table, csv or json/);
    });

    it("suggests the option meant", async () => {
      expect(await refused("--form", "2026-12-01")).toMatch(/^report: unknown option --form \(did you mean --from\?\)/);
    });
  });
});

describe("npm run report", { timeout: 60_000 }, () => {
  it("says what it does with --help", async () => {
    const result = await runScript("report.ts", ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run report -- --from yyyy-MM-dd --to yyyy-MM-dd \[--by day\|week\|month\] \[--format table\|csv\|json\]/);
  });

  it("refuses a records database migrated by a newer version of the line", async () => {
    const db = await testDatabase("postgres");
    try {
      await db.database.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'from-the-future', 'x')");
      const result = await runScript("report.ts", ["--from", "2026-12-01", "--to", "2026-12-01"], { DATABASE_URL: db.url!, FLOWS_DIR });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^report: the records database has migration 0999-from-the-future\.sql, which this version of Civic Line does not know/);
    } finally {
      await db.close();
    }
  });

  it("says so in one line when the database does not answer", async () => {
    const result = await runScript("report.ts", ["--from", "2026-12-01", "--to", "2026-12-01"], { DATABASE_URL: "postgres://postgres@127.0.0.1:1/civic", FLOWS_DIR });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^report: the records database cannot be opened \(DATABASE_URL postgres:\/\/postgres@127\.0\.0\.1:1\/civic\): .*\n$/);
  });

  it("says where it looked for the hours when there is no hours file", async () => {
    const result = await runScript("report.ts", ["--from", "2026-12-01", "--to", "2026-12-01"], { FLOWS_DIR: "no-such-folder", DATABASE_URL: "postgres://postgres@127.0.0.1:1/civic" });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("report: cannot read no-such-folder/hours.yaml, which gives the City's time zone and business days; set FLOWS_DIR (or --hours) to the line's hours.yaml\n");
  });
});
