/**
 * The line a storm or a soak runs against, and one of its callers' calls: started here as
 * production runs it (built into .bench/dist, on the benchmarks' Redis database, records in a
 * temporary folder, pages to a local Twilio stand-in), or a line already running; and how the
 * two commands end, with their exit codes.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { DateTime } from "luxon";
import type { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { DEFAULT_PORT, DEVELOPMENT_AUTH_TOKEN, type RedisLocation } from "../../src/config/env.js";
import type { Incident } from "../../src/domain/oncall/incident.js";
import { DEFAULT_SENDING_RATES, type SendingRates } from "../../src/domain/oncall/sending-limits.js";
import { benchRedisUrl, claimBenchDatabase, removeBenchKeys } from "./bench.js";
import { BUILD_DIR, buildWhenStale, startServer, type StartedServer } from "./built-line.js";
import { lineRedis, UsageError } from "./cli.js";
import { lineAddress } from "./dev-line.js";
import { placeCall, type CallRequest, type CallTranscript } from "./phone.js";
import { callerFor, callerNumber, type CallerPlan, type PromptMeaning } from "./storm-callers.js";
import { startTwilioStandIn, type TwilioStandIn } from "./twilio-stand-in.js";

const STORM_TOKEN = "storm-auth-token";
const STORM_PUBLIC_URL = "https://storm.civic-line.test";
const STORM_ACCOUNT = `AC${"5".repeat(32)}`;
/** Words Twilio's caller hears when the line could not answer the step. */
const APOLOGY = /phone system is having trouble/i;

export interface CallOutcome {
  plan: CallerPlan;
  /** The call's CallSid: its report, when it filed one, carries it. */
  callSid: string;
  transcript?: CallTranscript;
  error?: string;
  apology: boolean;
  /** When the caller's place was taken (the report filed), ms since the storm began. */
  placeGivenAt?: number;
  reference?: string;
  met: Set<PromptMeaning>;
}

/**
 * Runs a measuring command's `main` and exits with the code it returns (0 every goal met, 1 one
 * missed), or with 2 when it could not run: a {@link UsageError} is said with the usage, anything
 * else in one line.
 *
 * @example
 * runMeasurement("storm", USAGE, () => main(process.argv.slice(2)));
 */
export function runMeasurement(program: string, usage: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof UsageError ? `${program}: ${error.message}\n\n${usage}` : `${program}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}

/** The options that say which sending rates a storm's bound assumes. */
export interface RateOptions {
  "sms-per-second"?: string | undefined;
  "calls-per-second"?: string | undefined;
}

/**
 * The sending rates the storm's bound assumes, and its own line is started with: each from its
 * option (`--sms-per-second`, `--calls-per-second`), else this shell's TWILIO_SMS_PER_SECOND and
 * TWILIO_CALLS_PER_SECOND, else Twilio's default of 1. An option that is not a positive number is
 * a UsageError.
 */
export function stormSendingRates(values: RateOptions, env: NodeJS.ProcessEnv): SendingRates {
  const rate = (option: keyof RateOptions, variable: string, fallback: number) => {
    const given = values[option];
    if (given !== undefined) {
      const value = Number(given);
      if (given.trim() === "" || !Number.isFinite(value) || value <= 0) throw new UsageError(`--${option} must be a number above 0, such as 1 or 0.5 (got "${given}")`);
      return value;
    }
    const value = Number(env[variable]);
    return env[variable] && Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return {
    smsPerSecond: rate("sms-per-second", "TWILIO_SMS_PER_SECOND", DEFAULT_SENDING_RATES.smsPerSecond),
    callsPerSecond: rate("calls-per-second", "TWILIO_CALLS_PER_SECOND", DEFAULT_SENDING_RATES.callsPerSecond),
  };
}

/** The environment that makes the storm's own line keep exactly `rates`, whatever this shell says. */
export function sendingRatesEnv(rates: SendingRates): Record<string, string> {
  return { TWILIO_SMS_PER_SECOND: String(rates.smsPerSecond), TWILIO_CALLS_PER_SECOND: String(rates.callsPerSecond) };
}

/** Where the rates a storm's bound assumes come from. */
export type RatesSource = "the storm's line" | "the line's workers" | "assumed";

/**
 * Which rates the printed bound assumes: the ones the storm gave its own line; for a line already
 * running (`--url`), the ones its workers say they keep (their heartbeat carries them), or, when
 * none says, an assumption the storm cannot check, said as one.
 */
export function boundRatesNote(rates: SendingRates, source: RatesSource): string {
  const words = `${rates.smsPerSecond} SMS segment${rates.smsPerSecond === 1 ? "" : "s"} and ${rates.callsPerSecond} call${rates.callsPerSecond === 1 ? "" : "s"} a second`;
  switch (source) {
    case "the storm's line":
      return `at ${words}, the rates the storm gave its line`;
    case "the line's workers":
      return `at ${words}, the rates the line's workers say they keep`;
    case "assumed":
      return `assuming the line sends ${words}: pass --sms-per-second/--calls-per-second if it is configured otherwise`;
  }
}

/** The line the storm started: where to call it, what it signs with, and how to stop it. */
export interface Line {
  urls: string[];
  publicUrl: string;
  authToken: string;
  /** The line's Redis, where its incidents are read. */
  redis: RedisLocation | string;
  description: string;
  stop: () => Promise<void>;
  twilio?: TwilioStandIn;
  /** The files the line's processes write their log lines to, when this started them. */
  logs?: readonly string[];
}

/** Where Debian's faketime keeps its library, on any architecture. */
function libfaketime(): string | undefined {
  const lib = "/usr/lib";
  const dirs = existsSync(lib) ? readdirSync(lib).map((dir) => join(lib, dir, "faketime")) : [];
  return [...dirs, join(lib, "faketime")].map((dir) => join(dir, "libfaketime.so.1")).find((file) => existsSync(file));
}

/**
 * The environment that starts a process's clock at `at` and lets it run (Debian's faketime, as
 * `faketime -f @...` sets it, without the wrapper process, so a signal reaches node itself).
 */
function fakeClock(at: DateTime): Record<string, string> {
  const library = libfaketime();
  if (!library) throw new UsageError("--at runs the line under Debian's faketime, which is not installed: sudo apt-get install -y faketime");
  // faketime reads the time in the process's zone: the line runs in UTC under it.
  return { LD_PRELOAD: library, FAKETIME: `@${at.toUTC().toFormat("yyyy-MM-dd HH:mm:ss")}`, TZ: "UTC" };
}

export async function startLine(program: string, kind: "one" | "split", at: DateTime | undefined, extraEnv: Record<string, string> = {}): Promise<Line> {
  // First: without faketime this throws, before anything is built, emptied or started.
  const clock = at ? fakeClock(at) : {};
  buildWhenStale(program);
  const redisUrl = benchRedisUrl();
  await claimBenchDatabase(redisUrl);
  await removeBenchKeys(redisUrl, ["civic:*", "bull:*"]);
  const twilio = await startTwilioStandIn({ accountSid: STORM_ACCOUNT, authToken: STORM_TOKEN });
  const dataDir = mkdtempSync(join(tmpdir(), "civic-storm-"));
  const env = {
    NODE_ENV: "production",
    REDIS_URL: redisUrl,
    PUBLIC_URL: STORM_PUBLIC_URL,
    TWILIO_AUTH_TOKEN: STORM_TOKEN,
    PAGER: "twilio",
    TWILIO_ACCOUNT_SID: STORM_ACCOUNT,
    TWILIO_FROM_NUMBER: "+14035550311",
    TWILIO_API_URL: twilio.url,
    FALLBACK_NUMBER: "none",
    DATA_DIR: dataDir,
    // Production's level: every call is logged, as it would be.
    LOG_LEVEL: "info",
    ...extraEnv,
  };
  const withTz = { ...env, ...clock };
  const servers: StartedServer[] = [];
  const stop = async () => {
    for (const server of servers) server.child.kill("SIGTERM");
    await Promise.all(servers.map((server) => new Promise((resolve) => (server.child.exitCode !== null ? resolve(null) : server.child.once("exit", resolve)))));
    await twilio.close();
    await removeBenchKeys(redisUrl, ["civic:*", "bull:*"]);
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Each process's log lines go to a file of its own: the load is made in this process, which
  // would otherwise read them all (and an operator can look for what a failed call logged).
  const logs: string[] = [];
  const logTo = (role: string) => {
    const logFile = join(dirname(BUILD_DIR), `${program}-${role}.log`);
    logs.push(logFile);
    return logFile;
  };
  try {
    if (kind === "one") {
      servers.push(await startServer([join(BUILD_DIR, "main.js")], withTz, { logFile: logTo("line") }));
    } else {
      servers.push(await startServer([join(BUILD_DIR, "worker.js")], withTz, { readyWhen: /worker: processing/, logFile: logTo("worker") }));
      servers.push(await startServer([join(BUILD_DIR, "web.js")], withTz, { logFile: logTo("web-1") }));
      servers.push(await startServer([join(BUILD_DIR, "web.js")], withTz, { logFile: logTo("web-2") }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const urls = servers.filter((server) => server.port > 0).map((server) => `http://127.0.0.1:${server.port}`);
  const description =
    kind === "one" ? "one process, as npm start runs it" : "two web instances and one worker, as npm run start:web and start:worker run them";
  return { urls, publicUrl: STORM_PUBLIC_URL, authToken: STORM_TOKEN, redis: redisUrl, description, stop, twilio, logs };
}

export function runningLine(url: string): Line {
  const address = lineAddress(url, process.env, DEFAULT_PORT);
  return {
    urls: [address.url],
    publicUrl: process.env["PUBLIC_URL"] ? address.publicUrl : address.url,
    authToken: process.env["TWILIO_AUTH_TOKEN"] || DEVELOPMENT_AUTH_TOKEN,
    redis: lineRedis(),
    description: "a running line",
    stop: async () => {},
  };
}

/** One caller's call, from the first ring to the status callback. */
export async function call(line: Line, plan: CallerPlan, index: number, began: number, thinkMs: number, latencies: number[]): Promise<CallOutcome> {
  const from = callerNumber(index);
  const caller = callerFor(plan, from);
  const outcome: CallOutcome = { plan, callSid: `CA${randomBytes(16).toString("hex")}`, apology: false, met: new Set() };
  let words: string[] = [];
  let placeAnswered = false;
  try {
    outcome.transcript = await placeCall({
      baseUrl: line.urls[index % line.urls.length]!,
      publicUrl: line.publicUrl,
      authToken: line.authToken,
      from,
      to: "+14035550311",
      callSid: outcome.callSid,
      hear: (heard) => {
        words.push(heard);
        if (APOLOGY.test(heard)) outcome.apology = true;
        const reference = /reference number is ([\d ]+)/i.exec(heard)?.[1];
        if (reference) outcome.reference = reference.replace(/\D/g, "");
      },
      answer: async (prompt) => {
        const { answer, meaning } = caller(prompt, words.join(" "));
        words = [];
        if (thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, thinkMs * (0.5 + Math.random())));
        outcome.met.add(meaning);
        placeAnswered = meaning === "place" || meaning === "record-place";
        return answer;
      },
      onRequest: (request: CallRequest) => {
        latencies.push(request.elapsedMs);
        if (placeAnswered && outcome.placeGivenAt === undefined) outcome.placeGivenAt = Date.now() - began;
        placeAnswered = false;
      },
    });
  } catch (error) {
    outcome.error = error instanceof Error ? error.message : String(error);
  }
  return outcome;
}

/** The incidents opened since `before` was read (by reference), with their reports and pages. */
export async function newIncidents(store: RedisIncidentStore, before: ReadonlySet<string>): Promise<Incident[]> {
  return (await store.recent(10_000)).filter((incident) => !before.has(incident.reference));
}


/**
 * What a storm leaves on a running line once it is over, and how to close it, in paragraphs: its
 * incidents page the line's on-call phones until taken or closed, and its voicemails wait on the
 * worklist as callback requests (in the records, which the storm does not read).
 */
export function afterTheDrill(incidents: readonly Incident[], outcomes: readonly CallOutcome[], reportsNotFound = 0): string[] {
  const paragraphs: string[] = [];
  const open = incidents
    .filter((incident) => incident.status !== "resolved")
    .map((incident) => incident.reference)
    .sort((a, b) => Number(a) - Number(b));
  if (open.length > 0) {
    paragraphs.push(
      `the storm's ${open.length === 1 ? "incident pages" : `${open.length} incidents page`} the line's on-call phones until taken (and ${open.length === 1 ? "stays" : "stay"} open until closed); when the drill is over, close ${open.length === 1 ? "it" : "them"} with:\n` +
        `  npm run requests -- close ${open.join(" ")} --note "storm drill"`,
    );
  }
  if (reportsNotFound > 0) {
    // Held while its call lasts (up to two minutes when the line never heard the caller hang up), or lost.
    paragraphs.push(
      `${reportsNotFound === 1 ? "1 caller's report was" : `${reportsNotFound} callers' reports were`} not among the incidents when the storm ended: a report is held while its call lasts, and may open or join an incident after this. ` +
        "Run npm run oncall -- incidents --open in a few minutes and close any more of the storm's.",
    );
  }
  const voicemails = outcomes.filter((outcome) => outcome.plan.kind === "not-urgent" && outcome.met.has("record")).length;
  if (voicemails > 0) {
    paragraphs.push(
      `${voicemails === 1 ? "1 caller" : `${voicemails} callers`} left a voicemail: ${voicemails === 1 ? "its callback request is" : "their callback requests are"} on the line's worklist. List them with\n` +
        "  npm run requests -- list --service callback --status open\nand close them the same way.",
    );
  }
  return paragraphs;
}

/** The callers who gave a place whose report is in none of `incidents`: each must have reached one. */
export function reportsMissing(filed: readonly CallOutcome[], incidents: readonly Incident[]): CallOutcome[] {
  const reported = new Set(incidents.flatMap((incident) => incident.reports.map((report) => report.callSid)));
  return filed.filter((outcome) => !reported.has(outcome.callSid));
}

/** The incidents still open that nobody has been paged for. */
export function incidentsUnpaged(incidents: readonly Incident[]): Incident[] {
  return incidents.filter((incident) => incident.status === "open" && !incident.events.some((event) => event.kind === "paged"));
}
