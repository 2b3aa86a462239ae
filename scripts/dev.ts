/**
 * `npm run dev`: the whole line (web and worker) in one process with readable logs, restarted
 * when a source file changes. Signatures are still checked, with the development token that
 * `npm run call` uses too.
 */
import "./lib/load-env.js";
import { DEFAULT_PORT } from "../src/config/env.js";
import { rememberDevLine } from "./lib/dev-line.js";
process.env.NODE_ENV ??= "development";
process.env.LOG_LEVEL ??= "debug";

await import("../src/main.js");

if (process.exitCode) process.exit(process.exitCode);
const listening = `http://localhost:${process.env.PORT || DEFAULT_PORT}`;
const base = process.env.PUBLIC_URL || listening;
rememberDevLine(listening, base);
console.log(`
  Civic Line is answering at ${base}
  Place a test call from another terminal:   npm run call
  Pages to the on-call crew (without Twilio credentials):   npm run oncall -- outbox
  Business hours or not is decided by flows/hours.yaml and the clock; to try the other side, run
  this with faketime (it reads UTC here), e.g.  faketime -f '@2026-12-05 09:00:00' npm run dev  (Sat 02:00 in Lethbridge)
`);
