import { dotEnv } from "./config/dotenv.js";
import { ConfigError, loadConfig, type Config } from "./config/env.js";
import { createLogger, type Logger } from "./logger.js";

/** Reads the configuration once and makes the logger; exits with every problem named when it is bad. */
export function bootstrap(): { config: Config; log: Logger } {
  try {
    // A `.env` file in the working directory, under whatever the environment already sets.
    const config = loadConfig({ ...dotEnv(), ...process.env });
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
