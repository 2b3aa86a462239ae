/**
 * `npm run bench:report`: how long the year's report takes. Loads a year of synthetic records
 * (100,000 calls and 24,000 service requests by default, with their incidents) into a fresh
 * PostgreSQL database on the server (created for the run and dropped after) and into PGlite (in
 * a temporary folder, as DATA_DIR would hold it), then computes the year's report (by month, as
 * `npm run report -- --from 2026-01-01 --to 2026-12-31` does) several times on each and prints
 * the first run and the median of the others. Goal: under 2 s on PostgreSQL.
 *
 * The mix is the City's first year: about 86% of calls answered without further action, 6% of
 * requests made online, a fifth of calls after hours, urgent reports opening incidents (some
 * joining one, some escalated, a few raising the alarm), callbacks mostly closed within days.
 * Calls alone make far fewer than 24,000 requests at 86%; the rest are requests agents file
 * for walk-ins and e-mails without a call record (source `agent`), so both seed figures hold.
 * The records are the same in both databases (a seeded generator).
 *
 *   npm run bench:report [-- --calls 100000 --requests 24000 --runs 5 --by month]
 *
 * The server is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), whose
 * user may create databases.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { DateTime } from "luxon";
import pg from "pg";
import type { Database } from "../src/adapters/postgres/database.js";
import { migrate } from "../src/adapters/postgres/migrate.js";
import { PgDatabase, withoutPassword } from "../src/adapters/postgres/pg-database.js";
import { openDatabase } from "../src/adapters/postgres/open-database.js";
import { computeReport } from "../src/adapters/postgres/report-queries.js";
import { parseHours, schedule, type Hours } from "../src/domain/hours/index.js";
import { formatShare, REPORT_INTERVALS, type Report, type ReportInterval } from "../src/domain/reports/index.js";
import { seededRandom } from "./lib/bench.js";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "100000" },
    requests: { type: "string", default: "24000" },
    runs: { type: "string", default: "5" },
    by: { type: "string", default: "month" },
    year: { type: "string", default: "2026" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log("usage: npm run bench:report [-- --calls 100000 --requests 24000 --runs 5 --by day|week|month --year 2026]");
  process.exit(0);
}
const CALLS = Number(values.calls);
const REQUESTS = Number(values.requests);
const RUNS = Math.max(1, Number(values.runs));
const YEAR = Number(values.year);
const BY = REPORT_INTERVALS.find((interval) => interval === values.by) as ReportInterval | undefined;
if (!Number.isSafeInteger(CALLS) || !Number.isSafeInteger(REQUESTS) || !Number.isSafeInteger(YEAR) || !BY) {
  console.error("bench:report: --calls, --requests and --year are whole numbers; --by is day, week or month");
  process.exit(1);
}
const GOAL_MS = 2_000;
const SERVER_URL = process.env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const settings = { serviceLevelSeconds: 60, shortAbandonSeconds: 10 };
/** Rows per INSERT: each column goes in as one array, so a batch is a handful of parameters whatever its size. */
const BATCH = 5_000;

// ---------------------------------------------------------------- the synthetic year

// The very same records for both databases.
const random = seededRandom(311);
const pick = <T>(items: readonly (readonly [T, number])[]): T => {
  let roll = random() * items.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [item, weight] of items) if ((roll -= weight) < 0) return item;
  return items.at(-1)![0];
};
/** One of `items`, by the weight each has second: `["power", 40, ...]`. */
const pickEntry = <T extends readonly [string, number, ...unknown[]]>(items: readonly T[]): T => pick(items.map((item) => [item, item[1]] as const));
const between = (low: number, high: number) => low + random() * (high - low);
/** A wait with a long tail: the median near `median`, rarely past six times it. */
const skewed = (median: number) => Math.round(median * Math.exp((random() - 0.5) * 2.2) * (random() < 0.1 ? 3 : 1));

interface Columns {
  [column: string]: unknown[];
}

interface Year {
  calls: Columns;
  requests: Columns;
  incidents: Columns;
}

const QUEUES = [
  ["utility-billing", 45, "Utility Billing"],
  ["waste-recycling", 25, "Waste and Recycling"],
  ["animal-control", 15, "Animal Services"],
  ["bylaw", 15, "Bylaw Services"],
] as const;
const CATEGORIES = [
  ["power", 40, "Electric Utility"],
  ["water", 40, "Water and Sewer"],
  ["roads", 20, "Roads"],
] as const;
const ONLINE_SERVICES = [
  ["potholes", 35, "Roads"],
  ["graffiti", 20, "Parks"],
  ["streetlight", 25, "Electric Utility"],
  ["waste-recycling", 20, "Waste and Recycling"],
] as const;

function generateYear(hours: Hours): Year {
  const days = schedule(hours, `${YEAR}-01-01`, DateTime.fromObject({ year: YEAR }).daysInYear).map((day) => ({
    ...day,
    start: DateTime.fromISO(day.date, { zone: hours.zone }).toMillis(),
    windows: day.windows.map((window) => [minutes(window.open), minutes(window.close)] as const),
  }));
  const dayWeights = days.map((day) => [day, day.open ? 1 : 0.3] as const);
  const calls: Columns = { call_sid: [], from_number: [], to_number: [], started_at: [], ended_at: [], duration_seconds: [], after_hours: [], status: [], outcome: [], queue: [], queue_wait_seconds: [], queue_result: [], reference: [], category: [] };
  const requests: Columns = { reference: [], service: [], department: [], channel: [], status: [], requested_at: [], updated_at: [], closed_at: [], call_sid: [], incident: [], source: [] };
  const incidents: Columns = { reference: [], category: [], opened_at: [], acknowledged_at: [], acknowledged_by: [], escalations: [], alarm: [] };
  const end = DateTime.fromObject({ year: YEAR + 1 }, { zone: hours.zone }).toMillis();
  let nextReference = 100_000;
  const lastIncident = new Map<string, { reference: string; at: number }>();

  const addRequest = (fields: { service: string; department: string; channel: string; at: number; callSid: string | null; incident: string | null; source: string; closeAfterHours: number | null }) => {
    const reference = String(nextReference++);
    const closedAt = fields.closeAfterHours === null ? null : Math.min(fields.at + fields.closeAfterHours * 3_600_000, end - 1);
    requests.reference!.push(reference);
    requests.service!.push(fields.service);
    requests.department!.push(fields.department);
    requests.channel!.push(fields.channel);
    requests.status!.push(closedAt === null ? "open" : "closed");
    requests.requested_at!.push(iso(fields.at));
    requests.updated_at!.push(iso(closedAt ?? fields.at));
    requests.closed_at!.push(closedAt === null ? null : iso(closedAt));
    requests.call_sid!.push(fields.callSid);
    requests.incident!.push(fields.incident);
    requests.source!.push(fields.source);
    return reference;
  };
  // Most callbacks are made within two days; a few wait, and the last weeks' are partly still open.
  const callbackClosing = (at: number) => (at > end - 14 * 86_400_000 && random() < 0.4 ? null : random() < 0.9 ? between(0.5, 40) : between(40, 200));

  for (let index = 0; index < CALLS; index++) {
    const day = pick(dayWeights);
    const window = day.windows[0];
    // On an open day 90% of calls come while the line is open, the rest in the evening and early morning.
    const inHours = window !== undefined && random() < 0.9;
    const minute = inHours ? between(window[0], window[1]) : outsideHours(day.windows);
    const at = Math.floor(day.start + minute * 60_000 + random() * 60_000);
    const callSid = `CA${index.toString(16).padStart(32, "0")}`;
    const duration = Math.round(between(40, 400));
    let outcome: string;
    let queue: string | null = null;
    let wait: number | null = null;
    let result: string | null = null;
    let reference: string | null = null;
    let category: string | null = null;
    if (inHours) {
      outcome = pick([["answered-by-ivr", 52], ["queued", 41], ["abandoned", 3], ["transferred", 2.5], ["voicemail", 1.5]] as const);
      if (outcome === "queued") {
        queue = pickEntry(QUEUES)[0];
        result = pick([["bridged", 88], ["hangup", 8], ["leave", 3], ["leave-then-hangup", 1]] as const);
        if (result === "bridged") [outcome, wait] = ["queued-to-agent", skewed(35)];
        else if (result === "hangup") [outcome, wait] = ["abandoned", Math.round(between(2, 180))];
        else if (result === "leave") [outcome, wait] = ["voicemail", Math.round(between(120, 300))];
        else [outcome, result, wait] = ["abandoned", "leave", Math.round(between(120, 300))];
      }
    } else {
      outcome = pick([["answered-by-ivr", 78], ["urgent-report", 10], ["voicemail", 6], ["abandoned", 6]] as const);
    }
    if (outcome === "voicemail") {
      reference = addRequest({
        service: "callback",
        department: "311 Contact Centre",
        channel: inHours ? "phone" : "after-hours",
        at: at + 60_000,
        callSid,
        incident: null,
        source: "voicemail",
        closeAfterHours: callbackClosing(at),
      });
    } else if (outcome === "urgent-report") {
      const [name, , department] = pickEntry(CATEGORIES);
      category = name;
      const previous = lastIncident.get(name);
      // A report of a place reported in the last two hours joins its incident (15% or so).
      const joins = previous !== undefined && at - previous.at < 2 * 3_600_000 && random() < 0.5;
      const requested = at + 90_000;
      reference = String(nextReference);
      const incident = joins ? previous!.reference : reference;
      addRequest({ service: name, department, channel: "after-hours", at: requested, callSid, incident, source: "ivr", closeAfterHours: between(1, 8) });
      if (!joins) {
        lastIncident.set(name, { reference, at });
        const alarm = random() < 0.01;
        const escalations = alarm ? 3 : random() < 0.12 ? (random() < 0.7 ? 1 : 2) : 0;
        incidents.reference!.push(reference);
        incidents.category!.push(name);
        incidents.opened_at!.push(iso(requested));
        incidents.acknowledged_at!.push(alarm ? null : iso(requested + (skewed(240) + escalations * 300) * 1_000));
        incidents.acknowledged_by!.push(alarm ? null : "crew");
        incidents.escalations!.push(escalations);
        incidents.alarm!.push(alarm);
      }
    }
    calls.call_sid!.push(callSid);
    calls.from_number!.push(`+1403555${String(index % 10_000).padStart(4, "0")}`);
    calls.to_number!.push("+14035550311");
    calls.started_at!.push(iso(at));
    calls.ended_at!.push(iso(at + duration * 1_000));
    calls.duration_seconds!.push(duration);
    calls.after_hours!.push(!inHours);
    calls.status!.push("completed");
    calls.outcome!.push(outcome);
    calls.queue!.push(queue);
    calls.queue_wait_seconds!.push(wait);
    calls.queue_result!.push(result);
    calls.reference!.push(reference);
    calls.category!.push(category);
  }

  const fromCalls = requests.reference!.length;
  const online = Math.round(REQUESTS * 0.06);
  const byAgents = Math.max(0, REQUESTS - fromCalls - online);
  for (let index = 0; index < online; index++) {
    const [service, , department] = pickEntry(ONLINE_SERVICES);
    const at = Math.floor(days[Math.floor(random() * days.length)]!.start + random() * 86_400_000);
    addRequest({ service, department, channel: "online", at, callSid: null, incident: null, source: "open311:web-form", closeAfterHours: random() < 0.75 ? between(4, 400) : null });
  }
  const openDays = days.filter((day) => day.open);
  for (let index = 0; index < byAgents; index++) {
    const [service, , department] = pickEntry(QUEUES);
    const day = openDays[Math.floor(random() * openDays.length)]!;
    const at = Math.floor(day.start + between(day.windows[0]![0], day.windows[0]![1]) * 60_000);
    addRequest({ service, department, channel: "phone", at, callSid: null, incident: null, source: "agent", closeAfterHours: random() < 0.8 ? between(2, 240) : null });
  }
  return { calls, requests, incidents };
}

function minutes(time: string): number {
  const [hours, mins] = time.split(":").map(Number);
  return hours! * 60 + mins!;
}

/** A minute of the day outside the line's windows (none: the whole day), evenings more than nights. */
function outsideHours(windows: readonly (readonly [number, number])[]): number {
  for (;;) {
    const minute = random() < 0.8 ? between(6 * 60, 23 * 60) : between(0, 24 * 60);
    if (!windows.some(([open, close]) => minute >= open && minute < close)) return minute;
  }
}

function iso(millis: number): string {
  return new Date(millis).toISOString();
}

// ---------------------------------------------------------------- loading

const TYPES: Record<string, string> = {
  call_sid: "text",
  from_number: "text",
  to_number: "text",
  started_at: "timestamptz",
  ended_at: "timestamptz",
  duration_seconds: "int",
  after_hours: "bool",
  status: "text",
  outcome: "text",
  queue: "text",
  queue_wait_seconds: "int",
  queue_result: "text",
  reference: "text",
  category: "text",
  service: "text",
  department: "text",
  channel: "text",
  requested_at: "timestamptz",
  updated_at: "timestamptz",
  closed_at: "timestamptz",
  incident: "text",
  source: "text",
  opened_at: "timestamptz",
  acknowledged_at: "timestamptz",
  acknowledged_by: "text",
  escalations: "int",
  alarm: "bool",
};

/** Inserts the columns batch by batch (one array per column, unnested), saying how far it got. */
async function insert(db: Database, table: string, columns: Columns, progress: (done: number, total: number) => void): Promise<void> {
  const names = Object.keys(columns);
  const total = columns[names[0]!]!.length;
  const sql = `INSERT INTO ${table} (${names.join(", ")}) SELECT * FROM unnest(${names.map((name, index) => `$${index + 1}::${TYPES[name]}[]`).join(", ")})`;
  for (let start = 0; start < total; start += BATCH) {
    await db.query(sql, names.map((name) => columns[name]!.slice(start, start + BATCH)));
    progress(Math.min(start + BATCH, total), total);
  }
}

function progressLine(label: string): (what: string, done: number, total: number) => void {
  let shown = -1;
  return (what, done, total) => {
    const percent = Math.floor((done / total) * 100);
    if (process.stdout.isTTY) {
      process.stdout.write(`\r  ${label}: loading ${what} ${done.toLocaleString("en-CA")} / ${total.toLocaleString("en-CA")} (${percent}%)   `);
      if (done === total) process.stdout.write("\n");
    } else if (percent >= shown + 25 || done === total) {
      shown = percent;
      console.log(`  ${label}: loading ${what} ${done.toLocaleString("en-CA")} / ${total.toLocaleString("en-CA")} (${percent}%)`);
    }
  };
}

async function load(db: Database, label: string, year: Year): Promise<number> {
  const started = performance.now();
  await migrate(db);
  const say = progressLine(label);
  await insert(db, "calls", year.calls, (done, total) => say("calls", done, total));
  await insert(db, "service_requests", year.requests, (done, total) => say("service requests", done, total));
  await insert(db, "incidents", year.incidents, (done, total) => say("incidents", done, total));
  // What autovacuum would have done on a line that gathered these over a year.
  await db.exec("ANALYZE");
  return performance.now() - started;
}

// ---------------------------------------------------------------- timing

interface Timing {
  first: number;
  median: number;
  all: number[];
  report: Report;
  /** The longest this process's event loop went without a turn while the reports ran (webhooks would have waited as long). */
  longestStall: number;
}

async function time(db: Database, hours: Hours): Promise<Timing> {
  const all: number[] = [];
  let report: Report | undefined;
  let longestStall = 0;
  let lastTurn = performance.now();
  const turn = () => {
    const now = performance.now();
    longestStall = Math.max(longestStall, now - lastTurn);
    lastTurn = now;
  };
  const ticker = setInterval(turn, 5);
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    report = await computeReport(db, {
      from: `${YEAR}-01-01`,
      to: `${YEAR}-12-31`,
      by: BY!,
      hours,
      settings,
      now: DateTime.fromObject({ year: YEAR + 1, month: 1, day: 5 }, { zone: hours.zone }),
    });
    all.push(performance.now() - started);
  }
  turn();
  clearInterval(ticker);
  const rest = all.slice(1).sort((a, b) => a - b);
  return { first: all[0]!, median: rest[Math.floor(rest.length / 2)]!, all, report: report!, longestStall };
}

const ms = (value: number) => `${Math.round(value).toLocaleString("en-CA")} ms`;

function describeTiming(label: string, loaded: number, timing: Timing): string {
  return `  ${label.padEnd(10)} loaded in ${(loaded / 1000).toFixed(1)} s; the year's report: first run ${ms(timing.first)}, median of ${RUNS} more ${ms(timing.median)} (${timing.all
    .slice(1)
    .map((value) => Math.round(value))
    .join(", ")} ms); the event loop's longest wait meanwhile ${ms(timing.longestStall)}`;
}

async function onServer(year: Year, hours: Hours): Promise<{ loaded: number; timing: Timing }> {
  const name = `civic_bench_report_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const db = new PgDatabase({ url: url.toString() });
  try {
    const loaded = await load(db, "PostgreSQL", year);
    return { loaded, timing: await time(db, hours) };
  } finally {
    await db.close();
    const dropper = new pg.Client({ connectionString: SERVER_URL });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => dropper.end());
  }
}

async function onPglite(year: Year, hours: Hours): Promise<{ loaded: number; timing: Timing }> {
  const dir = await mkdtemp(join(tmpdir(), "civic-bench-report-"));
  // As the line opens it: PGlite in a thread of its own, reached through its socket.
  const db = await openDatabase({ kind: "pglite", dataDir: dir });
  try {
    const loaded = await load(db, "PGlite", year);
    return { loaded, timing: await time(db, hours) };
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const hours = parseHours(await readFile(join(process.env.FLOWS_DIR || "flows", "hours.yaml"), "utf8"), "hours.yaml");
console.log(`bench:report: a year (${YEAR}) of ${CALLS.toLocaleString("en-CA")} calls and ${REQUESTS.toLocaleString("en-CA")} service requests; the year's report by ${BY}, ${RUNS + 1} runs on each database`);
const generatedAt = performance.now();
const year = generateYear(hours);
console.log(
  `  generated in ${ms(performance.now() - generatedAt)}: ${year.calls.call_sid!.length.toLocaleString("en-CA")} calls, ${year.requests.reference!.length.toLocaleString("en-CA")} requests, ${year.incidents.reference!.length.toLocaleString("en-CA")} incidents`,
);
console.log(`  PostgreSQL: a new database on ${withoutPassword(SERVER_URL)}, dropped after`);
const server = await onServer(year, hours);
const embedded = await onPglite(year, hours);
const { headline, totals } = server.timing.report;
console.log();
console.log(
  `  the year's figures: ${headline.calls.toLocaleString("en-CA")} calls, ${formatShare(headline.answeredWithoutFurtherActionShare)} answered without further action, ${headline.serviceRequests.toLocaleString("en-CA")} requests, ${formatShare(headline.onlineShare)} online, ${formatShare(totals.calls.afterHours / totals.calls.offered)} of calls after hours, ${totals.urgent.incidents.toLocaleString("en-CA")} incidents`,
);
const same = JSON.stringify({ ...server.timing.report, generatedAt: "" }) === JSON.stringify({ ...embedded.timing.report, generatedAt: "" });
console.log(`  both databases give ${same ? "the same report" : "DIFFERENT reports (a defect: the same SQL must give the same figures)"}`);
console.log(describeTiming("PostgreSQL", server.loaded, server.timing));
console.log(describeTiming("PGlite", embedded.loaded, embedded.timing));
const met = server.timing.median < GOAL_MS;
console.log(`  goal: the year's report under ${ms(GOAL_MS)} on PostgreSQL: ${met ? "met" : "NOT met"}`);
if (!same) process.exitCode = 1;
