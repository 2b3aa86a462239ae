/**
 * `npm run bench`: throughput and latency of the real voice webhook against a bare express
 * handler returning fixed TwiML, on this machine, in one run.
 *
 * Both servers run as child processes; autocannon runs here with 50 connections. The line runs
 * as production runs it (`npm run start:web`: node on the compiled build), built into .bench/dist
 * first when src/ changed since: what tsx runs from sources is not what a City runs. Every request
 * to the real line is a new call (a fresh CallSid), signed exactly as Twilio signs it, so each
 * one does the whole first step: signature check, Redis, the engine, TwiML, the save.
 * Calls are written to a Redis database of their own (BENCH_REDIS_DB, default 9) and removed after.
 * The line logs at production's level into a file, as a log collector would take its lines: read
 * here, they would take the load's CPU in the line's turns only.
 *
 * Each server is warmed up first (its code compiled, its heap grown, as in a line that has been
 * up a while), then the two take turns, round after round: a machine whose speed drifts during
 * the run (a virtual machine's neighbours) weighs on both alike.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import twilio from "twilio";
import { BUILD_DIR, buildWhenStale, cpuMsOf, startServer } from "./lib/built-line.js";
import { benchRedisUrl, claimBenchDatabase, countKeys, removeBenchKeys } from "./lib/bench.js";
import { latencySummary, openLoop, type OpenLoopResult } from "./lib/open-loop.js";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "50" },
    duration: { type: "string", default: "10" },
    rate: { type: "string", default: "500" },
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "3" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(`usage: npm run bench [-- --connections 50 --duration 10 --rate 500 --rounds 3 --warmup 3]
  --connections N  autocannon's connections, each waiting for its answer (the closed loop)
  --duration S     seconds of each server's turn at each load
  --rate R         then R requests a second whatever the answers (the open loop), each timed from
                   when it was due; 0 leaves it out
  --rounds N       turns each server takes at each load, the two alternating
  --warmup S       seconds of the closed load each server answers first, not counted; 0 for none`);
  process.exit(0);
}
const options = { connections: 1, duration: 1, rate: 0, rounds: 1, warmup: 0 };
for (const name of ["connections", "duration", "rate", "rounds", "warmup"] as const) {
  const value = Number(values[name]);
  const least = name === "rate" || name === "warmup" ? 0 : 1;
  if (!Number.isFinite(value) || value < least || (name === "rounds" && !Number.isInteger(value))) {
    console.error(`bench: --${name} must be ${name === "rounds" ? "a whole number" : "a number"} of at least ${least} (got "${values[name]}")`);
    process.exit(1);
  }
  options[name] = value;
}
const { connections, duration, rate, rounds, warmup } = options;
const TOKEN = "bench-auth-token";
const PUBLIC_URL = "https://bench.civic-line.test";
const redisUrl = benchRedisUrl();
await claimBenchDatabase(redisUrl);
/** The line's throughput goal, as a share of the bare handler's. */
const RATIO_GOAL = 0.6;
/** The web role as `npm run start:web` runs it, from the bench's build. */
const BUILT_WEB = join(BUILD_DIR, "web.js");
/** Where the line's log lines go: a file, as a log collector takes them, not this process, which makes the load. */
const LINE_LOG = ".bench/line.log";

/** Signed request bodies, made before the run so that signing does not take the client's CPU from the server. */
function prepareCalls(count: number, sign: boolean): { body: string; signature: string | undefined }[] {
  return Array.from({ length: count }, () => {
    const params = {
      CallSid: `CA${randomBytes(16).toString("hex")}`,
      AccountSid: "AC00000000000000000000000000000000",
      From: "+14035550123",
      To: "+14035550311",
      CallStatus: "ringing",
      Direction: "inbound",
      ApiVersion: "2010-04-01",
    };
    const signature = sign ? twilio.getExpectedTwilioSignature(TOKEN, `${PUBLIC_URL}/twilio/voice`, params) : undefined;
    return { body: new URLSearchParams(params).toString(), signature };
  });
}

function run(title: string, url: string, sign: boolean, seconds = duration): Promise<autocannon.Result> {
  console.log(`\n${title}: ${connections} connections for ${seconds} s`);
  // More calls than the fastest server answers in the time; each request takes the next one.
  const calls = prepareCalls(Math.max(20_000, seconds * 8_000), sign);
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        requests: [
          {
            setupRequest: (request) => {
              const call = calls[next++ % calls.length]!;
              const headers = { ...request.headers, ...(call.signature ? { "x-twilio-signature": call.signature } : {}) };
              return { ...request, headers, body: call.body };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    autocannon.track(instance, { renderProgressBar: true, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** The steady (open-loop) load: `rate` new calls a second for the run's duration, each timed from when it was due. */
async function steady(title: string, url: string, sign: boolean): Promise<OpenLoopResult> {
  console.log(`\n${title}: a steady ${rate} requests a second for ${duration} s, each timed from when it was due`);
  const calls = prepareCalls(Math.ceil(rate * duration), sign);
  let next = 0;
  return openLoop({
    url,
    rate,
    seconds: duration,
    next: () => {
      const call = calls[next++]!;
      return { body: call.body, headers: { "content-type": "application/x-www-form-urlencoded", ...(call.signature ? { "x-twilio-signature": call.signature } : {}) } };
    },
  });
}

/** Runs the load and says the server's CPU ms per answered request beside autocannon's result. */
async function measured(child: ChildProcess, load: () => Promise<autocannon.Result>): Promise<{ result: autocannon.Result; cpuMs: number | null }> {
  const before = cpuMsOf(child.pid);
  const result = await load();
  const after = cpuMsOf(child.pid);
  return { result, cpuMs: before === null || after === null ? null : after - before };
}

/** One server's turns at the closed load, put together. */
interface ClosedTurns {
  requests: number;
  seconds: number;
  /** Each turn's p50 and p99 (autocannon gives percentiles per run only). */
  p50s: number[];
  p99s: number[];
  non2xx: number;
  errors: number;
  cpuMs: number | null;
}

function addTurn(turns: ClosedTurns, { result, cpuMs }: { result: autocannon.Result; cpuMs: number | null }): void {
  turns.requests += result.requests.total;
  turns.seconds += result.duration;
  turns.p50s.push(result.latency.p50);
  turns.p99s.push(result.latency.p99);
  turns.non2xx += result.non2xx;
  turns.errors += result.errors + result.timeouts;
  turns.cpuMs = turns.cpuMs === null || cpuMs === null ? null : turns.cpuMs + cpuMs;
}

const newTurns = (): ClosedTurns => ({ requests: 0, seconds: 0, p50s: [], p99s: [], non2xx: 0, errors: 0, cpuMs: 0 });

// Calls an interrupted run left behind would be counted as this run's.
await removeBenchKeys(redisUrl);
buildWhenStale("bench");
const bare = await startServer(["--import", "tsx", "scripts/bench/bare-server.ts"], {});
const line = await startServer([BUILT_WEB], {
  NODE_ENV: "production",
  REDIS_URL: redisUrl,
  PUBLIC_URL,
  TWILIO_AUTH_TOKEN: TOKEN,
  // The web role pages nobody; saying so on purpose is what production asks.
  PAGER: "console",
  FALLBACK_NUMBER: "none",
  // Production's level: every call start is logged, as it would be.
  LOG_LEVEL: "info",
}, { logFile: LINE_LOG });
const servers = [
  { name: "bare express", title: "bare express: the same form body read, fixed TwiML", url: `http://127.0.0.1:${bare.port}/twilio/voice`, sign: false, child: bare.child },
  { name: "Civic Line", title: "Civic Line POST /twilio/voice (signed, new call each)", url: `http://127.0.0.1:${line.port}/twilio/voice`, sign: true, child: line.child },
] as const;
try {
  if (warmup > 0) {
    for (const server of servers) await run(`warming up ${server.name} (not counted)`, server.url, server.sign, warmup);
  }
  const closed = [newTurns(), newTurns()] as const;
  // Only the line's counted turns add calls from here on.
  const savedBefore = await countKeys(redisUrl, "civic:call:*");
  for (let round = 1; round <= rounds; round++) {
    for (const [index, server] of servers.entries()) {
      addTurn(closed[index]!, await measured(server.child, () => run(`round ${round} of ${rounds}, ${server.title}`, server.url, server.sign)));
    }
  }
  const [bareTurns, lineTurns] = closed;
  // CPU ms per request: the server's own work, which the machine's other load moves less than req/s.
  console.log(`\n| server | requests | req/s | p50 ms (each round) | p99 ms (each round) | non-2xx | errors | CPU ms/request |`);
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [name, t] of [["bare express", bareTurns], ["Civic Line", lineTurns]] as const) {
    const cpu = t.cpuMs === null ? "-" : (t.cpuMs / Math.max(1, t.requests)).toFixed(3);
    console.log(`| ${name} | ${t.requests} | ${(t.requests / t.seconds).toFixed(0)} | ${t.p50s.join(", ")} | ${t.p99s.join(", ")} | ${t.non2xx} | ${t.errors} | ${cpu} |`);
  }
  const ratio = lineTurns.requests / lineTurns.seconds / (bareTurns.requests / bareTurns.seconds);
  // autocannon gives each run's percentiles, not its latencies: the worst round's p99 is judged.
  const lineP99 = Math.max(...lineTurns.p99s);
  console.log(`\nthroughput ratio (line / bare, over all rounds): ${ratio.toFixed(3)}   goal >= ${RATIO_GOAL.toFixed(2)}: ${ratio >= RATIO_GOAL ? "met" : "NOT met"}`);
  console.log(`line p99 (the worst round's): ${lineP99} ms   goal < 50 ms: ${lineP99 < 50 ? "met" : "NOT met"}`);
  const failed = lineTurns.non2xx + lineTurns.errors;
  if (failed > 0) console.log(`the line failed ${failed} requests (non-2xx or errors): its throughput counts them, so the goals above are not met`);
  // The apology fallback answers 200 too: only a call saved in Redis was really answered by the flow.
  const saved = (await countKeys(redisUrl, "civic:call:*")) - savedBefore;
  // Requests still in flight when a turn ended were saved too, unanswered by the count above.
  const fallbacks = saved < lineTurns.requests;
  console.log(`calls saved in Redis: ${saved}, for ${lineTurns.requests} answered in the counted rounds${fallbacks ? ": some answers were the apology, so the goals above are not met" : ""}`);
  // A goal missed, or a request answered by anything but the flow, is a failed run (exit 1), as for storm and soak.
  if (ratio < RATIO_GOAL || lineP99 >= 50 || failed > 0 || fallbacks) process.exitCode = 1;

  if (rate > 0) {
    const steadyTurns: [OpenLoopResult[], OpenLoopResult[]] = [[], []];
    for (let round = 1; round <= rounds; round++) {
      for (const [index, server] of servers.entries()) {
        steadyTurns[index]!.push(await steady(`round ${round} of ${rounds}, ${server.name}`, server.url, server.sign));
      }
    }
    console.log(`\n| server at a steady ${rate}/s, all rounds | sent | answered | p50 ms | p99 ms | max ms | p99 ms (each round) | non-2xx | errors |`);
    console.log("|---|---|---|---|---|---|---|---|---|");
    const summaries = steadyTurns.map((turns) => {
      const total = (key: "sent" | "answered" | "non2xx" | "errors") => turns.reduce((sum, turn) => sum + turn[key], 0);
      return { sent: total("sent"), answered: total("answered"), non2xx: total("non2xx"), errors: total("errors"), ...latencySummary(turns.flatMap((turn) => turn.latencies)), rounds: turns.map((turn) => turn.p99) };
    });
    for (const [index, r] of summaries.entries()) {
      console.log(`| ${servers[index]!.name} | ${r.sent} | ${r.answered} | ${r.p50} | ${r.p99} | ${r.max} | ${r.rounds.join(", ")} | ${r.non2xx} | ${r.errors} |`);
    }
    for (const [index, turns] of steadyTurns.entries()) {
      const failures: Record<string, number> = {};
      for (const turn of turns) for (const [why, count] of Object.entries(turn.failures)) failures[why] = (failures[why] ?? 0) + count;
      if (Object.keys(failures).length > 0) console.log(`${servers[index]!.name}: failed requests, by what cut them: ${Object.entries(failures).map(([why, count]) => `${why} ${count}`).join(", ")}`);
    }
    const [bareSteady, lineSteady] = summaries as [(typeof summaries)[number], (typeof summaries)[number]];
    const bound = 2 * bareSteady.p99;
    // Failures are in the percentiles (timed to when they failed), and a failing line meets no goal.
    const clean = lineSteady.errors === 0 && lineSteady.non2xx === 0;
    if (lineSteady.p99 > bound || !clean) process.exitCode = 1;
    console.log(`\nline p99 at ${rate}/s: ${lineSteady.p99} ms   goal <= twice bare's (${bound.toFixed(1)} ms): ${lineSteady.p99 <= bound && clean ? "met" : "NOT met"}${clean ? "" : " (some requests failed)"}`);
  }
} finally {
  bare.child.kill();
  line.child.kill();
  const removed = await removeBenchKeys(redisUrl);
  console.log(`removed ${removed} benchmark keys from ${redisUrl}; the line's log lines are in ${LINE_LOG}`);
}
