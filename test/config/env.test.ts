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
  });
});
