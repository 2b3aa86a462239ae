/**
 * A terminal phone: calls a running Civic Line server as Twilio would and prints what the
 * caller hears. Interactive on a terminal; scripted with `--input`.
 *
 *   npm run call
 *   npm run call -- --url http://localhost:3999 --input 1 --input w --input 1 --input "the bin was missed"
 *
 * Exits 0 when the call ended (however it ended), 1 when the server failed it or the
 * arguments are wrong.
 */
import "./lib/load-env.js";
import { createInterface, type Interface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { DEFAULT_PORT, DEVELOPMENT_AUTH_TOKEN } from "../src/config/env.js";
import { didYouMean } from "../src/domain/validation.js";
import { lineAddress } from "./lib/dev-line.js";
import { PhoneError, placeCall, type CallEnd, type CallRequest, type Prompt } from "./lib/phone.js";

const USAGE = `Usage: npm run call -- [--url URL] [--from NUMBER] [--to NUMBER] [--input VALUE ...] [--verbose]

Places a simulated call against a running Civic Line server, signed as Twilio signs, and prints
what the caller hears.

  --url URL        where the server listens (default: $PUBLIC_URL, else the line \`npm run dev\`
                   is running, else http://localhost:$PORT, PORT defaulting to 3000)
  --from NUMBER    the caller's number (default: +14035550187, nobody on the rosters)
  --to NUMBER      the number called (default: +14035550311)
  --input VALUE    answers the next prompt; repeat it, in order, for each prompt:
                     at a menu      keys (1, 4035550123#, * to hear the choices again) or
                                    words (billing); "" for silence; words ending in ~0.3
                                    are heard with that confidence ("the corner ~0.3")
                     at a recording what the caller says; "" for nothing; ending in
                                    "/ hangup" hangs up mid-recording ("5th and 13th / hangup")
                     in a queue     a (an agent answers), w (wait 10 minutes), h (hang up)
                     at a transfer  c (connected), n (no answer)
                   "hangup" hangs up anywhere; when the inputs run out, the caller hangs up.
  -v, --verbose    also print each request, its parameters and how long the server took
  -h, --help       show this help

Without --input, on a terminal, the call is interactive; Ctrl-C hangs up.
Requests are signed with $TWILIO_AUTH_TOKEN (default: the development token \`npm run dev\` uses)
over $PUBLIC_URL + path (default: the --url), which must be what the server signs with.

Examples:
  npm run call
  npm run call -- --input 0 --input a
  npm run call -- --url http://localhost:3999 --input 1 --input w --input 1 --input "my bill is wrong"`;

/** A resident's number that is on no roster, so a test call never looks like a crew member's. */
const DEFAULT_FROM = "+14035550187";
const DEFAULT_TO = "+14035550311";
/** An answer slower than this leaves the caller in silence. */
const SLOW_ANSWER_MS = 1000;

/** A mistake in how the command was called. */
class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A scripted `--input` that does not fit the prompt it answers. */
class ScriptError extends Error {
  override readonly name = "ScriptError";
}

type Answerer = (prompt: Prompt) => Promise<string | null>;

async function main(argv: string[]): Promise<void> {
  const values = parseOptions(argv);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const env = process.env;
  const address = lineAddress(values.url, env, DEFAULT_PORT);
  const baseUrl = urlArgument(values.url ? "--url" : "the line's address", address.url);
  const publicUrl = urlArgument(env["PUBLIC_URL"] ? "PUBLIC_URL" : "the line's address", address.publicUrl);
  const from = phoneArgument("--from", values.from ?? DEFAULT_FROM);
  const to = phoneArgument("--to", values.to ?? DEFAULT_TO);
  const inputs = values.input ?? [];
  const interactive = inputs.length === 0 && process.stdin.isTTY === true;

  const hangUp = new AbortController();
  let readline: Interface | undefined;
  const onInterrupt = () => {
    if (hangUp.signal.aborted) process.exit(130);
    console.log("\n  📴 You hang up.");
    hangUp.abort();
  };
  process.on("SIGINT", onInterrupt);
  if (interactive) {
    readline = createInterface({ input: process.stdin, output: process.stdout });
    readline.on("SIGINT", onInterrupt);
    readline.on("close", () => hangUp.abort());
  }

  console.log(`📞 Calling ${to} from ${from} at ${baseUrl}${publicUrl === baseUrl ? "" : ` (signed as ${publicUrl})`}`);
  try {
    const transcript = await placeCall({
      baseUrl,
      publicUrl,
      authToken: env["TWILIO_AUTH_TOKEN"] || DEVELOPMENT_AUTH_TOKEN,
      from,
      to,
      answer: readline ? interactiveAnswers(readline, hangUp.signal) : scriptedAnswers(inputs),
      hear: (line) => console.log(`  ${line}`),
      onRequest: (request) => reportRequest(request, values.verbose === true),
      signal: hangUp.signal,
    });
    console.log(`📴 ${describeEnd(transcript.end)}`);
  } finally {
    process.off("SIGINT", onInterrupt);
    readline?.close();
  }
}

function parseOptions(args: string[]) {
  const options = {
    url: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    input: { type: "string", multiple: true },
    verbose: { type: "boolean", short: "v" },
    help: { type: "boolean", short: "h" },
  } as const;
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    const quoted = /'([^']+)'/.exec(message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && quoted) {
      const suggestion = didYouMean(quoted.replace(/^-+/, ""), Object.keys(options));
      throw new UsageError(`unknown option ${quoted}${suggestion ? ` (did you mean --${suggestion}?)` : ""}`);
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL" && quoted) {
      throw new UsageError(`unexpected argument "${quoted}" (answers go in --input, one per prompt)`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && quoted) throw new UsageError(`option ${quoted.split(" ")[0]} needs a value`);
    throw new UsageError(message);
  }
}

function urlArgument(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} "${value}" is not a URL; write it as http://localhost:3000`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${name} "${value}" must be an http:// or https:// URL`);
  return value.replace(/\/+$/, "");
}

function phoneArgument(name: string, value: string): string {
  if (!/^\+[1-9]\d{7,14}$/.test(value)) throw new UsageError(`${name} "${value}" must be an E.164 number such as ${DEFAULT_FROM}`);
  return value;
}

/** One line saying what the caller can do now. */
function instruction(prompt: Prompt): string {
  switch (prompt.kind) {
    case "gather": {
      const dtmf = prompt.input.includes("dtmf");
      const speech = prompt.input.includes("speech");
      const how = dtmf && speech ? "Press keys (e.g. 1) or type what you would say (add ~0.3 for unsure speech)" : dtmf ? "Press keys (e.g. 1)" : "Type what you would say (add ~0.3 for unsure speech)";
      const finish = dtmf && prompt.finishOnKey && prompt.numDigits !== 1 ? ` (end with ${prompt.finishOnKey})` : "";
      const hints = speech && prompt.hints.length > 0 ? `\n     it listens for: ${shorten(prompt.hints.join(", "), 100)}` : "";
      return `  ⌨  ${how}${finish}; Enter for silence; "hangup" to hang up${hints}`;
    }
    case "record":
      return `  ⌨  Type what you would say for the recording (Enter = say nothing); end with "/ hangup" to hang up while recording; "hangup" to hang up`;
    case "queue":
      return "  ⌨  [a] an agent answers  [w] wait 10 minutes  [h] hang up";
    case "dial":
      return `  ⌨  [c] connected  [n] no answer  ("hangup" to hang up)`;
  }
}

function interactiveAnswers(readline: Interface, hangUp: AbortSignal): Answerer {
  return async (prompt) => {
    if (prompt.problem) console.log(`  ✋ ${prompt.problem}`);
    else console.log(instruction(prompt));
    let line: string;
    try {
      line = await readline.question("  > ", { signal: hangUp });
    } catch (error) {
      if (hangUp.aborted) return null;
      throw error;
    }
    return line.trim().toLowerCase() === "hangup" ? null : line;
  };
}

function scriptedAnswers(inputs: string[]): Answerer {
  let used = 0;
  return async (prompt) => {
    if (prompt.problem) {
      throw new ScriptError(`--input number ${used} ("${inputs[used - 1]}") does not fit the prompt it answers: ${prompt.problem}`);
    }
    console.log(instruction(prompt));
    const value = inputs[used];
    if (value === undefined) {
      console.log("  > (no --input left: you hang up)");
      return null;
    }
    used += 1;
    console.log(`  > ${value === "" ? "(silence)" : value}`);
    return value.trim().toLowerCase() === "hangup" ? null : value;
  };
}

function reportRequest(request: CallRequest, verbose: boolean): void {
  const path = request.sentTo.replace(/^https?:\/\/[^/]+/, "");
  if (verbose) {
    const { CallSid, AccountSid, From, To, Direction, ApiVersion, CallStatus, ...rest } = request.params;
    const shown = Object.entries(CallStatus === "in-progress" ? rest : { CallStatus, ...rest })
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(" ");
    const what = shown || (request.purpose === "gather" ? "(silence)" : `(${request.purpose})`);
    console.log(`     → POST ${path} ${what}  [${request.status}, ${request.elapsedMs} ms]`);
  }
  if (request.elapsedMs > SLOW_ANSWER_MS) {
    console.log(`  ⚠  the server took ${(request.elapsedMs / 1000).toFixed(1)} s to answer POST ${path}; a caller hears silence meanwhile`);
  }
}

function describeEnd(end: CallEnd): string {
  const how = {
    "caller-hung-up": "you hung up",
    "hangup-verb": "the line hung up",
    "twiml-ended": "the TwiML ran out, which ends a call",
  }[end.reason];
  return `Call ended: ${how}. ${end.steps} step${end.steps === 1 ? "" : "s"}, ${end.durationSeconds} s of simulated call time.`;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`call: ${error.message}`);
    console.error("Run with --help for usage.");
  } else if (error instanceof PhoneError || error instanceof ScriptError) {
    console.error(`✗ ${error.message}`);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exitCode = 1;
});
