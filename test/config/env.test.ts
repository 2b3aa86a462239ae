import { describe, expect, it } from "vitest";
import { applyDevDefaults } from "../../scripts/lib/dev-line.js";
import { dotEnv } from "../../src/config/dotenv.js";
import { ConfigError, DEVELOPMENT_AUTH_TOKEN, loadConfig, loadRedisConfig } from "../../src/config/env.js";

const sid = "AC0123456789abcdef0123456789abcdef";

/** A complete production environment: a real pager and a fallback number. */
const production = {
  NODE_ENV: "production",
  PUBLIC_URL: "https://311.example.org/",
  TWILIO_AUTH_TOKEN: "secret-token-value",
  TWILIO_ACCOUNT_SID: sid,
  TWILIO_FROM_NUMBER: "+14035550311",
  FALLBACK_NUMBER: "+14035550199",
};

/** `production` without the variables named. */
function without(...names: (keyof typeof production)[]): Record<string, string> {
  return Object.fromEntries(Object.entries(production).filter(([name]) => !names.includes(name as keyof typeof production)));
}

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
        redis: { url: "redis://127.0.0.1:6379" },
        flowsDir: "flows",
        logLevel: "info",
        fallbackNumber: "+14035550199",
        pager: "twilio",
      });
    });

    it("listens on every interface", () => {
      expect(loadConfig(production).listenHost).toBeUndefined();
    });

    it("drops a trailing slash from PUBLIC_URL, since signatures are checked over PUBLIC_URL + path", () => {
      expect(loadConfig(production).publicUrl).toBe("https://311.example.org");
    });

    it("names every missing variable at once", () => {
      expect(problemsOf({ NODE_ENV: "production" })).toEqual([
        "TWILIO_AUTH_TOKEN is required (Twilio console, Account Info; see the README's production checklist)",
        "PUBLIC_URL is required: the https address Twilio calls this line at (see the README's production checklist)",
        "TWILIO_ACCOUNT_SID is required to send pages (or set PAGER=console on purpose: pages are then kept in Redis and NOT sent)",
        "TWILIO_FROM_NUMBER is required to send pages, with TWILIO_ACCOUNT_SID: the number pages come from",
        'FALLBACK_NUMBER is required in production: the E.164 number callers reach when the line fails (or "none" on purpose)',
      ]);
    });

    it("names a missing variable even when another one is malformed", () => {
      expect(problemsOf({ ...without("TWILIO_ACCOUNT_SID", "FALLBACK_NUMBER"), PORT: "eighty" })).toEqual([
        expect.stringMatching(/^PORT /),
        expect.stringMatching(/^TWILIO_ACCOUNT_SID is required to send pages/),
        expect.stringMatching(/^FALLBACK_NUMBER is required in production/),
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
      expect(problemsOf({ ...production, FALLBACK_NUMBER: "" })).toEqual([expect.stringMatching(/^FALLBACK_NUMBER is required in production/)]);
    });

    describe("without a fallback number", () => {
      it("refuses to start, naming FALLBACK_NUMBER and how to go without one on purpose", () => {
        expect(problemsOf(without("FALLBACK_NUMBER"))).toEqual([
          'FALLBACK_NUMBER is required in production: the E.164 number callers reach when the line fails (or "none" on purpose)',
        ]);
      });

      it('starts with FALLBACK_NUMBER=none, and then has no fallback number', () => {
        expect(loadConfig({ ...production, FALLBACK_NUMBER: "none" }).fallbackNumber).toBeUndefined();
      });

      it("names a fallback number that is neither E.164 nor none", () => {
        expect(problemsOf({ ...production, FALLBACK_NUMBER: "None please" })).toEqual([
          'FALLBACK_NUMBER must be an E.164 number such as +14035550199, or "none" for no fallback number on purpose',
        ]);
      });
    });

    describe("without a real pager", () => {
      it("refuses to start, naming TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER and how to run without them on purpose", () => {
        expect(problemsOf(without("TWILIO_ACCOUNT_SID", "TWILIO_FROM_NUMBER"))).toEqual([
          "TWILIO_ACCOUNT_SID is required to send pages (or set PAGER=console on purpose: pages are then kept in Redis and NOT sent)",
          "TWILIO_FROM_NUMBER is required to send pages, with TWILIO_ACCOUNT_SID: the number pages come from",
        ]);
      });

      it("refuses to start with the SID alone, naming TWILIO_FROM_NUMBER", () => {
        expect(problemsOf(without("TWILIO_FROM_NUMBER"))).toEqual(["TWILIO_FROM_NUMBER is required when TWILIO_ACCOUNT_SID is set"]);
      });

      it("refuses to start in NODE_ENV=test too: only development relaxes it", () => {
        expect(problemsOf({ ...without("TWILIO_ACCOUNT_SID", "TWILIO_FROM_NUMBER"), NODE_ENV: "test" })).toHaveLength(2);
      });

      it("starts with the console pager when PAGER=console says so on purpose", () => {
        const config = loadConfig({ ...without("TWILIO_ACCOUNT_SID", "TWILIO_FROM_NUMBER"), PAGER: "console" });
        expect(config.pager).toBe("console");
        expect(config.twilio).toBeUndefined();
      });

      it("keeps pages in the console pager when PAGER=console, even with Twilio credentials set", () => {
        const config = loadConfig({ ...production, PAGER: "console" });
        expect(config.pager).toBe("console");
        expect(config.twilio).toBeUndefined();
      });

      it("names a PAGER that is neither twilio nor console", () => {
        expect(problemsOf({ ...production, PAGER: "sms" })).toEqual([
          'PAGER must be "twilio" (pages are sent) or "console" (pages are kept in Redis, NOT sent)',
        ]);
      });
    });
  });

  describe("Redis through Sentinel", () => {
    const sentinels = { REDIS_SENTINELS: "10.0.0.5:26379, 10.0.0.6:26379,redis-3.example.org:26380", REDIS_SENTINEL_NAME: "civic" };

    it("reaches the primary the sentinels name, keeping the URL's password and database", () => {
      expect(loadConfig({ ...production, ...sentinels, REDIS_URL: "redis://:secret@ignored:6379/3" }).redis).toEqual({
        url: "redis://:secret@ignored:6379/3",
        sentinel: {
          name: "civic",
          sentinels: [
            { host: "10.0.0.5", port: 26379 },
            { host: "10.0.0.6", port: 26379 },
            { host: "redis-3.example.org", port: 26380 },
          ],
        },
      });
    });

    it("takes an IPv6 sentinel in brackets", () => {
      expect(loadConfig({ ...production, REDIS_SENTINELS: "[::1]:26379", REDIS_SENTINEL_NAME: "civic" }).redis.sentinel?.sentinels).toEqual([{ host: "::1", port: 26379 }]);
    });

    it("names each entry that is not host:port", () => {
      expect(problemsOf({ ...production, ...sentinels, REDIS_SENTINELS: "10.0.0.5:26379,10.0.0.6,10.0.0.7:99999" })).toEqual([
        'REDIS_SENTINELS entry "10.0.0.6" is not host:port; write the sentinels as 10.0.0.5:26379,10.0.0.6:26379,10.0.0.7:26379',
        'REDIS_SENTINELS entry "10.0.0.7:99999" is not host:port; write the sentinels as 10.0.0.5:26379,10.0.0.6:26379,10.0.0.7:26379',
      ]);
    });

    it("asks for the primary's name with the sentinels, and for the sentinels with a name", () => {
      expect(problemsOf({ ...production, REDIS_SENTINELS: sentinels.REDIS_SENTINELS })).toEqual([
        "REDIS_SENTINEL_NAME is required with REDIS_SENTINELS: the name the sentinels know the primary by (sentinel monitor NAME ...)",
      ]);
      expect(problemsOf({ ...production, REDIS_SENTINEL_NAME: "civic" })).toEqual([
        "REDIS_SENTINELS is required with REDIS_SENTINEL_NAME: the sentinels' host:port, comma-separated",
      ]);
    });

    describe("that ask for a password", () => {
      const secret = "sentinels-own-secret";

      it("gives the sentinels REDIS_SENTINEL_PASSWORD, apart from the primary's password in REDIS_URL", () => {
        expect(loadConfig({ ...production, ...sentinels, REDIS_URL: "redis://:primary-secret@ignored:6379/3", REDIS_SENTINEL_PASSWORD: secret }).redis).toMatchObject({
          url: "redis://:primary-secret@ignored:6379/3",
          sentinel: { name: "civic", password: secret },
        });
      });

      it("gives them REDIS_SENTINEL_USERNAME too, for an ACL user", () => {
        expect(loadConfig({ ...production, ...sentinels, REDIS_SENTINEL_PASSWORD: secret, REDIS_SENTINEL_USERNAME: "civic-line" }).redis.sentinel).toMatchObject({
          password: secret,
          username: "civic-line",
        });
      });

      it("asks for no password when the sentinels take none", () => {
        const sentinel = loadConfig({ ...production, ...sentinels, REDIS_SENTINEL_PASSWORD: "" }).redis.sentinel!;
        expect(sentinel.password).toBeUndefined();
        expect(sentinel.username).toBeUndefined();
      });

      it("names a sentinel password or user given without sentinels: a single Redis's password goes in REDIS_URL", () => {
        expect(problemsOf({ ...production, REDIS_SENTINEL_PASSWORD: secret, REDIS_SENTINEL_USERNAME: "civic-line" })).toEqual([
          "REDIS_SENTINEL_PASSWORD is only for the sentinels, and REDIS_SENTINELS is not set: a single Redis's password goes in REDIS_URL (redis://:PASSWORD@host:6379)",
          "REDIS_SENTINEL_USERNAME is only for the sentinels, and REDIS_SENTINELS is not set: a single Redis's password goes in REDIS_URL (redis://:PASSWORD@host:6379)",
        ]);
      });

      it("asks for the password with a user", () => {
        expect(problemsOf({ ...production, ...sentinels, REDIS_SENTINEL_USERNAME: "civic-line" })).toEqual([
          "REDIS_SENTINEL_PASSWORD is required with REDIS_SENTINEL_USERNAME: the password of that user on the sentinels",
        ]);
      });

      it("never repeats the password in a problem", () => {
        const problems = problemsOf({ ...production, REDIS_SENTINEL_PASSWORD: secret, REDIS_SENTINEL_USERNAME: "two words" });
        expect(problems.length).toBeGreaterThan(0);
        expect(problems.join("\n")).not.toContain(secret);
      });

      it("is read by the command-line tools too", () => {
        expect(loadRedisConfig({ ...sentinels, REDIS_SENTINEL_PASSWORD: secret }).sentinel?.password).toBe(secret);
        expect(() => loadRedisConfig({ REDIS_SENTINEL_PASSWORD: secret })).toThrow(/REDIS_SENTINEL_PASSWORD is only for the sentinels/);
      });
    });

    it("is read the same way by the command-line tools, which need nothing else", () => {
      expect(loadRedisConfig(sentinels)).toEqual(loadConfig({ ...production, ...sentinels }).redis);
      expect(loadRedisConfig({})).toEqual({ url: "redis://127.0.0.1:6379" });
      expect(() => loadRedisConfig({ REDIS_SENTINELS: "nowhere" })).toThrow(/REDIS_SENTINELS entry "nowhere" is not host:port[\s\S]*REDIS_SENTINEL_NAME is required/);
    });
  });

  describe("behind a load balancer", () => {
    it("believes no proxy about the client's address unless TRUST_PROXY says so", () => {
      expect(loadConfig(production).trustProxy).toBeUndefined();
    });

    it("takes a number of hops as a number", () => {
      expect(loadConfig({ ...production, TRUST_PROXY: "1" }).trustProxy).toBe(1);
    });

    it("takes named ranges and subnets as written", () => {
      expect(loadConfig({ ...production, TRUST_PROXY: "10.0.0.0/8, loopback" }).trustProxy).toBe("10.0.0.0/8, loopback");
    });

    it("refuses anything else, saying what it takes", () => {
      expect(problemsOf({ ...production, TRUST_PROXY: "yes please" })).toEqual([expect.stringMatching(/^TRUST_PROXY must say which proxies to trust/)]);
    });
  });

  describe("in development", () => {
    it("checks signatures with the development token and serves on localhost", () => {
      const config = loadConfig({ NODE_ENV: "development", PORT: "4000" });
      expect(config.twilioAuthToken).toBe(DEVELOPMENT_AUTH_TOKEN);
      expect(config.publicUrl).toBe("http://localhost:4000");
    });

    it("listens on 127.0.0.1 only while the public development token checks signatures", () => {
      expect(loadConfig({ NODE_ENV: "development" }).listenHost).toBe("127.0.0.1");
    });

    it("listens on every interface once a real auth token is set", () => {
      expect(loadConfig({ NODE_ENV: "development", TWILIO_AUTH_TOKEN: "a-real-token" }).listenHost).toBeUndefined();
    });

    it("keeps pages in the console pager without Twilio credentials, and needs no fallback number", () => {
      const config = loadConfig({ NODE_ENV: "development" });
      expect(config.pager).toBe("console");
      expect(config.fallbackNumber).toBeUndefined();
    });

    it("pages through Twilio when the credentials are set", () => {
      expect(loadConfig({ NODE_ENV: "development", TWILIO_ACCOUNT_SID: sid, TWILIO_FROM_NUMBER: "+14035550311" }).pager).toBe("twilio");
    });

    it("refuses PAGER=twilio without the credentials", () => {
      expect(problemsOf({ NODE_ENV: "development", PAGER: "twilio" })).toEqual([
        "TWILIO_ACCOUNT_SID is required with PAGER=twilio",
        "TWILIO_FROM_NUMBER is required to send pages, with TWILIO_ACCOUNT_SID: the number pages come from",
      ]);
    });

    it("accepts the development token behind a PUBLIC_URL on this machine", () => {
      expect(loadConfig({ NODE_ENV: "development", PUBLIC_URL: "http://127.0.0.1:3000" }).twilioAuthToken).toBe(DEVELOPMENT_AUTH_TOKEN);
    });

    it("refuses the public development token when PUBLIC_URL is reachable from elsewhere", () => {
      expect(problemsOf({ NODE_ENV: "development", PUBLIC_URL: "https://abc123.ngrok.example" })).toContain(
        "TWILIO_AUTH_TOKEN is required when PUBLIC_URL (https://abc123.ngrok.example) is not on this machine: the development token is public",
      );
    });

    describe("with a PUBLIC_URL that Twilio can reach (a real number's line, run with NODE_ENV=development by mistake)", () => {
      const reachable = { NODE_ENV: "development", PUBLIC_URL: "https://311.lethbridge.example", TWILIO_AUTH_TOKEN: "a-real-token" };

      it("refuses to start without a real pager or a fallback number, as production does", () => {
        expect(problemsOf(reachable)).toEqual([
          "TWILIO_ACCOUNT_SID is required to send pages when PUBLIC_URL (https://311.lethbridge.example) is reachable from outside, even in development (or set PAGER=console on purpose: pages are then kept in Redis and NOT sent)",
          "TWILIO_FROM_NUMBER is required to send pages, with TWILIO_ACCOUNT_SID: the number pages come from",
          'FALLBACK_NUMBER is required when PUBLIC_URL (https://311.lethbridge.example) is reachable from outside, even in development: the E.164 number callers reach when the line fails (or "none" on purpose)',
        ]);
      });

      it("starts when PAGER=console and FALLBACK_NUMBER=none say so on purpose", () => {
        expect(loadConfig({ ...reachable, PAGER: "console", FALLBACK_NUMBER: "none" })).toMatchObject({ pager: "console", fallbackNumber: undefined });
      });
    });
  });

  describe("paging through Twilio", () => {
    it("pages through Twilio's own API when the SID and the from number are set", () => {
      expect(loadConfig(production).twilio).toEqual({
        accountSid: sid,
        fromNumber: "+14035550311",
        residentFromNumber: "+14035550311",
        apiUrl: undefined,
      });
    });

    it("sends the REST calls to TWILIO_API_URL when it is set", () => {
      const config = loadConfig({ ...production, TWILIO_API_URL: "http://127.0.0.1:4010" });
      expect(config.twilio?.apiUrl).toBe("http://127.0.0.1:4010");
    });

    it("texts residents from TWILIO_RESIDENT_FROM_NUMBER when it is set", () => {
      expect(loadConfig({ ...production, TWILIO_RESIDENT_FROM_NUMBER: "+14035550312" }).twilio?.residentFromNumber).toBe("+14035550312");
    });

    it("names a malformed SID, from numbers and API URL", () => {
      const problems = problemsOf({
        ...production,
        TWILIO_ACCOUNT_SID: "AC123",
        TWILIO_FROM_NUMBER: "403-555-0311",
        TWILIO_RESIDENT_FROM_NUMBER: "403-555-0312",
        TWILIO_API_URL: "ftp://x",
      });
      expect(problems.join("\n")).toMatch(/TWILIO_ACCOUNT_SID must be a Twilio account SID/);
      expect(problems.join("\n")).toMatch(/TWILIO_FROM_NUMBER must be the E\.164 Twilio number/);
      expect(problems.join("\n")).toMatch(/TWILIO_RESIDENT_FROM_NUMBER must be the E\.164 Twilio number residents' texts come from/);
      expect(problems.join("\n")).toMatch(/TWILIO_API_URL must be an http\(s\) URL/);
    });
  });

  describe("Twilio's sending limits", () => {
    it("are Twilio's defaults unless set: one call and one SMS a second", () => {
      expect(loadConfig(production).sendingRates).toEqual({ callsPerSecond: 1, smsPerSecond: 1 });
    });

    it("take the account's rates, fractions too", () => {
      expect(loadConfig({ ...production, TWILIO_CALLS_PER_SECOND: "0.5", TWILIO_SMS_PER_SECOND: "30" }).sendingRates).toEqual({ callsPerSecond: 0.5, smsPerSecond: 30 });
    });

    it("name a rate that is not a positive number, and say what to write", () => {
      const problems = problemsOf({ ...production, TWILIO_CALLS_PER_SECOND: "0", TWILIO_SMS_PER_SECOND: "fast" });
      expect(problems).toEqual([
        expect.stringMatching(/^TWILIO_CALLS_PER_SECOND must be how many calls may be sent per second, a positive number such as 1 \(Twilio's default per account\)/),
        expect.stringMatching(/^TWILIO_SMS_PER_SECOND must be how many SMS may be sent per second, a positive number such as 1 \(a long code\), 3 \(toll-free\) or 30 \(a short code\)/),
      ]);
      expect(problemsOf({ ...production, TWILIO_SMS_PER_SECOND: "-1" })).toHaveLength(1);
      expect(problemsOf({ ...production, TWILIO_SMS_PER_SECOND: "5000" })).toEqual([expect.stringMatching(/at most 1000$/)]);
    });
  });

  describe("the records", () => {
    it("are kept in the embedded database under .data unless DATABASE_URL names a server", () => {
      expect(loadConfig(production).database).toEqual({ kind: "pglite", dataDir: ".data" });
      expect(loadConfig({ ...production, DATA_DIR: "/var/lib/civic" }).database).toEqual({ kind: "pglite", dataDir: "/var/lib/civic" });
      expect(loadConfig({ ...production, DATABASE_URL: "postgres://civic:pw@db.example.org/civic" }).database).toEqual({
        kind: "postgres",
        url: "postgres://civic:pw@db.example.org/civic",
      });
    });

    it("refuse a DATABASE_URL that is not PostgreSQL's", () => {
      expect(problemsOf({ ...production, DATABASE_URL: "mysql://db.example.org/civic" })).toEqual([expect.stringMatching(/^DATABASE_URL must be a postgres:\/\/ URL/)]);
    });

    it("are kept two years, with a one-minute service level and ten-second short abandons, unless told otherwise", () => {
      expect(loadConfig(production).records).toEqual({ retentionDays: 730, serviceLevelSeconds: 60, shortAbandonSeconds: 10 });
      expect(loadConfig({ ...production, RECORDS_RETENTION_DAYS: "90", SERVICE_LEVEL_SECONDS: "30" }).records).toMatchObject({ retentionDays: 90, serviceLevelSeconds: 30 });
      expect(problemsOf({ ...production, RECORDS_RETENTION_DAYS: "0" })).toEqual([expect.stringMatching(/^RECORDS_RETENTION_DAYS must be at least 1 day/)]);
    });
  });

  describe("Open311 and metrics", () => {
    it("read departments' keys as JSON, and say how to write them when they are not", () => {
      expect(loadConfig({ ...production, OPEN311_DEPARTMENT_KEYS: '{"https://Works.example.ca:443/":"k-123"}' }).open311DepartmentKeys).toEqual({ "https://works.example.ca": "k-123" });
      expect(problemsOf({ ...production, OPEN311_DEPARTMENT_KEYS: '{"Water and Wastewater":"k"}' })).toEqual([expect.stringMatching(/must be an endpoint's https origin/)]);
      expect(problemsOf({ ...production, OPEN311_DEPARTMENT_KEYS: '{"http://works.example.ca":"k"}' })).toEqual([expect.stringMatching(/must be an endpoint's https origin/)]);
      expect(problemsOf({ ...production, OPEN311_DEPARTMENT_KEYS: "{Water: k-123}" })).toEqual([expect.stringMatching(/^OPEN311_DEPARTMENT_KEYS must be JSON/)]);
    });

    it("keep requests private and /metrics open unless told otherwise, and refuse a short metrics token", () => {
      expect(loadConfig(production)).toMatchObject({ open311PublicRead: false, metricsToken: undefined, open311DepartmentKeys: {} });
      expect(loadConfig({ ...production, OPEN311_PUBLIC_READ: "true" }).open311PublicRead).toBe(true);
      expect(problemsOf({ ...production, METRICS_TOKEN: "short" })).toEqual([expect.stringMatching(/^METRICS_TOKEN must be at least 16 characters/)]);
    });
  });
});

// Newcomers and Cities alike copy .env.example to .env: copied as it is, it must not run a
// production line relaxed, and npm run dev must still run from it.
describe(".env.example copied to .env as it is", () => {
  const example = () => dotEnv(".env.example");

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
