/**
 * `npm run dev`: the whole line (web and worker) in one process with readable logs, restarted
 * when a source file changes. Signatures are still checked, with the development token that
 * `npm run call` uses too.
 */
import "./lib/load-env.js";
import { describeDatabase } from "../src/adapters/postgres/open-database.js";
import { DEFAULT_PORT, loadRecordsConfig, loadRedisConfig } from "../src/config/env.js";
import { applyDevDefaults, rememberDevLine } from "./lib/dev-line.js";
import { publishFlowFiles, watchFlowFiles } from "./lib/watch-flows.js";
applyDevDefaults(process.env);

// Here the files are the truth: what is saved in flows/ now (but for a change a person published
// since, which stays live), and each later save, goes live.
const flowsDir = process.env.FLOWS_DIR || "flows";
const watched = watchFlowFiles(flowsDir, loadRedisConfig(process.env));
await publishFlowFiles(watched.publisher, flowsDir, watched.store).catch((error: Error) =>
  console.error(`  could not publish ${flowsDir}/ (${error.message}): the line serves what was published before`),
);

await import("../src/main.js");

if (process.exitCode) process.exit(process.exitCode);
const listening = `http://localhost:${process.env.PORT || DEFAULT_PORT}`;
const base = process.env.PUBLIC_URL || listening;
rememberDevLine(listening, base);
console.log(`
  Civic Line is answering at ${base}
  Place a test call from another terminal:   npm run call
  Pages to the on-call crew (without Twilio credentials):   npm run oncall -- outbox
  Records of every call and request are kept in ${describeDatabase(loadRecordsConfig(process.env).database)}
  Saved changes to flows/ go live at once (a broken one prints its problems and the last good version keeps serving).
  Business hours or not is decided by flows/hours.yaml and the clock; to try the other side, run
  this with faketime (it reads UTC here), e.g.  faketime -f '@2026-12-05 09:00:00' npm run dev  (Sat 02:00 in Lethbridge)
`);
