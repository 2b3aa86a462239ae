/** Imported first by every command-line tool, so each reads `.env` exactly as the server does. */
import { applyDotEnv } from "../../src/config/dotenv.js";

applyDotEnv();
