import { runScript } from "../../helpers/cli.js";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../../fixtures/hours/load.js";

/** The table row for a date, its cells split on the column gaps. */
function row(stdout: string, date: string): string[] | undefined {
  return stdout
    .split("\n")
    .find((line) => line.startsWith(date))
    ?.split(/\s{2,}/);
}

const hoursCli = (args: string[], env: Record<string, string> = {}) => runScript("hours.ts", args, env);

// Each case starts its own process, so they run side by side, with room for a busy machine.
describe.concurrent("scripts/hours.ts", { timeout: 60_000 }, () => {
  describe("show --from 2026-12-20 --days 14", () => {
    const result = hoursCli(["show", "--from", "2026-12-20", "--days", "14"]);

    it("succeeds quietly", async () => {
      const { code, stderr } = await result;
      expect(code).toBe(0);
      expect(stderr).toBe("");
    });

    it("prints one row per day", async () => {
      const { stdout } = await result;
      expect(stdout.split("\n").filter((line) => /^\d{4}-\d{2}-\d{2}\s/.test(line))).toHaveLength(14);
    });

    it("shows the shortened day on 2026-12-24 with its hours and reason", async () => {
      expect(row((await result).stdout, "2026-12-24")).toEqual(["2026-12-24", "Thursday", "open", "08:00–12:00", "Christmas Eve, closing at noon"]);
    });

    it("names Christmas Day and the observed Boxing Day", async () => {
      const { stdout } = await result;
      expect(row(stdout, "2026-12-25")).toEqual(["2026-12-25", "Friday", "closed", "Christmas Day"]);
      expect(row(stdout, "2026-12-28")).toEqual(["2026-12-28", "Monday", "closed", "Boxing Day (observed)"]);
    });

    it("shows a regular day's hours", async () => {
      expect(row((await result).stdout, "2026-12-21")).toEqual(["2026-12-21", "Monday", "open", "08:00–16:30"]);
    });

    it("notes a weekend date whose holiday is observed on a weekday", async () => {
      expect(row((await result).stdout, "2026-12-26")).toEqual([
        "2026-12-26",
        "Saturday",
        "closed",
        "weekend; Boxing Day, observed Monday 2026-12-28",
      ]);
    });
  });

  it("holidays --year 2027 lists the year's holidays with observed notes", async () => {
    const { code, stdout } = await hoursCli(["holidays", "--year", "2027"]);
    expect(code).toBe(0);
    expect(row(stdout, "2027-12-27")).toEqual(["2027-12-27", "Monday", "Christmas Day", "observed; falls on Saturday 2027-12-25"]);
    expect(row(stdout, "2027-12-28")).toEqual(["2027-12-28", "Tuesday", "Boxing Day", "observed; falls on Sunday 2027-12-26"]);
    expect(row(stdout, "2027-03-26")).toEqual(["2027-03-26", "Friday", "Good Friday"]);
  });

  it("reads $FLOWS_DIR/hours.yaml", async () => {
    const { code, stdout } = await hoursCli(["show", "--from", "2027-01-15", "--days", "1"], { FLOWS_DIR: `${FIXTURES}/good` });
    expect(code).toBe(0);
    expect(stdout).toContain(`${FIXTURES}/good/hours.yaml`);
    expect(row(stdout, "2027-01-15")).toEqual(["2027-01-15", "Friday", "closed", "staff training"]);
  });

  it("--help prints the usage", async () => {
    const { code, stdout } = await hoursCli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run hours -- <command>/);
    expect(stdout).toContain("show [--from yyyy-MM-dd] [--days N] [--file PATH]");
    expect(stdout).toContain("holidays [--year YYYY] [--file PATH]");
  });

  describe("with bad arguments, says what is wrong on stderr and exits 1", () => {
    it.each([
      [["show", "--from", "2026-13-01"], 'hours: --from "2026-13-01" is not a date; write it as yyyy-MM-dd, e.g. 2026-12-20'],
      [["show", "--from", "20/12/2026"], 'hours: --from "20/12/2026" is not a date; write it as yyyy-MM-dd, e.g. 2026-12-20'],
      [["show", "--days", "0"], 'hours: --days "0" must be a whole number from 1 to 366'],
      [["show", "--days", "367"], 'hours: --days "367" must be a whole number from 1 to 366'],
      [["show", "--frm", "2026-12-20"], "hours: unknown option --frm (did you mean --from?)"],
      [["show", "--from"], "hours: option --from needs a value"],
      [["shwo"], 'hours: unknown command "shwo" (did you mean "show"?)'],
      [["holidays", "--year", "next"], 'hours: --year "next" must be a whole number from 1900 to 2200'],
    ])("%j", async (args, message) => {
      const { code, stdout, stderr } = await hoursCli(args);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr.split("\n")[0]).toBe(message);
    });
  });

  it("with a bad file, prints one line per problem and exits 1", async () => {
    const file = `${FIXTURES}/bad/many-problems.yaml`;
    const { code, stdout, stderr } = await hoursCli(["show", "--file", file]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(6);
    expect(lines[2]).toBe(`${file}: weekly[0].days[1]: unknown weekday "tuseday" (did you mean "tuesday"?)`);
  });

  it("with a file that does not exist, says so and exits 1", async () => {
    const { code, stderr } = await hoursCli(["holidays", "--file", "no/such/hours.yaml"]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("hours: cannot read no/such/hours.yaml: no such file");
  });
});
