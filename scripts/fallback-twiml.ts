/**
 * `npm run fallback:twiml`: prints the TwiML document for the number's fallback URL ("Primary
 * handler fails" in Twilio), to be hosted apart from the line: a fallback on the line's own host
 * fails with it.
 *
 *   npm run -s fallback:twiml                       # to stdout
 *   npm run fallback:twiml -- --out fallback.xml    # to a file
 *   npm run fallback:twiml -- --number +14035550199 # another number than $FALLBACK_NUMBER
 *
 * The voice and language are the main flow's ($FLOWS_DIR/main.yaml); the number is
 * $FALLBACK_NUMBER unless --number says otherwise ("none": an apology only).
 */
import "./lib/load-env.js";
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { E164, NO_FALLBACK_NUMBER } from "../src/config/env.js";
import { loadFlowSet } from "../src/adapters/files/flow-source.js";
import { DefinitionError, formatProblem } from "../src/domain/validation.js";
import { renderStaticFallback } from "../src/operations/fallback-twiml.js";

const USAGE = "usage: npm run fallback:twiml -- [--number E164|none] [--out FILE]";

function fail(message: string): never {
  console.error(`fallback:twiml: ${message}`);
  process.exit(1);
}

let values: { number?: string | undefined; out?: string | undefined; help?: boolean | undefined };
try {
  values = parseArgs({ options: { number: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const number = values.number || process.env["FALLBACK_NUMBER"] || "";
// As the line itself in production: going without a person to reach is said on purpose, never by omission.
if (number === "") fail(`no fallback number: set FALLBACK_NUMBER or --number to the E.164 number callers reach when the line fails, or "${NO_FALLBACK_NUMBER}" for an apology only`);
if (number !== NO_FALLBACK_NUMBER && !E164.test(number)) {
  fail(`"${number}" is not an E.164 number such as +14035550199 (set FALLBACK_NUMBER or --number; "none" for an apology only)`);
}
const fallbackNumber = number === NO_FALLBACK_NUMBER ? undefined : number;

let voice;
try {
  const { main } = await loadFlowSet(process.env["FLOWS_DIR"] || "flows");
  voice = { voice: main.voice, language: main.language };
} catch (error) {
  if (!(error instanceof DefinitionError)) throw error;
  for (const problem of error.problems) console.error(formatProblem(problem));
  process.exit(1);
}

const twiml = renderStaticFallback({ fallbackNumber, voice });
if (values.out) {
  await writeFile(values.out, twiml);
  console.error(`fallback:twiml: wrote ${values.out}`);
} else {
  process.stdout.write(`${twiml}\n`);
}
console.error(
  fallbackNumber
    ? `fallback:twiml: callers hear an apology and the 9-1-1 sentence, then are connected to ${fallbackNumber} (make sure someone answers it at any hour).`
    : "fallback:twiml: no fallback number: callers hear an apology and the 9-1-1 sentence and are asked to call again.",
);
console.error(
  'fallback:twiml: host it apart from the line (a Twilio TwiML Bin, or a static file host) and set it as the number\'s "Primary handler fails" URL, method GET for a static file.',
);
