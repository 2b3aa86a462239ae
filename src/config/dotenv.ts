import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";

/** The variables a `.env` file in the working directory sets; none when there is no such file. */
export function dotEnv(file = ".env"): Record<string, string | undefined> {
  return existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {};
}

/** Gives the command-line tools the `.env` values the server reads, under what the environment already sets. */
export function applyDotEnv(file = ".env"): void {
  for (const [name, value] of Object.entries(dotEnv(file))) process.env[name] ??= value;
}
