import { z } from "zod";
import { formatPath } from "../domain/validation.js";
import { endpointOrigin } from "../domain/open311/delivery.js";
import type { SendingRates } from "../domain/oncall/sending-limits.js";

/**
 * The auth token `npm run dev` and `npm run call` share when none is configured, so that even
 * a local line checks signatures exactly as production does. Never accepted outside development.
 */
export const DEVELOPMENT_AUTH_TOKEN = "civic-line-development-token";

const LogLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** How pages reach the crew: Twilio's REST API, or the console pager that keeps them in Redis and sends nothing. */
export type PagerMode = "twilio" | "console";

/** What `FALLBACK_NUMBER` says when a production line has no fallback number on purpose. */
export const NO_FALLBACK_NUMBER = "none";

/** The port the web server listens on unless `PORT` says otherwise. */
export const DEFAULT_PORT = 3000;

/** The Redis the line uses unless `REDIS_URL` says otherwise. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * Where the line's Redis is: `REDIS_URL`, reached directly, or through Redis Sentinel when
 * `REDIS_SENTINELS` names the sentinels, which tell every connection where the primary named
 * `REDIS_SENTINEL_NAME` is now. With Sentinel the URL's password, database and TLS (`rediss://`)
 * still apply to the primary; its host and port are not used. The sentinels' own password
 * (`REDIS_SENTINEL_PASSWORD`) is another one: a sentinel's `requirepass`, not the primary's.
 */
export interface RedisLocation {
  url: string;
  sentinel?: RedisSentinels | undefined;
}

/** The sentinels that watch the line's Redis, and the name they know its primary by. */
export interface RedisSentinels {
  sentinels: { host: string; port: number }[];
  name: string;
  /** What the sentinels ask of a client (their `requirepass`), `REDIS_SENTINEL_PASSWORD`: a secret, never logged. */
  password?: string | undefined;
  /** The ACL user the sentinels know the line by (`REDIS_SENTINEL_USERNAME`); `default` when unset. */
  username?: string | undefined;
}

const SENTINEL_EXAMPLE = "10.0.0.5:26379,10.0.0.6:26379,10.0.0.7:26379";

/**
 * `REDIS_SENTINELS`: comma-separated `host:port` (an IPv6 address in brackets, `[::1]:26379`).
 * Each entry that is not one is named.
 */
const SentinelList = z.string().transform((text, ctx) => {
  const sentinels: { host: string; port: number }[] = [];
  for (const entry of text.split(",").map((part) => part.trim())) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65_535) {
      ctx.addIssue({ code: "custom", message: `entry ${JSON.stringify(entry)} is not host:port; write the sentinels as ${SENTINEL_EXAMPLE}` });
      continue;
    }
    sentinels.push({ host: match[1]!.replace(/^\[|\]$/g, ""), port });
  }
  return sentinels;
});

/**
 * How many sends of a kind may start per second across every worker: a positive number, a
 * fraction for less than one a second (0.5 is one every two seconds).
 */
function sendingRate(what: string, example: string) {
  const message = `must be how many ${what} may be sent per second, a positive number such as ${example}; 0.5 is one every two seconds`;
  return z.coerce.number({ error: message }).positive(message).max(1000, `${message}, at most 1000`).default(1);
}

/** An E.164 phone number: `+`, the country code and the number, 8 to 15 digits. */
export const E164 = /^\+[1-9]\d{7,14}$/;

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    PORT: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_PORT),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).default(DEFAULT_REDIS_URL),
    REDIS_SENTINELS: SentinelList.optional(),
    REDIS_SENTINEL_NAME: z.string().regex(/^\S+$/, "must be the name the sentinels know the primary by (sentinel monitor NAME ...), without spaces").optional(),
    // A secret: its checks never print its value.
    REDIS_SENTINEL_PASSWORD: z.string().optional(),
    REDIS_SENTINEL_USERNAME: z.string().regex(/^\S+$/, "must be the ACL user the sentinels know the line by, without spaces").optional(),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/, error: "must be the http(s) base URL Twilio is configured with" })
      .transform((url) => url.replace(/\/+$/, ""))
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
    LOG_LEVEL: LogLevel.optional(),
    FLOWS_DIR: z.string().min(1).default("flows"),
    FALLBACK_NUMBER: z
      .string()
      .refine((value) => value === NO_FALLBACK_NUMBER || E164.test(value), {
        message: `must be an E.164 number such as +14035550199, or "${NO_FALLBACK_NUMBER}" for no fallback number on purpose`,
      })
      .optional(),
    PAGER: z.enum(["twilio", "console"], { error: 'must be "twilio" (pages are sent) or "console" (pages are kept in Redis, NOT sent)' }).optional(),
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "must be a Twilio account SID (AC followed by 32 hex digits)").optional(),
    TWILIO_FROM_NUMBER: z
      .string()
      .regex(E164, "must be the E.164 Twilio number pages come from, such as +14035550311")
      .optional(),
    TWILIO_RESIDENT_FROM_NUMBER: z
      .string()
      .regex(E164, "must be the E.164 Twilio number residents' texts come from, such as +14035550312")
      .optional(),
    TWILIO_API_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    TWILIO_CALLS_PER_SECOND: sendingRate("calls", "1 (Twilio's default per account)"),
    TWILIO_SMS_PER_SECOND: sendingRate("SMS", "1 (a long code), 3 (toll-free) or 30 (a short code)"),
    TRUST_PROXY: z
      .string()
      .regex(/^(\d{1,2}|(loopback|uniquelocal|linklocal|[0-9a-fA-F.:]+(\/\d{1,3})?)(\s*,\s*(loopback|uniquelocal|linklocal|[0-9a-fA-F.:]+(\/\d{1,3})?))*)$/, {
        error: 'must say which proxies to trust for the client address: a number of hops ("1"), "loopback", or addresses and subnets ("10.0.0.0/8")',
      })
      .optional(),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL, such as postgres://civic@db.example.org:5432/civic (leave it unset for the embedded database)" })
      .optional(),
    DATA_DIR: z.string().min(1).default(".data"),
    RECORDS_RETENTION_DAYS: z.coerce.number().int().min(1, "must be at least 1 day").max(36_500).default(730),
    SERVICE_LEVEL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
    SHORT_ABANDON_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
    OPEN311_PUBLIC_READ: z.enum(["true", "false"], { error: 'must be "true" (anyone may read requests) or "false" (reading needs an api_key)' }).default("false"),
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters: it is the password of /metrics").optional(),
    METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
    OPEN311_DEPARTMENT_KEYS: z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: 'must be JSON: {"https://works.example.ca": "its api_key"}' });
          return z.NEVER;
        }
      })
      .pipe(z.record(z.string(), z.string().min(1, "must not be empty"), { error: 'must map each department endpoint\'s origin to its api_key: {"https://works.example.ca": "..."}' }))
      .transform((keys, ctx) => {
        // Keyed by origin, a key only ever goes to the system it was made for, and only over https.
        const byOrigin: Record<string, string> = {};
        for (const [name, key] of Object.entries(keys)) {
          const origin = endpointOrigin(name);
          if (!origin?.startsWith("https://") || !/^https:\/\/[^/?#@]+\/?$/i.test(name)) {
            ctx.addIssue({ code: "custom", path: [name], message: 'must be an endpoint\'s https origin (scheme, host and port, no path): "https://works.example.ca"; keys are sent only over https' });
            continue;
          }
          byOrigin[origin] = key;
        }
        return byOrigin as Readonly<Record<string, string>>;
      })
      .default({}),
  });

type RawEnv = Partial<Record<keyof z.input<typeof EnvSchema>, string>>;

/**
 * The variables that are required only together with others, checked on the raw values so they
 * are named even when another variable is malformed: one start shows everything there is to fix.
 */
function requiredTogether(env: RawEnv): string[] {
  const problems: string[] = [];
  const development = env.NODE_ENV === "development";
  if (!development && !env.TWILIO_AUTH_TOKEN) problems.push("TWILIO_AUTH_TOKEN is required (Twilio console, Account Info; see the README's production checklist)");
  // The development token is in the public source: a line reachable from outside must not accept it.
  if (development && !env.TWILIO_AUTH_TOKEN && env.PUBLIC_URL && !isLoopback(env.PUBLIC_URL)) {
    problems.push(`TWILIO_AUTH_TOKEN is required when PUBLIC_URL (${env.PUBLIC_URL}) is not on this machine: the development token is public`);
  }
  if (!development && !env.PUBLIC_URL) problems.push("PUBLIC_URL is required: the https address Twilio calls this line at (see the README's production checklist)");
  // A line Twilio can reach (outside development, or a PUBLIC_URL not on this machine) without a
  // real pager would tell callers the crew was paged while nobody was: it takes PAGER=console,
  // written on purpose, to run like that. Only a development line on this machine is spared.
  const reachable = Boolean(env.PUBLIC_URL) && !isLoopback(env.PUBLIC_URL!);
  const live = !development || reachable;
  const twilioPager = env.PAGER === "twilio" || (env.PAGER === undefined && (Boolean(env.TWILIO_ACCOUNT_SID) || live));
  if (twilioPager && !env.TWILIO_ACCOUNT_SID) {
    problems.push(
      env.PAGER === "twilio"
        ? "TWILIO_ACCOUNT_SID is required with PAGER=twilio"
        : development
          ? `TWILIO_ACCOUNT_SID is required to send pages when PUBLIC_URL (${env.PUBLIC_URL}) is reachable from outside, even in development (or set PAGER=console on purpose: pages are then kept in Redis and NOT sent)`
          : "TWILIO_ACCOUNT_SID is required to send pages (or set PAGER=console on purpose: pages are then kept in Redis and NOT sent)",
    );
  }
  if (twilioPager && !env.TWILIO_FROM_NUMBER) {
    problems.push(
      env.TWILIO_ACCOUNT_SID
        ? "TWILIO_FROM_NUMBER is required when TWILIO_ACCOUNT_SID is set"
        : "TWILIO_FROM_NUMBER is required to send pages, with TWILIO_ACCOUNT_SID: the number pages come from",
    );
  }
  problems.push(...sentinelsTogether(env));
  if (env.METRICS_PORT && env.METRICS_PORT === (env.PORT ?? String(DEFAULT_PORT))) {
    problems.push("METRICS_PORT must differ from PORT: the web role serves /metrics on PORT already");
  }
  if (((env.NODE_ENV ?? "production") === "production" || (development && reachable)) && !env.FALLBACK_NUMBER) {
    problems.push(
      `FALLBACK_NUMBER is required ${development ? `when PUBLIC_URL (${env.PUBLIC_URL}) is reachable from outside, even in development` : "in production"}: the E.164 number callers reach when the line fails (or "${NO_FALLBACK_NUMBER}" on purpose)`,
    );
  }
  return problems;
}

/**
 * REDIS_SENTINELS and REDIS_SENTINEL_NAME go together: each is useless without the other. The
 * sentinels' password and user are theirs alone: set without the sentinels, they are a mistake
 * (the primary's password goes in REDIS_URL), and a user without a password logs in as nobody.
 */
function sentinelsTogether(env: Pick<RawEnv, "REDIS_SENTINELS" | "REDIS_SENTINEL_NAME" | "REDIS_SENTINEL_PASSWORD" | "REDIS_SENTINEL_USERNAME">): string[] {
  const problems: string[] = [];
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) problems.push("REDIS_SENTINEL_NAME is required with REDIS_SENTINELS: the name the sentinels know the primary by (sentinel monitor NAME ...)");
  if (env.REDIS_SENTINEL_NAME && !env.REDIS_SENTINELS) problems.push("REDIS_SENTINELS is required with REDIS_SENTINEL_NAME: the sentinels' host:port, comma-separated");
  for (const name of ["REDIS_SENTINEL_PASSWORD", "REDIS_SENTINEL_USERNAME"] as const) {
    if (env[name] && !env.REDIS_SENTINELS) problems.push(`${name} is only for the sentinels, and REDIS_SENTINELS is not set: a single Redis's password goes in REDIS_URL (redis://:PASSWORD@host:6379)`);
  }
  if (env.REDIS_SENTINEL_USERNAME && !env.REDIS_SENTINEL_PASSWORD) problems.push("REDIS_SENTINEL_PASSWORD is required with REDIS_SENTINEL_USERNAME: the password of that user on the sentinels");
  return problems;
}

function isLoopback(url: string): boolean {
  if (!URL.canParse(url)) return true; // named as malformed already
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The process's configuration, parsed once at start. Nothing else reads `process.env`. */
export interface Config {
  env: "development" | "production" | "test";
  port: number;
  /** Where Redis is, for every connection the line makes. */
  redis: RedisLocation;
  /** The base URL Twilio requests; signatures are computed over it plus the path and query. */
  publicUrl: string;
  /**
   * Which proxies in front of the web role to believe about the client's address (express's
   * `trust proxy`): sign-in limits count per address. Unset: the connection's own address.
   */
  trustProxy: string | number | undefined;
  twilioAuthToken: string;
  logLevel: z.infer<typeof LogLevel>;
  flowsDir: string;
  /** Where after-hours callers go when the line fails; undefined in development or with `FALLBACK_NUMBER=none`. */
  fallbackNumber: string | undefined;
  /**
   * The host the web server binds: `127.0.0.1` while the public development token checks
   * signatures (nobody else may reach such a line), every interface otherwise.
   */
  listenHost: string | undefined;
  /** How pages reach the crew. `console` outside development was asked for with `PAGER=console`. */
  pager: PagerMode;
  /** Twilio's REST API for pages; set exactly when `pager` is `twilio`. */
  twilio:
    | {
        accountSid: string;
        /** The caller ID of SMS and voice pages. */
        fromNumber: string;
        /** The number residents' texts come from (`TWILIO_RESIDENT_FROM_NUMBER`); `fromNumber` when that is unset. */
        residentFromNumber: string;
        apiUrl: string | undefined;
      }
    | undefined;
  /**
   * How many calls and SMS may start per second across every worker (`TWILIO_CALLS_PER_SECOND`,
   * `TWILIO_SMS_PER_SECOND`): Twilio's limits for the account and its sender. The console pager
   * keeps them too.
   */
  sendingRates: SendingRates;
  /** `DATABASE_URL`, or the embedded database under `DATA_DIR` when it is unset. */
  database: DatabaseConfig;
  records: {
    /** Call records older than this many days are removed nightly; requests are kept. */
    retentionDays: number;
    /** A queued call answered within this many seconds counts towards the service level. */
    serviceLevelSeconds: number;
    /** A caller who gives up in the queue within this many seconds is a short abandon. */
    shortAbandonSeconds: number;
  };
  /** Whether Open311 requests may be read without an api_key. */
  open311PublicRead: boolean;
  /** The bearer token /metrics asks for; open when unset. */
  metricsToken: string | undefined;
  /** A port on which the worker role serves /metrics itself (a worker running alone); unset, only the web role serves it. */
  metricsPort: number | undefined;
  /** The api_key each department's system wants with a delivery, by the endpoint's https origin ("https://works.example.ca"); sent only to that origin, never logged. */
  open311DepartmentKeys: Readonly<Record<string, string>>;
}

/** Where records are kept: a PostgreSQL server, or the embedded one (PGlite) under a folder. */
export type DatabaseConfig = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

/** The environment is not usable. The message names every bad or missing variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((problem) => `  - ${problem}`).join("\n")}\nSee .env.example.`);
  }
}

/**
 * Parses the environment. Empty strings count as unset, so `FALLBACK_NUMBER=` in a `.env` file
 * means "none".
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = EnvSchema.safeParse(present);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${formatPath(issue.path)} ${issue.message}`)),
    ...requiredTogether(present),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const value = parsed.data;
  const pager: PagerMode = value.PAGER ?? (value.TWILIO_ACCOUNT_SID ? "twilio" : "console");
  const twilioAuthToken = value.TWILIO_AUTH_TOKEN ?? DEVELOPMENT_AUTH_TOKEN;
  return {
    env: value.NODE_ENV,
    port: value.PORT,
    redis: redisLocation(value),
    publicUrl: value.PUBLIC_URL ?? `http://localhost:${value.PORT}`,
    trustProxy: value.TRUST_PROXY === undefined ? undefined : /^\d+$/.test(value.TRUST_PROXY) ? Number(value.TRUST_PROXY) : value.TRUST_PROXY,
    twilioAuthToken,
    logLevel: value.LOG_LEVEL ?? (value.NODE_ENV === "test" ? "silent" : "info"),
    flowsDir: value.FLOWS_DIR,
    fallbackNumber: value.FALLBACK_NUMBER === NO_FALLBACK_NUMBER ? undefined : value.FALLBACK_NUMBER,
    listenHost: twilioAuthToken === DEVELOPMENT_AUTH_TOKEN ? "127.0.0.1" : undefined,
    pager,
    twilio:
      pager === "twilio" && value.TWILIO_ACCOUNT_SID && value.TWILIO_FROM_NUMBER
        ? {
            accountSid: value.TWILIO_ACCOUNT_SID,
            fromNumber: value.TWILIO_FROM_NUMBER,
            residentFromNumber: value.TWILIO_RESIDENT_FROM_NUMBER ?? value.TWILIO_FROM_NUMBER,
            apiUrl: value.TWILIO_API_URL,
          }
        : undefined,
    sendingRates: { callsPerSecond: value.TWILIO_CALLS_PER_SECOND, smsPerSecond: value.TWILIO_SMS_PER_SECOND },
    database: value.DATABASE_URL ? { kind: "postgres", url: value.DATABASE_URL } : { kind: "pglite", dataDir: value.DATA_DIR },
    records: {
      retentionDays: value.RECORDS_RETENTION_DAYS,
      serviceLevelSeconds: value.SERVICE_LEVEL_SECONDS,
      shortAbandonSeconds: value.SHORT_ABANDON_SECONDS,
    },
    open311PublicRead: value.OPEN311_PUBLIC_READ === "true",
    metricsToken: value.METRICS_TOKEN,
    metricsPort: value.METRICS_PORT,
    open311DepartmentKeys: value.OPEN311_DEPARTMENT_KEYS,
  };
}

/**
 * Just the records settings, for the command-line tools that read or migrate the records (they
 * need none of the line's Twilio settings). The same checks as at the line's start.
 */
export function loadRecordsConfig(env: Record<string, string | undefined>): Pick<Config, "database" | "records"> & { flowsDir: string } {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = EnvSchema.pick({
    DATABASE_URL: true,
    DATA_DIR: true,
    RECORDS_RETENTION_DAYS: true,
    SERVICE_LEVEL_SECONDS: true,
    SHORT_ABANDON_SECONDS: true,
    FLOWS_DIR: true,
  }).safeParse(present);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${formatPath(issue.path)} ${issue.message}`));
  const value = parsed.data;
  return {
    database: value.DATABASE_URL ? { kind: "postgres", url: value.DATABASE_URL } : { kind: "pglite", dataDir: value.DATA_DIR },
    records: {
      retentionDays: value.RECORDS_RETENTION_DAYS,
      serviceLevelSeconds: value.SERVICE_LEVEL_SECONDS,
      shortAbandonSeconds: value.SHORT_ABANDON_SECONDS,
    },
    flowsDir: value.FLOWS_DIR,
  };
}

function redisLocation(value: {
  REDIS_URL: string;
  REDIS_SENTINELS?: RedisSentinels["sentinels"] | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_SENTINEL_USERNAME?: string | undefined;
}): RedisLocation {
  if (!value.REDIS_SENTINELS || !value.REDIS_SENTINEL_NAME) return { url: value.REDIS_URL };
  return {
    url: value.REDIS_URL,
    sentinel: {
      sentinels: value.REDIS_SENTINELS,
      name: value.REDIS_SENTINEL_NAME,
      ...(value.REDIS_SENTINEL_PASSWORD ? { password: value.REDIS_SENTINEL_PASSWORD } : {}),
      ...(value.REDIS_SENTINEL_USERNAME ? { username: value.REDIS_SENTINEL_USERNAME } : {}),
    },
  };
}

/**
 * Just where Redis is (`REDIS_URL`, `REDIS_SENTINELS`, `REDIS_SENTINEL_NAME` and the sentinels'
 * `REDIS_SENTINEL_PASSWORD` and `REDIS_SENTINEL_USERNAME`), for the command-line tools, with the
 * same checks as at the line's start.
 *
 * @throws ConfigError naming each bad variable
 */
export function loadRedisConfig(env: Record<string, string | undefined>): RedisLocation {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = EnvSchema.pick({ REDIS_URL: true, REDIS_SENTINELS: true, REDIS_SENTINEL_NAME: true, REDIS_SENTINEL_PASSWORD: true, REDIS_SENTINEL_USERNAME: true }).safeParse(present);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((issue) => `${formatPath(issue.path)} ${issue.message}`)), ...sentinelsTogether(present)];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return redisLocation(parsed.data);
}
