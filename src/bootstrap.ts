import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { ConfigError, loadConfig, type Config } from "./config/env.js";
import { createLogger, type Logger } from "./logger.js";

/** Values from a `.env` file in the working directory, under whatever the environment already sets. */
function withDotEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  if (!existsSync(".env")) return env;
  return { ...parseEnv(readFileSync(".env", "utf8")), ...env };
}

/** Reads the configuration once and makes the logger; exits with every problem named when it is bad. */
export function bootstrap(): { config: Config; log: Logger } {
  try {
    const config = loadConfig(withDotEnv(process.env));
    const log = createLogger({ level: config.logLevel, pretty: config.env === "development" });
    return { config, log };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
