import { describe, expect, it } from "vitest";
import { ConfigError, DEVELOPMENT_AUTH_TOKEN, loadConfig } from "../../src/config/env.js";

const production = {
  NODE_ENV: "production",
  PUBLIC_URL: "https://311.example.org/",
  TWILIO_AUTH_TOKEN: "secret-token-value",
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  describe("in production", () => {
    it("uses the documented defaults", () => {
      expect(loadConfig(production)).toMatchObject({
        port: 3000,
        redisUrl: "redis://127.0.0.1:6379",
        flowsDir: "flows",
        logLevel: "info",
        fallbackNumber: undefined,
      });
    });

    it("drops a trailing slash from PUBLIC_URL, since signatures are checked over PUBLIC_URL + path", () => {
      expect(loadConfig(production).publicUrl).toBe("https://311.example.org");
    });

    it("requires TWILIO_AUTH_TOKEN and PUBLIC_URL, naming both at once", () => {
      expect(problemsOf({ NODE_ENV: "production" })).toEqual([
        "TWILIO_AUTH_TOKEN is required unless NODE_ENV=development",
        "PUBLIC_URL is required unless NODE_ENV=development",
      ]);
    });

    it("names every bad variable", () => {
      const problems = problemsOf({ ...production, PORT: "eighty", REDIS_URL: "http://x", FALLBACK_NUMBER: "403-555-0100", LOG_LEVEL: "loud" });
      expect(problems).toHaveLength(4);
      expect(problems.join("\n")).toMatch(/PORT/);
      expect(problems.join("\n")).toMatch(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
      expect(problems.join("\n")).toMatch(/FALLBACK_NUMBER must be an E\.164 number/);
      expect(problems.join("\n")).toMatch(/LOG_LEVEL/);
    });

    it("never puts the auth token in its error message", () => {
      const bad = { ...production, PORT: "-1" };
      expect(() => loadConfig(bad)).toThrow(ConfigError);
      expect(problemsOf(bad).join("\n")).not.toContain("secret-token-value");
    });

    it("treats an empty variable as unset", () => {
      expect(loadConfig({ ...production, FALLBACK_NUMBER: "" }).fallbackNumber).toBeUndefined();
    });
  });

  describe("in development", () => {
    it("checks signatures with the development token and serves on localhost", () => {
      const config = loadConfig({ NODE_ENV: "development", PORT: "4000" });
      expect(config.twilioAuthToken).toBe(DEVELOPMENT_AUTH_TOKEN);
      expect(config.publicUrl).toBe("http://localhost:4000");
    });

    it("accepts the development token behind a PUBLIC_URL on this machine", () => {
      expect(loadConfig({ NODE_ENV: "development", PUBLIC_URL: "http://127.0.0.1:3000" }).twilioAuthToken).toBe(DEVELOPMENT_AUTH_TOKEN);
    });

    it("refuses the public development token when PUBLIC_URL is reachable from elsewhere", () => {
      expect(problemsOf({ NODE_ENV: "development", PUBLIC_URL: "https://abc123.ngrok.example" })).toEqual([
        "TWILIO_AUTH_TOKEN is required when PUBLIC_URL (https://abc123.ngrok.example) is not on this machine: the development token is public",
      ]);
    });
  });

  describe("paging through Twilio", () => {
    const sid = "AC0123456789abcdef0123456789abcdef";

    it("keeps pages in the console pager when TWILIO_ACCOUNT_SID is not set", () => {
      expect(loadConfig(production).twilio).toBeUndefined();
    });

    it("pages through Twilio's own API when the SID and the from number are set", () => {
      expect(loadConfig({ ...production, TWILIO_ACCOUNT_SID: sid, TWILIO_FROM_NUMBER: "+14035550311" }).twilio).toEqual({
        accountSid: sid,
        fromNumber: "+14035550311",
        apiUrl: undefined,
      });
    });

    it("sends the REST calls to TWILIO_API_URL when it is set", () => {
      const config = loadConfig({ ...production, TWILIO_ACCOUNT_SID: sid, TWILIO_FROM_NUMBER: "+14035550311", TWILIO_API_URL: "http://127.0.0.1:4010" });
      expect(config.twilio?.apiUrl).toBe("http://127.0.0.1:4010");
    });

    it("requires TWILIO_FROM_NUMBER with the SID", () => {
      expect(problemsOf({ ...production, TWILIO_ACCOUNT_SID: sid })).toEqual(["TWILIO_FROM_NUMBER is required when TWILIO_ACCOUNT_SID is set"]);
    });

    it("names a malformed SID, from number and API URL", () => {
      const problems = problemsOf({ ...production, TWILIO_ACCOUNT_SID: "AC123", TWILIO_FROM_NUMBER: "403-555-0311", TWILIO_API_URL: "ftp://x" });
      expect(problems.join("\n")).toMatch(/TWILIO_ACCOUNT_SID must be a Twilio account SID/);
      expect(problems.join("\n")).toMatch(/TWILIO_FROM_NUMBER must be the E\.164 Twilio number/);
      expect(problems.join("\n")).toMatch(/TWILIO_API_URL must be an http\(s\) URL/);
    });
  });
});
