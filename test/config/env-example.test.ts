/**
 * `.env.example` is copied to `.env` by newcomers and by Cities alike: copied as it is, it must
 * not run a production line relaxed, and `npm run dev` must still run from it.
 */
import { describe, expect, it } from "vitest";
import { applyDevDefaults } from "../../scripts/lib/dev-line.js";
import { dotEnv } from "../../src/config/dotenv.js";
import { ConfigError, loadConfig } from "../../src/config/env.js";

const example = () => dotEnv(".env.example");

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe(".env.example copied to .env as it is", () => {
  it("leaves NODE_ENV unset, so the line runs as production", () => {
    expect(example()["NODE_ENV"]).toBeUndefined();
  });

  describe("under npm start", () => {
    it("refuses to start until the production settings are filled in, naming each", () => {
      const problems = problemsOf(example());
      for (const name of ["TWILIO_AUTH_TOKEN", "PUBLIC_URL", "FALLBACK_NUMBER", "TWILIO_ACCOUNT_SID"]) {
        expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
      }
    });
  });

  describe("under npm run dev", () => {
    it("runs in development with debug logs, on this machine only", () => {
      const env = example();
      applyDevDefaults(env);
      const config = loadConfig(env);
      expect(config.env).toBe("development");
      expect(config.logLevel).toBe("debug");
      expect(config.listenHost).toBe("127.0.0.1");
      expect(config.pager).toBe("console");
    });
  });
});

describe("what npm run dev sets itself", () => {
  it("gives way to what the environment or .env says", () => {
    const env: NodeJS.ProcessEnv = { NODE_ENV: "production", LOG_LEVEL: "warn" };
    applyDevDefaults(env);
    expect(env).toEqual({ NODE_ENV: "production", LOG_LEVEL: "warn" });
  });

  it("counts an empty value as unset, as the line does", () => {
    const env: NodeJS.ProcessEnv = { NODE_ENV: "", LOG_LEVEL: "" };
    applyDevDefaults(env);
    expect(env).toEqual({ NODE_ENV: "development", LOG_LEVEL: "debug" });
  });
});
