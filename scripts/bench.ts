/**
 * `npm run bench`: throughput and latency of the real voice webhook against a bare express
 * handler returning fixed TwiML, on this machine, in one run.
 *
 * Both servers run as child processes; autocannon runs here with 50 connections. The line runs
 * as production runs it (`npm run start:web`: node on the compiled build), built into .bench/dist
 * first when src/ changed since: what tsx runs from sources is not what a City runs. Every request
 * to the real line is a new call (a fresh CallSid), signed exactly as Twilio signs it, so each
 * one does the whole first step: signature check, Redis reads, the engine, TwiML, the save.
 * Calls are written to a Redis database of their own (BENCH_REDIS_DB, default 9) and removed after.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import twilio from "twilio";
import { BUILD_DIR, buildWhenStale, cpuMsOf, startServer } from "./lib/built-line.js";
import { benchRedisUrl, claimBenchDatabase, countKeys, removeBenchKeys } from "./lib/bench.js";
import { openLoop, type OpenLoopResult } from "./lib/open-loop.js";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "50" },
    duration: { type: "string", default: "10" },
    rate: { type: "string", default: "500" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(`usage: npm run bench [-- --connections 50 --duration 10 --rate 500]
  --connections N  autocannon's connections, each waiting for its answer (the closed loop)
  --duration S     seconds of each load
  --rate R         then R requests a second whatever the answers (the open loop), each timed from
                   when it was due; 0 leaves it out`);
  process.exit(0);
}
const connections = Number(values.connections);
const duration = Number(values.duration);
const rate = Number(values.rate);
for (const [name, value] of [["--connections", connections], ["--duration", duration], ["--rate", rate]] as const) {
  if (!Number.isFinite(value) || value < 0 || (name !== "--rate" && value === 0)) {
    console.error(`bench: ${name} must be a positive number (got "${String(values[name.slice(2) as "connections" | "duration" | "rate"])}")`);
    process.exit(1);
  }
}
const TOKEN = "bench-auth-token";
const PUBLIC_URL = "https://bench.civic-line.test";
const redisUrl = benchRedisUrl();
await claimBenchDatabase(redisUrl);
/** The line's throughput goal, as a share of the bare handler's. */
const RATIO_GOAL = 0.6;
/** The web role as `npm run start:web` runs it, from the bench's build. */
const BUILT_WEB = join(BUILD_DIR, "web.js");

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

function run(title: string, url: string, sign: boolean): Promise<autocannon.Result> {
  console.log(`\n${title}: ${connections} connections for ${duration} s`);
  // More calls than the fastest server answers in the time; each request takes the next one.
  const calls = prepareCalls(Math.max(20_000, duration * 8_000), sign);
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration,
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
async function measured(child: ChildProcess, load: () => Promise<autocannon.Result>): Promise<{ result: autocannon.Result; cpuPerRequest: number | null }> {
  const before = cpuMsOf(child.pid);
  const result = await load();
  const after = cpuMsOf(child.pid);
  return { result, cpuPerRequest: before === null || after === null ? null : (after - before) / Math.max(1, result.requests.total) };
}

function summary(result: autocannon.Result) {
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

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
});
try {
  const bareRun = await measured(bare.child, () => run("bare express: the same form body read, fixed TwiML", `http://127.0.0.1:${bare.port}/twilio/voice`, false));
  const bareResult = { ...summary(bareRun.result), cpuPerRequest: bareRun.cpuPerRequest };
  const lineRun = await measured(line.child, () => run("Civic Line POST /twilio/voice (signed, new call each)", `http://127.0.0.1:${line.port}/twilio/voice`, true));
  const lineResult = { ...summary(lineRun.result), cpuPerRequest: lineRun.cpuPerRequest };
  const ratio = lineResult.rps / bareResult.rps;
  // CPU ms per request: the server's own work, which the machine's other load moves less than req/s.
  console.log("\n| server | requests | req/s | p50 ms | p99 ms | non-2xx | errors | CPU ms/request |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [name, r] of [["bare express", bareResult], ["Civic Line", lineResult]] as const) {
    console.log(`| ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r.cpuPerRequest === null ? "-" : r.cpuPerRequest.toFixed(3)} |`);
  }
  console.log(`\nthroughput ratio (line / bare): ${ratio.toFixed(2)}   goal >= ${RATIO_GOAL.toFixed(2)}: ${ratio >= RATIO_GOAL ? "met" : "NOT met"}`);
  console.log(`line p99: ${lineResult.p99} ms   goal < 50 ms: ${lineResult.p99 < 50 ? "met" : "NOT met"}`);
  if (lineResult.non2xx > 0 || lineResult.errors > 0) console.log("warning: the line answered some requests with errors");
  // The apology fallback answers 200 too: only a call saved in Redis was really answered by the flow.
  const saved = await countKeys(redisUrl, "civic:call:*");
  // Requests still in flight when the run ended were saved too, unanswered by the count above.
  console.log(`calls saved in Redis: ${saved}, for ${lineResult.requests} answered in the run${saved < lineResult.requests ? "   warning: some answers were the fallback" : ""}`);

  if (rate > 0) {
    const bareSteady = await steady("bare express", `http://127.0.0.1:${bare.port}/twilio/voice`, false);
    const lineSteady = await steady("Civic Line", `http://127.0.0.1:${line.port}/twilio/voice`, true);
    console.log(`\n| server at a steady ${rate}/s | sent | answered | p50 ms | p99 ms | max ms | non-2xx | errors |`);
    console.log("|---|---|---|---|---|---|---|---|");
    for (const [name, r] of [["bare express", bareSteady], ["Civic Line", lineSteady]] as const) {
      console.log(`| ${name} | ${r.sent} | ${r.answered} | ${r.p50} | ${r.p99} | ${r.max} | ${r.non2xx} | ${r.errors} |`);
    }
    const bound = 2 * bareSteady.p99;
    // Failures are in the percentiles (timed to when they failed), and a failing line meets no goal.
    const clean = lineSteady.errors === 0 && lineSteady.non2xx === 0;
    console.log(`\nline p99 at ${rate}/s: ${lineSteady.p99} ms   goal <= twice bare's (${bound.toFixed(1)} ms): ${lineSteady.p99 <= bound && clean ? "met" : "NOT met"}${clean ? "" : " (some requests failed)"}`);
  }
} finally {
  bare.child.kill();
  line.child.kill();
  const removed = await removeBenchKeys(redisUrl);
  console.log(`removed ${removed} benchmark keys from ${redisUrl}`);
}
