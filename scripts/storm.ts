/**
 * `npm run storm`: the night of a windstorm, on this machine or against a staging line. Places
 * many simulated calls at once (signed as Twilio signs them, with the terminal phone's Twilio
 * stand-in, no network): residents reporting outages at places that repeat, callers who hang up
 * midway or say nothing, day callers when the line is open. Then it reads the incidents the line
 * opened and prints what a City wants to know of such a night: calls completed, calls that heard
 * the apology, webhook latency, reports, incidents, pages, and how long the first page took.
 *
 *   npm run storm -- --calls 200 --concurrency 200
 *   npm run storm -- --line split --at 2026-12-05T02:00
 *   npm run storm -- --url https://staging-311.example.ca --calls 50
 *
 * Without --url it starts the line itself, as production runs it (built into .bench/dist), on a
 * Redis database of its own (BENCH_REDIS_DB, default 9, emptied before and after), with records
 * in a temporary folder and pages going to a local Twilio stand-in. Exits 0 when every goal was
 * met, 1 when one was not, 2 when it could not run.
 */
import "./lib/load-env.js";
import { DateTime } from "luxon";
import { connectRedis, describeRedis } from "../src/adapters/redis/connections.js";
import { readHeartbeats } from "../src/adapters/redis/heartbeat.js";
import { RedisIncidentStore } from "../src/adapters/redis/incident-store.js";
import type { Incident } from "../src/domain/oncall/incident.js";
import { placeKey } from "../src/domain/oncall/place.js";
import { MAX_TEXT_SEGMENTS, pagingBoundMs, smsSegments, type SendingRates } from "../src/domain/oncall/sending-limits.js";
import { seededRandom } from "./lib/bench.js";
import { parseCommandOptions, UsageError } from "./lib/cli.js";
import { STORM_PLACE_COUNT, stormCallers, stormPlaces, type CallerKind } from "./lib/storm-callers.js";
import {
  afterTheDrill,
  boundRatesNote,
  call,
  incidentsUnpaged,
  newIncidents,
  reportsMissing,
  runMeasurement,
  runningLine,
  sendingRatesEnv,
  startLine,
  stormSendingRates,
  type CallOutcome,
  type Line,
  type RatesSource,
} from "./lib/storm-line.js";

const USAGE = `Usage: npm run storm -- [--calls N] [--concurrency N] [--ramp S] [--think S] [--at TIME] [--line one|split] [--url URL]
                       [--sms-per-second N] [--calls-per-second N] [--warm-up N] [--places N] [--seed N] [--verbose]

Places N simulated calls against the line, at most --concurrency at a time, and prints how the
line held up: calls completed, calls that heard the apology, webhook p50/p99/max, reports filed,
incidents, pages sent, the time from the first report to its first page, the least time Twilio's
sending limits allow for those first pages, and errors.

  --calls N         calls to place (default 200)
  --concurrency N   calls in progress at once (default: all of them)
  --ramp S          seconds over which the first calls ring, evenly spaced (default 1: 200 calls
                    a second, far more than any storm); 0 rings them all at the same instant
  --think S         seconds a caller takes before each answer, on average (default 2; each
                    pause between half and one and a half times it): a caller listens to the
                    prompt first. 0 answers at once, a load far beyond any storm's
  --line one|split  the line the storm starts: one process (npm start, the default), or two web
                    instances and one worker (npm run start:web twice, start:worker), the calls
                    shared between the two web instances as a load balancer would
  --at TIME         the City's time the line it starts runs at, e.g. 2026-12-05T02:00 (after
                    hours) or 2026-12-07T10:00 (open); needs Debian's faketime
  --url URL         storm a line that is already running instead (signed with $TWILIO_AUTH_TOKEN
                    over $PUBLIC_URL, as npm run call does); incidents are read from $REDIS_URL.
                    Its pages really go out: never point it at a line with real crews on call
  --sms-per-second N, --calls-per-second N
                    the sending rates of the line (default: $TWILIO_SMS_PER_SECOND and
                    $TWILIO_CALLS_PER_SECOND, else 1): the line the storm starts keeps them; with
                    --url, the least time printed assumes the running line keeps them
  --warm-up N       N calls a round, three rounds, before the storm (default 50: 150 calls; 0 for
                    none), each hung up at the first menu, so that the storm meets a line that has
                    been answering. They are not counted, but a line keeps them in its records
  --places N        how many places the callers report, shared among the crews (default: the storm's ${STORM_PLACE_COUNT}):
                    at most one incident each, so --places 60 with enough calls drills 60
                    incidents' pages under Twilio's limits
  --seed N          the callers' mix is the same for the same seed (default 1)
  -v, --verbose     also print what one caller of each kind heard
  -h, --help        show this help

Goals (exit 1 when one is not met): no caller hears the apology, no request fails, webhook p99
under ${"300"} ms, every caller who gave a place has their report in an incident, every incident
is paged (or taken), and every report of one place joins that place's one incident.`;

const P99_GOAL_MS = 300;
/** Calls placed (three times over) before the storm, so it meets a line that has been answering. */
const WARM_UP_CALLS = "50";
/** How long after the last call the storm waits for its reports and first pages, beyond what the sending limits take. */
const SETTLE_MS = 60_000;

function options(argv: string[]) {
  const spec = {
    calls: { type: "string", default: "200" },
    concurrency: { type: "string" },
    think: { type: "string", default: "2" },
    ramp: { type: "string", default: "1" },
    at: { type: "string" },
    line: { type: "string", default: "one" },
    url: { type: "string" },
    "sms-per-second": { type: "string" },
    "calls-per-second": { type: "string" },
    seed: { type: "string", default: "1" },
    places: { type: "string" },
    "warm-up": { type: "string", default: WARM_UP_CALLS },
    verbose: { type: "boolean", short: "v" },
    help: { type: "boolean", short: "h" },
  } as const;
  const values = parseCommandOptions(argv, spec);
  const count = (name: string, text: string, max: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max} (got "${text}")`);
    return value;
  };
  const calls = count("calls", values.calls, 5_000);
  const places = values.places === undefined ? undefined : count("places", values.places, 1_000);
  if (places !== undefined && places < 3) throw new UsageError(`--places must be at least 3, one for each crew (got "${values.places}")`);
  const warmUp = Number(values["warm-up"]);
  if (!/^\d+$/.test(values["warm-up"]) || warmUp > 1_000) throw new UsageError(`--warm-up must be a whole number from 0 to 1000 (got "${values["warm-up"]}")`);
  const concurrency = values.concurrency === undefined ? calls : count("concurrency", values.concurrency, 5_000);
  const think = Number(values.think);
  if (!Number.isFinite(think) || think < 0 || think > 60) throw new UsageError(`--think must be a number of seconds from 0 to 60 (got "${values.think}")`);
  const ramp = Number(values.ramp);
  if (!Number.isFinite(ramp) || ramp < 0 || ramp > 600) throw new UsageError(`--ramp must be a number of seconds from 0 to 600 (got "${values.ramp}")`);
  if (values.line !== "one" && values.line !== "split") throw new UsageError(`--line must be "one" or "split" (got "${values.line}")`);
  if (values.url && values.at) throw new UsageError("--at sets the clock of the line the storm starts; a running line keeps its own (start it under faketime instead)");
  if (values.url && values.line !== "one") throw new UsageError("--line says which line the storm starts; with --url it starts none");
  let at: DateTime | undefined;
  if (values.at) {
    at = DateTime.fromISO(values.at, { zone: "America/Edmonton" });
    if (!at.isValid) throw new UsageError(`--at must be a time such as 2026-12-05T02:00 (the City's time) (got "${values.at}")`);
  }
  const rates = stormSendingRates(values, process.env);
  return {
    calls,
    concurrency,
    thinkMs: think * 1000,
    rampMs: ramp * 1000,
    at,
    line: values.line,
    url: values.url,
    rates,
    /** Rates given on the command line win over what a running line's workers say. */
    ratesGiven: values["sms-per-second"] !== undefined || values["calls-per-second"] !== undefined,
    warmUp,
    seed: count("seed", values.seed, 2 ** 31),
    places,
    verbose: values.verbose === true,
    help: values.help === true,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(argv: string[]): Promise<number> {
  const opts = options(argv);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.url && process.env.CIVIC_PRIVATE_REDIS) {
    throw new UsageError(
      `--url: the storm reads the incidents from the line's own Redis, but nothing answered at REDIS_URL (${describeRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379")}), so a private one was started for this run. No call was placed: set REDIS_URL (or REDIS_SENTINELS) to the Redis the line at ${opts.url} uses, and run it again`,
    );
  }
  // The line the storm starts keeps the rates its bound assumes, whatever this shell says.
  const line = opts.url ? runningLine(opts.url) : await startLine("storm", opts.line as "one" | "split", opts.at, sendingRatesEnv(opts.rates));
  const redis = connectRedis(line.redis, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  redis.on("error", () => {});
  // Where the incidents are read, for the operator to check against the line's own Redis.
  const readFrom = `Redis at ${describeRedis(line.redis)}, database ${redis.options.db ?? 0}`;
  try {
    // A running line's workers say the rates they keep in their heartbeat: the bound assumes those, unless told otherwise.
    const beats = opts.url ? await readHeartbeats(redis, DateTime.now()).catch(() => []) : [];
    const workersRates = opts.ratesGiven ? undefined : beats.find((beat) => beat.sendingRates)?.sendingRates;
    const rates: { rates: SendingRates; source: RatesSource } = workersRates
      ? { rates: workersRates, source: "the line's workers" }
      : { rates: opts.rates, source: opts.url ? "assumed" : "the storm's line" };
    const store = new RedisIncidentStore(redis);
    const before = new Set((await store.recent(10_000).catch(() => [])).map((incident) => incident.reference));
    const plans = stormCallers(opts.calls, seededRandom(opts.seed), opts.places === undefined ? undefined : stormPlaces(opts.places));
    console.log(
      `storm: ${opts.calls} ${opts.calls === 1 ? "call" : "calls"}, ${opts.concurrency} at a time, ringing over ${opts.rampMs / 1000} s, callers taking ${opts.thinkMs / 1000} s to answer, against ${line.urls.join(" and ")} (${line.description})${opts.at ? ` at ${opts.at.toFormat("yyyy-MM-dd HH:mm")} City time` : ""}`,
    );

    // A line that has been answering for a while: its code compiled hot, its connections open.
    // Callers who hang up at the first menu file nothing, and are left out of the figures.
    if (opts.warmUp > 0) {
      console.log(`warming the line up: ${opts.warmUp} ${opts.warmUp === 1 ? "call" : "calls"} a round, three rounds, each hung up at the first menu (not counted; --warm-up 0 for none)`);
      const warmUp = stormCallers(opts.warmUp, seededRandom(opts.seed)).map((plan) => ({ ...plan, kind: "hangs-up-early" as const }));
      for (let round = 0; round < 3; round++) await Promise.all(warmUp.map((plan, index) => call(line, plan, index, Date.now(), 0, [])));
    }

    const latencies: number[] = [];
    const outcomes: CallOutcome[] = [];
    const began = Date.now();
    let next = 0;
    let inProgress = 0;
    const slots = Math.min(opts.concurrency, opts.calls);
    const progress = setInterval(() => {
      const failed = outcomes.filter((outcome) => outcome.error || outcome.apology).length;
      console.log(`  ${seconds(Date.now() - began)}: ${outcomes.length} of ${opts.calls} calls ended, ${inProgress} in progress${failed ? `, ${failed} failed or heard the apology` : ""}`);
    }, 5_000);
    await Promise.all(
      Array.from({ length: slots }, async (_, slot) => {
        // The first calls ring over the ramp; each slot's next call rings as its last one ends.
        await new Promise((resolve) => setTimeout(resolve, (opts.rampMs * slot) / slots));
        while (next < plans.length) {
          const index = next++;
          inProgress++;
          const outcome = await call(line, plans[index]!, index, began, opts.thinkMs, latencies);
          outcomes.push(outcome);
          inProgress--;
        }
      }),
    );
    clearInterval(progress);
    const callsEnded = Date.now();

    // Reports of callers who gave a place; each must reach an incident (held ones when their call ends).
    const filed = outcomes.filter((outcome) => outcome.placeGivenAt !== undefined);
    let incidents: Incident[] = [];
    /** Why the incidents could not be read at the last try (Redis gone mid-storm): the calls are still reported. */
    let unreadable: string | undefined;
    // The first pages of many incidents take the time Twilio's limits allow on top (a minute for 20 at the defaults).
    const deadline = (count: number) => callsEnded + SETTLE_MS + pagingBoundMs({ sms: count * MAX_TEXT_SEGMENTS, calls: count }, rates.rates);
    let lastSaid = callsEnded;
    for (;;) {
      try {
        incidents = await newIncidents(store, before);
        unreadable = undefined;
      } catch (error) {
        unreadable = error instanceof Error ? error.message : String(error);
      }
      const missing = reportsMissing(filed, incidents).length;
      const unpaged = incidentsUnpaged(incidents).length;
      if ((unreadable === undefined && missing === 0 && unpaged === 0) || Date.now() > deadline(incidents.length)) break;
      // Many incidents' first pages take minutes under the limits: the wait says what it waits for.
      if (Date.now() - lastSaid >= 5_000) {
        lastSaid = Date.now();
        const waitingFor = unreadable !== undefined ? "Redis to answer" : [missing ? `${missing} reports to reach an incident` : "", unpaged ? `${unpaged} of ${incidents.length} incidents' first pages` : ""].filter(Boolean).join(" and ");
        console.log(`  ${seconds(Date.now() - began)}: every call ended; waiting for ${waitingFor} (at most ${seconds(deadline(incidents.length) - Date.now())} more)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    // A running line's pages go wherever its workers' pager sends them: the console's reach no phone.
    const pagers = opts.url ? (await readHeartbeats(redis, DateTime.now()).catch(() => beats)).map((beat) => beat.pager) : [];
    const consolePager = pagers.length > 0 && pagers.every((pager) => pager === "console");
    report(opts, line, outcomes, latencies, filed, incidents, callsEnded - began, readFrom, consolePager, unreadable, rates);
    return unreadable === undefined && goalsMet(outcomes, latencies, filed, incidents) ? 0 : 1;
  } finally {
    redis.disconnect();
    await line.stop();
  }
}

function byKind(outcomes: CallOutcome[]): Map<CallerKind | "day-caller", CallOutcome[]> {
  const kinds = new Map<CallerKind | "day-caller", CallOutcome[]>();
  for (const outcome of outcomes) {
    const kind = outcome.met.has("day-menu") ? "day-caller" : outcome.plan.kind;
    kinds.set(kind, [...(kinds.get(kind) ?? []), outcome]);
  }
  return kinds;
}

/** Reports of one category and place that opened more than one incident, by place. */
function splitPlaces(incidents: Incident[]): string[] {
  const open = new Map<string, number>();
  for (const incident of incidents) {
    const first = incident.reports[0];
    if (!first || first.recordingUrl) continue;
    const key = `${incident.category}: ${placeKey(first.location)}`;
    open.set(key, (open.get(key) ?? 0) + 1);
  }
  return [...open].filter(([, count]) => count > 1).map(([key, count]) => `${key} (${count} incidents)`);
}

function goalsMet(outcomes: CallOutcome[], latencies: number[], filed: CallOutcome[], incidents: Incident[]): boolean {
  const sorted = [...latencies].sort((a, b) => a - b);
  return (
    outcomes.every((outcome) => !outcome.apology && !outcome.error) &&
    percentile(sorted, 99) < P99_GOAL_MS &&
    reportsMissing(filed, incidents).length === 0 &&
    incidentsUnpaged(incidents).length === 0 &&
    splitPlaces(incidents).length === 0
  );
}

function report(
  opts: ReturnType<typeof options>,
  line: Line,
  outcomes: CallOutcome[],
  latencies: number[],
  filed: CallOutcome[],
  incidents: Incident[],
  stormMs: number,
  readFrom: string,
  consolePager: boolean,
  unreadable: string | undefined,
  sending: { rates: SendingRates; source: RatesSource },
): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  const apologies = outcomes.filter((outcome) => outcome.apology).length;
  const errors = outcomes.filter((outcome) => outcome.error);
  const completed = outcomes.filter((outcome) => outcome.transcript).length;
  const reports = incidents.reduce((sum, incident) => sum + incident.reports.length, 0);
  const pages = incidents.flatMap((incident) => incident.events.filter((event) => event.kind === "paged"));
  const firstReport = Math.min(...incidents.flatMap((incident) => incident.reports.map((r) => Date.parse(r.receivedAt))));
  const firstPages = incidents.map((incident) => Math.min(...incident.events.filter((event) => event.kind === "paged").map((event) => Date.parse(event.at))));
  const firstPage = Math.min(...firstPages);
  const lastFirstPage = Math.max(...firstPages);
  const unpaged = incidentsUnpaged(incidents).length;
  const missing = reportsMissing(filed, incidents).length;
  const split = splitPlaces(incidents);
  const p99 = percentile(sorted, 99);
  // What Twilio's sending limits allow: each incident's first pages, at the line's rates.
  const firstStepPages = incidents.flatMap((incident) => {
    const paged = incident.events.filter((event) => event.kind === "paged" && event.step !== undefined);
    const first = Math.min(...paged.map((event) => event.step!));
    return paged.filter((event) => event.step === first).map((event) => ({ ...event, incident: incident.reference }));
  });
  const rates: SendingRates = sending.rates;
  // Twilio's SMS limit counts segments: each first page's text as the stand-in received it; a
  // running line's texts are not seen here, and a page is two segments at most, most of them two.
  const smsPages = firstStepPages.filter((page) => page.channel === "sms");
  const segmentsOf = (page: (typeof smsPages)[number]) => {
    const text = line.twilio?.requests.find((request) => request.kind === "sms" && request.to === page.phone && request.body?.includes(page.incident))?.body;
    return text === undefined ? MAX_TEXT_SEGMENTS : smsSegments(text);
  };
  const smsSegmentsOwed = smsPages.reduce((sum, page) => sum + segmentsOf(page), 0);
  const bound = pagingBoundMs({ sms: smsSegmentsOwed, calls: firstStepPages.filter((page) => page.channel === "voice").length }, rates);

  if (opts.verbose) {
    for (const [kind, calls] of byKind(outcomes)) {
      const example = calls.find((outcome) => outcome.transcript);
      if (!example?.transcript) continue;
      console.log(`\n--- a ${kind} (${example.plan.category}, ${example.plan.place}) heard:`);
      for (const heard of example.transcript.heard) console.log(`  ${heard}`);
    }
  }

  const rows: [string, string][] = [
    ["calls completed", `${completed} of ${outcomes.length}, in ${seconds(stormMs)}`],
    ["callers", [...byKind(outcomes)].map(([kind, calls]) => `${calls.length} ${kind}`).join(", ")],
    ["heard the apology", String(apologies)],
    ["errors", String(errors.length)],
    ["webhook requests", `${sorted.length}: p50 ${percentile(sorted, 50)} ms, p99 ${p99} ms, max ${sorted.at(-1) ?? 0} ms`],
    ["reports filed", unreadable !== undefined ? `not known (${filed.length} callers gave a place)` : `${reports} (${filed.length} callers gave a place${missing ? `; ${missing} of theirs in no incident` : ""})`],
    ["incidents", `${incidents.length}${split.length ? `; reports of one place opened more than one: ${split.join("; ")}` : ", one per place reported"}`],
    [
      "pages sent",
      `${pages.length} (${pages.filter((page) => page.channel === "sms").length} SMS, ${pages.filter((page) => page.channel === "voice").length} calls)` +
        (line.twilio ? `; Twilio received ${line.twilio.requests.length}` : "") +
        (consolePager && pages.length > 0 ? "; to the line's console pager, not to any phone (see them with npm run oncall -- outbox)" : ""),
    ],
    ["first report to first page", Number.isFinite(firstPage - firstReport) ? seconds(firstPage - firstReport) : "no page"],
    ["every incident paged by", unpaged ? `${unpaged} incidents not paged yet` : Number.isFinite(lastFirstPage) ? `${seconds(lastFirstPage - firstReport)} after the first report` : "-"],
    [
      "Twilio's limits allow",
      `${firstStepPages.length} first pages (${smsPages.length} SMS of ${smsSegmentsOwed} segments${line.twilio ? "" : ", counted as two each"}, ${firstStepPages.length - smsPages.length} calls) in no less than ${seconds(bound)}, ${boundRatesNote(rates, sending.source)}`,
    ],
  ];
  console.log("");
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
  const lost = outcomes.filter((outcome) => outcome.met.has("unknown")).length;
  if (lost > 0) console.log(`  ${lost} callers met a prompt they did not recognise (the flow's words changed?) and answered it with silence`);
  // Each kind of error once, with how many calls met it (a refused signature fails every call alike).
  const kinds = new Map<string, number>();
  for (const error of errors) kinds.set(error.error!, (kinds.get(error.error!) ?? 0) + 1);
  for (const [message, count] of [...kinds].slice(0, 5)) console.log(`  error (${count} ${count === 1 ? "call" : "calls"}): ${message}`);
  if (kinds.size > 5) console.log(`  ... and ${kinds.size - 5} more kinds of error`);
  const dayCallers = byKind(outcomes).get("day-caller")?.length ?? 0;
  if (filed.length === 0 && dayCallers > 0) {
    // The line was open: nothing was reported, so reports, incidents and pages were not tested.
    console.log(`\nno caller gave a place, so no report was filed: the trouble line was not tested`);
    console.log(
      `  the line was open: ${dayCallers} callers met the day menu. For the trouble line, run the storm at night City time, or with --at 2026-12-05T02:00 (it needs Debian's faketime), or against a line you closed with npm run hours -- emergency set --closed (and --url)`,
    );
  } else if (unreadable !== undefined) {
    // Redis went mid-storm: the calls above are what the callers heard; the incidents are unknown.
    console.log(`\ncould not read the incidents from ${readFrom}, so reports, incidents and pages above are not known: ${unreadable}`);
    if (opts.url) {
      console.log("  the storm's reports may still open incidents that page the line's crews once Redis is back: list them then with npm run oncall -- incidents --open, and close the storm's");
    }
  } else if (incidents.length === 0 || pages.length === 0) {
    // Nothing to show may mean the wrong Redis: say which one was read.
    console.log(`\nfound no ${incidents.length === 0 ? "incidents" : "pages"} in ${readFrom}`);
    // Only when calls got through: when every call failed, the errors above say why, not Redis.
    if (opts.url && incidents.length === 0 && errors.length < outcomes.length) {
      console.log("  if the line keeps its incidents elsewhere, set REDIS_URL (or REDIS_SENTINELS) in this shell to the Redis it uses:");
      console.log("  the storm's calls have likely opened incidents there all the same, paging the line's crews; list them with npm run oncall -- incidents --open run with that REDIS_URL, and close the storm's");
    }
  }

  const goal = (met: boolean) => (met ? "met" : "NOT met");
  const tested = (met: boolean) => (filed.length === 0 ? "not tested (no report)" : unreadable !== undefined ? "NOT known (incidents unread)" : goal(met));
  console.log(`\ngoals: no apology ${goal(apologies === 0)}; no errors ${goal(errors.length === 0)}; webhook p99 < ${P99_GOAL_MS} ms ${goal(p99 < P99_GOAL_MS)}; every report filed ${tested(missing === 0)}; every incident paged ${tested(unpaged === 0)}; one incident per place ${tested(split.length === 0)}`);
  if (!opts.url) console.log(`(Redis ${describeRedis(line.redis)} emptied of the storm's keys afterwards)`);
  // What a drill against a running line leaves there, and how to close it.
  if (opts.url) for (const words of afterTheDrill(incidents, outcomes, unreadable === undefined ? reportsMissing(filed, incidents).length : 0)) console.log(`\n${words}`);
  if (line.logs?.length) console.log(`the line's log lines: ${line.logs.join(", ")}`);
}

runMeasurement("storm", USAGE, () => main(process.argv.slice(2)));
