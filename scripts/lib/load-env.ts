/** Imported first by every command-line tool, so each reads `.env` exactly as the server does. */
import { resolve } from "node:path";
import { applyDotEnv, dotEnv } from "../../src/config/dotenv.js";

/** The `.env` file the tools read: the one in the working directory, as `npm run dev` and `npm start` read it. */
export const DOT_ENV_FILE = resolve(".env");

const setBefore = new Set(Object.keys(process.env));

/** The variables this process took from `.env` (the environment did not set them): for saying where a setting came from. */
export const FROM_DOT_ENV: ReadonlySet<string> = new Set(Object.keys(dotEnv(DOT_ENV_FILE)).filter((name) => !setBefore.has(name)));

applyDotEnv(DOT_ENV_FILE);
