import { z } from "zod";
import { formatPath } from "../domain/validation.js";

/**
 * The auth token `npm run dev` and `npm run call` share when none is configured, so that even
 * a local line checks signatures exactly as production does. Never accepted outside development.
 */
export const DEVELOPMENT_AUTH_TOKEN = "civic-line-development-token";

const LogLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).default("redis://127.0.0.1:6379"),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/, error: "must be the http(s) base URL Twilio is configured with" })
      .transform((url) => url.replace(/\/+$/, ""))
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
    LOG_LEVEL: LogLevel.optional(),
    FLOWS_DIR: z.string().min(1).default("flows"),
    FALLBACK_NUMBER: z
      .string()
      .regex(/^\+[1-9]\d{7,14}$/, "must be an E.164 number such as +14035550100")
      .optional(),
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "must be a Twilio account SID (AC followed by 32 hex digits)").optional(),
    TWILIO_FROM_NUMBER: z
      .string()
      .regex(/^\+[1-9]\d{7,14}$/, "must be the E.164 Twilio number pages come from, such as +14035550311")
      .optional(),
    TWILIO_API_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "development" && !env.TWILIO_AUTH_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["TWILIO_AUTH_TOKEN"], message: "is required unless NODE_ENV=development" });
    }
    // The development token is in the public source: a line reachable from outside must not accept it.
    if (env.NODE_ENV === "development" && !env.TWILIO_AUTH_TOKEN && env.PUBLIC_URL && !isLoopback(env.PUBLIC_URL)) {
      ctx.addIssue({
        code: "custom",
        path: ["TWILIO_AUTH_TOKEN"],
        message: `is required when PUBLIC_URL (${env.PUBLIC_URL}) is not on this machine: the development token is public`,
      });
    }
    if (env.TWILIO_ACCOUNT_SID && !env.TWILIO_FROM_NUMBER) {
      ctx.addIssue({ code: "custom", path: ["TWILIO_FROM_NUMBER"], message: "is required when TWILIO_ACCOUNT_SID is set" });
    }
    if (env.NODE_ENV !== "development" && !env.PUBLIC_URL) {
      ctx.addIssue({ code: "custom", path: ["PUBLIC_URL"], message: "is required unless NODE_ENV=development" });
    }
  });

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The process's configuration, parsed once at start. Nothing else reads `process.env`. */
export interface Config {
  env: "development" | "production" | "test";
  port: number;
  redisUrl: string;
  /** The base URL Twilio requests; signatures are computed over it plus the path and query. */
  publicUrl: string;
  twilioAuthToken: string;
  logLevel: z.infer<typeof LogLevel>;
  flowsDir: string;
  fallbackNumber: string | undefined;
  /** Pages go through Twilio's REST API when set; otherwise the console pager keeps them. */
  twilio: { accountSid: string; fromNumber: string; apiUrl: string | undefined } | undefined;
}

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
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${formatPath(issue.path)} ${issue.message}`));
  }
  const value = parsed.data;
  return {
    env: value.NODE_ENV,
    port: value.PORT,
    redisUrl: value.REDIS_URL,
    publicUrl: value.PUBLIC_URL ?? `http://localhost:${value.PORT}`,
    twilioAuthToken: value.TWILIO_AUTH_TOKEN ?? DEVELOPMENT_AUTH_TOKEN,
    logLevel: value.LOG_LEVEL ?? (value.NODE_ENV === "test" ? "silent" : "info"),
    flowsDir: value.FLOWS_DIR,
    fallbackNumber: value.FALLBACK_NUMBER,
    twilio:
      value.TWILIO_ACCOUNT_SID && value.TWILIO_FROM_NUMBER
        ? { accountSid: value.TWILIO_ACCOUNT_SID, fromNumber: value.TWILIO_FROM_NUMBER, apiUrl: value.TWILIO_API_URL }
        : undefined,
  };
}
