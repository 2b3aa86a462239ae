/**
 * The sending rates `npm run storm` prints its least time for: its options, else the shell's
 * TWILIO_*_PER_SECOND, else Twilio's default; the line it starts keeps exactly those, and a line
 * it is pointed at (`--url`) is said to be assumed to.
 */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../scripts/lib/cli.js";
import { boundRatesNote, sendingRatesEnv, stormSendingRates } from "../../scripts/lib/storm-line.js";
import { loadConfig } from "../../src/config/env.js";
import { runScript } from "../helpers/cli.js";

describe("the sending rates a storm assumes", () => {
  describe("with no option and nothing in the shell", () => {
    it("are Twilio's defaults, 1 SMS and 1 call a second", () => {
      expect(stormSendingRates({}, {})).toEqual({ smsPerSecond: 1, callsPerSecond: 1 });
    });
  });

  describe("with TWILIO_SMS_PER_SECOND and TWILIO_CALLS_PER_SECOND in the shell", () => {
    const shell = { TWILIO_SMS_PER_SECOND: "30", TWILIO_CALLS_PER_SECOND: "5" };

    it("are the shell's", () => {
      expect(stormSendingRates({}, shell)).toEqual({ smsPerSecond: 30, callsPerSecond: 5 });
    });

    it("give way to --sms-per-second and --calls-per-second, each on its own", () => {
      expect(stormSendingRates({ "sms-per-second": "3" }, shell)).toEqual({ smsPerSecond: 3, callsPerSecond: 5 });
      expect(stormSendingRates({ "calls-per-second": "0.5" }, shell)).toEqual({ smsPerSecond: 30, callsPerSecond: 0.5 });
    });
  });

  it("refuse an option that is not a number above 0, naming it", () => {
    for (const bad of ["0", "-1", "fast", ""]) {
      expect(() => stormSendingRates({ "calls-per-second": bad }, {})).toThrow(UsageError);
    }
    expect(() => stormSendingRates({ "sms-per-second": "fast" }, {})).toThrow('--sms-per-second must be a number above 0, such as 1 or 0.5 (got "fast")');
  });

  it("are the ones the storm's own line is configured with, whatever the shell says", () => {
    const rates = { smsPerSecond: 3, callsPerSecond: 2 };
    const config = loadConfig({ NODE_ENV: "development", TWILIO_SMS_PER_SECOND: "30", TWILIO_CALLS_PER_SECOND: "30", ...sendingRatesEnv(rates) });
    expect(config.sendingRates).toEqual(rates);
  });
});

describe("what the storm says its least time assumes", () => {
  it("for the line it started: the rates it gave it", () => {
    expect(boundRatesNote({ smsPerSecond: 1, callsPerSecond: 1 }, "the storm's line")).toBe("at 1 SMS segment and 1 call a second, the rates the storm gave its line");
  });

  it("for a running line whose workers say their rates: theirs", () => {
    expect(boundRatesNote({ smsPerSecond: 3, callsPerSecond: 1 }, "the line's workers")).toBe("at 3 SMS segments and 1 call a second, the rates the line's workers say they keep");
  });

  it("for a running line none of whose workers says: an assumption, and how to correct it", () => {
    expect(boundRatesNote({ smsPerSecond: 1, callsPerSecond: 1 }, "assumed")).toBe(
      "assuming the line sends 1 SMS segment and 1 call a second: pass --sms-per-second/--calls-per-second if it is configured otherwise",
    );
    expect(boundRatesNote({ smsPerSecond: 30, callsPerSecond: 2 }, "assumed")).toMatch(/^assuming the line sends 30 SMS segments and 2 calls a second:/);
  });
});

describe("npm run storm with a rate that is no rate", () => {
  it("exits with code 2 before starting anything, saying what is wrong and how it is used", async () => {
    const result = await runScript("storm.ts", ["--url", "http://127.0.0.1:1", "--sms-per-second", "0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('storm: --sms-per-second must be a number above 0, such as 1 or 0.5 (got "0")');
    expect(result.stderr).toContain("--sms-per-second N, --calls-per-second N");
  });
});
