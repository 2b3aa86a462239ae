/**
 * `npm run soak`: a long night of steady calls and pages against the line as production runs
 * it, watching what would give out first: the process's memory, its event loop, and Redis's keys.
 *
 *   npm run soak -- --minutes 30 --rate 20
 *
 * It starts the line as `npm run storm` does (built into .bench/dist, Redis database
 * BENCH_REDIS_DB emptied before and after, records in a temporary folder, pages to a local
 * Twilio stand-in), places `--rate` new calls a second (a storm's mix of callers, answering
 * after half a second), and every `--every` seconds prints the line's resident memory and heap
 * (from its /metrics), its event-loop delay p99 over the interval, Redis's key count, with
 * the keys that have no TTL grouped by kind, and Redis's memory (with what each call adds to it). Exits 1 when a goal was missed: memory and the keys
 * nothing removes flat after the warm-up, event-loop delay p99 under 50 ms.
 */
import "./lib/load-env.js";
import type { Redis } from "ioredis";
import { connectRedis } from "../src/adapters/redis/connections.js";
import { seededRandom } from "./lib/bench.js";
import { stormCallers } from "./lib/storm-callers.js";
import { parseCommandOptions, UsageError } from "./lib/cli.js";
import { call, runMeasurement, startLine, type CallOutcome } from "./lib/storm-line.js";

const USAGE = `Usage: npm run soak -- [--minutes M] [--rate R] [--every S] [--line one|split] [--seed N]

Places R new calls a second for M minutes against the line it starts, and prints every S
seconds the line's memory, its event-loop delay p99, and Redis's keys and memory.

  --minutes M       how long (default 30)
  --rate R          new calls a second (default 20)
  --every S         seconds between samples (default 60)
  --line one|split  one process (npm start, the default), or two web instances and a worker
  --seed N          the callers' mix is the same for the same seed (default 1)

Goals (exit 1 when one is missed), judged after the warm-up (the first sixth of the run, at
least a minute): resident memory (the lowest of five samples) within 20 % of where the warm-up
left it (the heap's floor is printed too; it swings with every collection), no kind
of key without a TTL growing unless something removes it (BullMQ's retention, an incident's
life), event-loop delay p99 under 50 ms in every sample. Memory and keys need ten samples after
the warm-up (with the default --every 60, a run of 11 minutes): a shorter run is not judged, and exits 1.`;

const EVENT_LOOP_GOAL_MS = 50;
const MEMORY_GROWTH_GOAL = 0.2;
/** Memory is compared by the lowest of this many samples where the warm-up ended and at the end. */
const FLOOR_SAMPLES = 5;
/** Keys without a TTL that something else removes, and what. */
const OWNERS: [RegExp, string][] = [
  [/^bull:/, "BullMQ: a job is removed a week after it completes (a month after it fails)"],
  [/^civic:incident/, "incidents: each kept a year, the list of them trimmed to that year as incidents open"],
  [/^civic:(doc|document|published|flow|hours|oncall|departments)/, "the published documents and their history"],
  [/^civic:(reference|counter)/, "counters, one each"],
  [/^civic-line-bench:owner$/, "the benchmarks' mark on the Redis database they use, one"],
];

function options(argv: string[]) {
  const spec = {
    minutes: { type: "string", default: "30" },
    rate: { type: "string", default: "20" },
    every: { type: "string", default: "60" },
    line: { type: "string", default: "one" },
    seed: { type: "string", default: "1" },
    help: { type: "boolean", short: "h" },
  } as const;
  const values = parseCommandOptions(argv, spec);
  const number = (name: string, text: string, min: number, max: number) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${name} must be a number from ${min} to ${max} (got "${text}")`);
    return value;
  };
  if (values.line !== "one" && values.line !== "split") throw new UsageError(`--line must be "one" or "split" (got "${values.line}")`);
  return {
    minutes: number("minutes", values.minutes, 0.5, 24 * 60),
    rate: number("rate", values.rate, 0.1, 500),
    everyMs: number("every", values.every, 5, 3_600) * 1000,
    line: values.line as "one" | "split",
    seed: number("seed", values.seed, 0, 2 ** 31),
    help: values.help === true,
  };
}

/** One look at the line. */
interface Sample {
  atMs: number;
  placed: number;
  ended: number;
  failed: number;
  rssMb: number;
  heapMb: number;
  eventLoopP99Ms: number;
  keys: number;
  /** Redis's `used_memory`: what a City sizes its `maxmemory` by. */
  redisMb: number;
  /** Keys without a TTL, by kind. */
  untimed: Map<string, number>;
}

/** A metric's value from Prometheus text, or NaN. */
function metric(text: string, name: string): number {
  const line = text.split("\n").find((row) => row.startsWith(`${name} `) || row.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : Number.NaN;
}

/** A key's kind: a BullMQ queue's keys together (`bull:records:*`), the line's by their first two parts (`civic:incident:*`). */
function kindOf(key: string): string {
  const parts = key.split(":");
  return parts.length > 2 ? `${parts.slice(0, 2).join(":")}:*` : key;
}

async function untimedKeys(redis: Redis): Promise<{ keys: number; untimed: Map<string, number> }> {
  const untimed = new Map<string, number>();
  let keys = 0;
  for await (const batch of redis.scanStream({ count: 1_000 })) {
    const names = batch as string[];
    keys += names.length;
    const pipeline = redis.pipeline();
    for (const name of names) pipeline.ttl(name);
    const ttls = (await pipeline.exec()) ?? [];
    names.forEach((name, index) => {
      if (ttls[index]?.[1] !== -1) return;
      const kind = kindOf(name);
      untimed.set(kind, (untimed.get(kind) ?? 0) + 1);
    });
  }
  return { keys, untimed };
}

async function main(argv: string[]): Promise<number> {
  const opts = options(argv);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  // Open to the soak: the line's /metrics needs no token here.
  const line = await startLine("soak", opts.line, undefined);
  const redis = connectRedis(line.redis, { maxRetriesPerRequest: 1 });
  try {
    const random = seededRandom(opts.seed);
    const began = Date.now();
    const endAt = began + opts.minutes * 60_000;
    let placed = 0;
    const outcomes: CallOutcome[] = [];
    const inFlight = new Set<Promise<void>>();
    const samples: Sample[] = [];
    let eventLoopP99Ms = 0;

    console.log(`soak: ${opts.rate} new calls a second for ${opts.minutes} min against ${line.urls.join(" and ")} (${line.description})`);
    console.log("| min | calls placed | ended | failed | RSS MB | heap MB | event loop p99 ms | Redis keys | keys without TTL | Redis MB |");
    console.log("|---|---|---|---|---|---|---|---|---|---|");

    // The event loop's p99 is read often (prom-client resets it at each read) and the worst kept.
    const readMetrics = async () => {
      const text = await fetch(`${line.urls[0]}/metrics`).then((response) => response.text()).catch(() => "");
      const p99 = metric(text, "nodejs_eventloop_lag_p99_seconds") * 1000;
      if (Number.isFinite(p99)) eventLoopP99Ms = Math.max(eventLoopP99Ms, p99);
      return text;
    };
    const watch = setInterval(() => void readMetrics(), 5_000);
    const sample = async () => {
      const text = await readMetrics();
      const { keys, untimed } = await untimedKeys(redis);
      // As the line itself reports it to the City's monitoring.
      const redisMb = metric(text, 'civic_redis_memory_bytes{kind="used"}') / 2 ** 20;
      const row: Sample = {
        atMs: Date.now() - began,
        placed,
        ended: outcomes.length,
        failed: outcomes.filter((outcome) => outcome.error || outcome.apology).length,
        rssMb: metric(text, "process_resident_memory_bytes") / 2 ** 20,
        heapMb: metric(text, "nodejs_heap_size_used_bytes") / 2 ** 20,
        eventLoopP99Ms,
        keys,
        redisMb,
        untimed,
      };
      eventLoopP99Ms = 0;
      samples.push(row);
      const untimedTotal = [...untimed.values()].reduce((sum, n) => sum + n, 0);
      console.log(
        `| ${(row.atMs / 60_000).toFixed(1)} | ${row.placed} | ${row.ended} | ${row.failed} | ${row.rssMb.toFixed(0)} | ${row.heapMb.toFixed(0)} | ${row.eventLoopP99Ms.toFixed(1)} | ${row.keys} | ${untimedTotal} | ${row.redisMb.toFixed(1)} |`,
      );
    };
    const sampler = setInterval(() => void sample(), opts.everyMs);

    // Calls at a steady rate, whatever the answers: each due at its time (an open loop).
    const intervalMs = 1000 / opts.rate;
    while (Date.now() < endAt) {
      const due = began + placed * intervalMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const index = placed++;
      const plan = stormCallers(1, random)[0]!;
      const running = call(line, plan, index, began, 500, []).then((outcome) => {
        outcomes.push(outcome);
        inFlight.delete(running);
      });
      inFlight.add(running);
    }
    await Promise.all(inFlight);
    clearInterval(sampler);
    clearInterval(watch);
    await sample();
    if (line.logs?.length) console.log(`the line's log lines: ${line.logs.join(", ")}`);
    return summary(samples, outcomes) ? 0 : 1;
  } finally {
    redis.disconnect();
    await line.stop();
  }
}

/** Prints what grew and whether the goals were met; true when they were. */
function summary(samples: Sample[], outcomes: CallOutcome[]): boolean {
  const last = samples.at(-1)!;
  const warmUpMs = Math.max(60_000, last.atMs / 6);
  const warm = samples.find((sample) => sample.atMs >= warmUpMs) ?? samples[0]!;
  const after = samples.filter((sample) => sample.atMs >= warm.atMs);
  const growth = (from: number, to: number) => (to - from) / from;
  // The heap rises and falls with every collection: compared by its floor (the lowest of five
  // samples) where the warm-up ended and at the end, as is resident memory.
  const floor = (rows: Sample[], of: (sample: Sample) => number) => Math.min(...rows.map(of));
  const start = after.slice(0, FLOOR_SAMPLES);
  const end = samples.slice(-FLOOR_SAMPLES);
  const rss = { from: floor(start, (sample) => sample.rssMb), to: floor(end, (sample) => sample.rssMb) };
  const heap = { from: floor(start, (sample) => sample.heapMb), to: floor(end, (sample) => sample.heapMb) };
  const rssGrowth = growth(rss.from, rss.to);
  const worstLoop = Math.max(...after.map((sample) => sample.eventLoopP99Ms));

  console.log(`\nafter the warm-up (${(warm.atMs / 60_000).toFixed(1)} min) to the end:`);
  console.log(
    `  lowest of five samples: resident memory ${rss.from.toFixed(0)} -> ${rss.to.toFixed(0)} MB (${(rssGrowth * 100).toFixed(0)} %), heap ${heap.from.toFixed(0)} -> ${heap.to.toFixed(0)} MB (${(growth(heap.from, heap.to) * 100).toFixed(0)} %)`,
  );
  console.log(`  event-loop delay p99: worst ${worstLoop.toFixed(1)} ms`);
  const callsSince = last.ended - warm.ended;
  const perCallKb = callsSince > 0 ? ((last.redisMb - warm.redisMb) * 1024) / callsSince : Number.NaN;
  console.log(
    `  Redis memory ${warm.redisMb.toFixed(1)} -> ${last.redisMb.toFixed(1)} MB${Number.isFinite(perCallKb) ? `: about ${perCallKb.toFixed(1)} KB for each of the ${callsSince} calls ended since, most of it BullMQ's finished jobs, removed a week on (size maxmemory for a week of your busiest calls)` : ""}`,
  );
  console.log(`  Redis keys ${warm.keys} -> ${last.keys}; those without a TTL, by kind:`);
  const kinds = new Set([...warm.untimed.keys(), ...last.untimed.keys()]);
  const unowned: string[] = [];
  for (const kind of [...kinds].sort()) {
    const from = warm.untimed.get(kind) ?? 0;
    const to = last.untimed.get(kind) ?? 0;
    const owner = OWNERS.find(([pattern]) => pattern.test(kind))?.[1];
    if (!owner && to > from) unowned.push(kind);
    console.log(`    ${kind}: ${from} -> ${to}   ${owner ?? (to > from ? "GROWING, and nothing removes it" : "")}`);
  }
  const failed = outcomes.filter((outcome) => outcome.error || outcome.apology);
  console.log(`  calls: ${outcomes.length} ended, ${failed.length} failed or heard the apology`);
  for (const outcome of failed.slice(0, 3)) console.log(`    ${outcome.error ?? "heard the apology"}`);

  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  // Growth is judged between two floors of five samples each: with fewer than ten after the
  // warm-up they share samples, and memory would pass as flat by comparing a sample with itself.
  const judged = after.length >= 2 * FLOOR_SAMPLES;
  const memoryFlat = rssGrowth <= MEMORY_GROWTH_GOAL;
  const loopOk = worstLoop < EVENT_LOOP_GOAL_MS;
  const tooShort = `not judged (${after.length} sample${after.length === 1 ? "" : "s"} after the warm-up, ${2 * FLOOR_SAMPLES} needed: run longer, or sample more often with --every)`;
  console.log(
    `\ngoals: memory flat (within ${MEMORY_GROWTH_GOAL * 100} %) ${judged ? met(memoryFlat) : tooShort}; no key kind growing without a TTL or an owner ${judged ? met(unowned.length === 0) : "not judged"}; event-loop p99 < ${EVENT_LOOP_GOAL_MS} ms ${met(loopOk)}; no call failed ${met(failed.length === 0)}`,
  );
  return judged && memoryFlat && unowned.length === 0 && loopOk && failed.length === 0;
}

runMeasurement("soak", USAGE, () => main(process.argv.slice(2)));
