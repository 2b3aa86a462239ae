import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStaticFallback } from "../../src/operations/fallback-twiml.js";
import { runScript, type CliResult } from "../helpers/cli.js";
import { parseTwiml } from "../helpers/line.js";

const voice = { voice: "Polly.Joanna", language: "en-US" };

describe("the static fallback TwiML", () => {
  describe("with a fallback number", () => {
    const twiml = parseTwiml(renderStaticFallback({ fallbackNumber: "+14035550199", voice }));

    it("apologises and says the 9-1-1 sentence before anything else", () => {
      expect(twiml.says.slice(0, 2)).toEqual([
        "We're sorry, the City's phone system is having trouble.",
        "If this is a life-threatening emergency, hang up and dial 9-1-1.",
      ]);
    });

    it("connects every caller to the fallback number, at any hour, then says goodbye", () => {
      expect(twiml.verbs).toEqual(["Say", "Say", "Say", "Dial", "Say", "Hangup"]);
      expect(twiml.text("Dial")).toBe("+14035550199");
    });

    it("names no URL, so it works while the line's own host is down", () => {
      expect(twiml.xml).not.toMatch(/https?:/);
      expect(twiml.attrs("Dial")).not.toHaveProperty("action");
    });
  });

  describe("without one", () => {
    const twiml = parseTwiml(renderStaticFallback({ fallbackNumber: undefined, voice }));

    it("apologises and asks the caller to call again, connecting them nowhere", () => {
      expect(twiml.verbs).toEqual(["Say", "Say", "Say", "Hangup"]);
      expect(twiml.says[2]).toBe("Please call again in a few minutes. Goodbye.");
    });
  });

  it("speaks with the flow's voice and language", () => {
    expect(parseTwiml(renderStaticFallback({ fallbackNumber: undefined, voice })).attrs("Say")).toEqual({ language: "en-US", voice: "Polly.Joanna" });
  });
});

describe("npm run fallback:twiml", { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "civic-fallback-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe("with FALLBACK_NUMBER set", () => {
    let result: CliResult;
    beforeAll(async () => {
      result = await runScript("fallback-twiml.ts", [], { FALLBACK_NUMBER: "+14035550199" });
    });

    it("prints a TwiML document that dials it, with the main flow's voice", () => {
      expect(result.code).toBe(0);
      const twiml = parseTwiml(result.stdout.trim());
      expect(twiml.text("Dial")).toBe("+14035550199");
      expect(twiml.attrs("Say")).toEqual({ language: "en-US", voice: "Polly.Joanna" });
    });

    it("says on stderr where to host it, and why", () => {
      expect(result.stderr).toContain("host it apart from the line (a Twilio TwiML Bin, or a static file host)");
    });
  });

  it("writes the document to --out exactly, the XML declaration first", async () => {
    const out = path.join(dir, "fallback.xml");
    const result = await runScript("fallback-twiml.ts", ["--out", out, "--number", "none"], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(readFileSync(out, "utf8")).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Say/);
  });

  it("refuses to guess when no fallback number is set: none must be said on purpose", async () => {
    const result = await runScript("fallback-twiml.ts", [], { FALLBACK_NUMBER: "" });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('no fallback number: set FALLBACK_NUMBER or --number');
  });

  it("refuses a number that is not E.164, naming it", async () => {
    const result = await runScript("fallback-twiml.ts", ["--number", "403-555-0199"], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"403-555-0199" is not an E.164 number such as +14035550199');
  });
});
