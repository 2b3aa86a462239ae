/**
 * The on-call roster from the command line: check `oncall.yaml` and see what it means.
 *
 *   npm run oncall -- who [--at 2026-12-24T23:00] [--category water]
 *   npm run oncall -- gaps [--from 2026-12-01] [--days 30]
 *   npm run oncall -- incidents [--open] [--count 20]
 *   npm run oncall -- outbox [--count 20]
 *   npm run oncall -- sms --from +14035550111 --body "ACK 100234"
 *   npm run oncall -- status [--json]
 *
 * Bad arguments or a bad file print one line per problem on stderr and exit with code 1; so does
 * `status` when the worker is missing or behind. Times are in the City's zone (hours.yaml).
 */
import "./lib/load-env.js";
import { DateTime, Duration } from "luxon";
import { XMLParser } from "fast-xml-parser";
import twilio from "twilio";
import { createDispatchQueue } from "../src/adapters/bullmq/report-queue.js";
import { createRecordsQueue } from "../src/adapters/bullmq/record-queue.js";
import { createSendQueue } from "../src/adapters/bullmq/send-queues.js";
import { readOutbox } from "../src/adapters/console-pager.js";
import { readHeartbeats } from "../src/adapters/redis/heartbeat.js";
import { RedisDocumentStore } from "../src/adapters/redis/document-store.js";
import { RedisIncidentStore } from "../src/adapters/redis/incident-store.js";
import { DEFAULT_PORT, DEVELOPMENT_AUTH_TOKEN } from "../src/config/env.js";
import { lineAddress } from "./lib/dev-line.js";
import { parseHours } from "../src/domain/hours/index.js";
import { readLineFigures } from "../src/operations/line-figures.js";
import { assessLineStatus, inWords, sendingRate, type SendQueueStatus } from "../src/operations/line-status.js";
import {
  findGaps,
  parseRoster,
  UnknownCategoryError,
  whoIsOnCall,
  type Escalation,
  type Member,
  type Roster,
} from "../src/domain/oncall/roster/index.js";
import {
  dateTimeArgument,
  FILE_OPTION,
  fileUsage,
  isoDateArgument,
  readDefinitionFile,
  runCli,
  table,
  UsageError,
  wholeNumberArgument,
  withRedis,
  lineRedis,
  redisShown,
  CommandError,
  type CommandTable,
  type OptionValues,
} from "./lib/cli.js";

const FILE_USAGE = fileUsage("the roster", "oncall.yaml");

const commands: CommandTable = {
  who: {
    usage: [
      "who [--at DATE-TIME] [--category NAME] [--file PATH]",
      "  Who is primary, backup and supervisor for each category, why, and until when.",
      "  --at DATE-TIME     the moment, e.g. 2026-12-24T23:00: local time in the roster's zone, or with an offset (default: now)",
      "  --category NAME    one category only, e.g. water (default: all of them)",
      FILE_USAGE,
    ].join("\n"),
    options: { ...FILE_OPTION, at: { type: "string" }, category: { type: "string" } },
    async run(values) {
      const { roster, file } = await loadRoster(values);
      const at = values["at"] === undefined ? DateTime.now().setZone(roster.zone) : dateTimeArgument("--at", values["at"], roster.zone);
      const names = values["category"] === undefined ? Object.keys(roster.categories) : [String(values["category"])];
      const blocks = names.map((category) => describeOnCall(roster, category, at));
      console.log(`On call at ${when(at.setZone(roster.zone))} (${roster.zone}), from ${file}`);
      for (const block of blocks) console.log(`\n${block}`);
    },
  },
  gaps: {
    usage: [
      "gaps [--from yyyy-MM-dd] [--days N] [--file PATH]",
      "  Every stretch of time when a category has nobody on call (an urgent report then pages its supervisor).",
      "  --from yyyy-MM-dd  the first day (default: today in the roster's time zone)",
      "  --days N           how many days, 1 to 366 (default: 30)",
      FILE_USAGE,
    ].join("\n"),
    options: { ...FILE_OPTION, from: { type: "string" }, days: { type: "string" } },
    async run(values) {
      const { roster, file } = await loadRoster(values);
      const fromDate = values["from"] === undefined ? DateTime.now().setZone(roster.zone).toFormat("yyyy-MM-dd") : isoDateArgument("--from", values["from"]);
      const days = wholeNumberArgument("--days", values["days"] ?? "30", 1, 366);
      const from = DateTime.fromISO(fromDate, { zone: roster.zone });
      const to = from.plus({ days });
      const gaps = findGaps(roster, from, to);
      console.log(`Nobody on call, ${days} days from ${fromDate} (${roster.zone}), from ${file}`);
      console.log();
      if (gaps.length === 0) {
        console.log("No gaps.");
        return;
      }
      console.log(
        table([
          ["Category", "From", "To", "For"],
          ...gaps.map((gap) => [gap.category, when(gap.from), when(gap.to), length(gap.from, gap.to)]),
        ]),
      );
      console.log();
      console.log("During a gap, an urgent report pages the category's supervisor at once.");
    },
  },
  incidents: {
    usage: [
      "incidents [--open] [--count N]",
      "  The newest incidents in Redis ($REDIS_URL): reports joined, who was paged when, who took it, when it was fixed.",
      "  --open             every incident not fixed yet (open, or taken by a crew: ACKNOWLEDGED), however old, newest first",
      "  --count N          how many, 1 to 500 (default: 20)",
    ].join("\n"),
    options: { count: { type: "string" }, open: { type: "boolean" } },
    async run(values) {
      const count = wholeNumberArgument("--count", values["count"] ?? "20", 1, 500);
      const unresolved = values["open"] === true;
      const zone = await cityZone();
      // One more than asked for, to tell whether the list is cut short.
      const found = await withRedis((redis) => new RedisIncidentStore(redis).recent(count + 1, { unresolved }));
      const incidents = found.slice(0, count);
      if (incidents.length === 0) {
        console.log(unresolved ? "No incident is open or taken: every incident Redis keeps (a year of them) is fixed." : "No incidents yet.");
        return;
      }
      for (const incident of incidents) {
        console.log(`#${incident.reference}  ${incident.category}  ${incident.status.toUpperCase()}  opened ${stamp(incident.createdAt, zone)}`);
        const first = incident.reports[0];
        const how = first?.locationConfirmed
          ? " (caller confirmed)"
          : first?.recordingUrl
            ? " (unsure: the caller's words are recorded)"
            : first?.locationUnsure
              ? " (unsure)"
              : "";
        console.log(`  place:    ${incident.place}${how}`);
        console.log(`  reports:  ${incident.reports.map((report) => report.reference).join(", ")}`);
        for (const event of incident.events) {
          const who = [event.name, event.phone, event.channel].filter(Boolean).join(", ");
          console.log(`  ${stamp(event.at, zone)}  ${event.kind}${who ? `  ${who}` : ""}${event.detail ? `  (${event.detail})` : ""}`);
        }
        console.log();
      }
      if (found.length > count) {
        console.log(`There are more ${unresolved ? "incidents open or taken" : "incidents"} than the ${count} shown: list more with --count N (up to 500).`);
      }
    },
  },
  outbox: {
    usage: [
      "outbox [--count N]",
      "  The pages the console pager kept (the line's pager when TWILIO_ACCOUNT_SID is not set), newest first.",
      "  --count N          how many, 1 to 500 (default: 20)",
    ].join("\n"),
    options: { count: { type: "string" } },
    async run(values) {
      const count = wholeNumberArgument("--count", values["count"] ?? "20", 1, 500);
      const zone = await cityZone();
      const entries = await withRedis((redis) => readOutbox(redis, undefined, count));
      if (entries.length === 0) {
        console.log("The outbox is empty: no page has been sent yet.");
        return;
      }
      console.log(
        table([
          ["When", "Kind", "To", "Message or call"],
          ...entries.map((entry) => [stamp(entry.at, zone), entry.kind, entry.to, entry.kind === "sms" ? (entry.body ?? "") : `call, TwiML from ${entry.url ?? ""}`]),
        ]),
      );
    },
  },
  sms: {
    usage: [
      "sms --from NUMBER --body TEXT [--url URL]",
      "  Sends a crew member's SMS reply to a running line, signed as Twilio signs, and prints the answer.",
      "  --from NUMBER      the crew member's number, e.g. +14035550111",
      "  --body TEXT        what they text, e.g. \"ACK 100234\"",
      "  --url URL          where the line listens (default: $PUBLIC_URL, else the line npm run dev runs, else http://localhost:$PORT)",
    ].join("\n"),
    options: { from: { type: "string" }, body: { type: "string" }, url: { type: "string" } },
    async run(values) {
      if (typeof values["from"] !== "string" || typeof values["body"] !== "string") throw new UsageError("sms needs --from and --body");
      const { url: base, publicUrl } = lineAddress(values["url"] === undefined ? undefined : String(values["url"]), process.env, DEFAULT_PORT);
      const params = {
        MessageSid: `SM${Date.now().toString(16).padStart(32, "0")}`,
        AccountSid: `AC${"0".repeat(32)}`,
        From: values["from"],
        To: process.env["TWILIO_FROM_NUMBER"] || "+14035550311",
        Body: values["body"],
        NumMedia: "0",
      };
      const token = process.env["TWILIO_AUTH_TOKEN"] || DEVELOPMENT_AUTH_TOKEN;
      const signature = twilio.getExpectedTwilioSignature(token, `${publicUrl}/twilio/sms`, params);
      const response = await fetch(`${base}/twilio/sms`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
        body: new URLSearchParams(params),
      }).catch(() => {
        throw new CommandError(`No Civic Line server answers at ${base}. Start one with npm run dev.`);
      });
      const body = await response.text();
      if (response.status === 403) throw new CommandError("the line refused the signature: TWILIO_AUTH_TOKEN and PUBLIC_URL must match the server's");
      if (!response.ok) throw new CommandError(`the line answered HTTP ${response.status}: ${body}`);
      const reply: unknown = new XMLParser({ parseTagValue: false }).parse(body)?.Response?.Message;
      console.log(typeof reply === "string" ? reply : "(no reply)");
    },
  },
  status: {
    usage: [
      "status [--json]",
      "  Whether the worker is running and keeping up, read from the line's Redis ($REDIS_URL): the workers' heartbeats,",
      "  the job on oncall-dispatch that has been due longest, the sends waiting on twilio-sms and twilio-calls, and the",
      "  pager. Exits with code 1 when the worker is missing or behind (pages going out slower than Twilio's limits",
      "  allow included), or Redis does not answer: fit for a cron job or a monitor.",
      "  --json             the same figures as GET /status",
    ].join("\n"),
    options: { json: { type: "boolean" } },
    async run(values) {
      const zone = await cityZone();
      const now = DateTime.now().setZone(zone);
      const { status, workers } = await withRedis(async (redis) => {
        const queue = createDispatchQueue(redis);
        const recordsQueue = createRecordsQueue(redis);
        const sendQueues = { sms: createSendQueue(redis, "sms"), calls: createSendQueue(redis, "calls") };
        try {
          // The sending rates are the ones the workers say they keep: this shell's may differ.
          const figures = await readLineFigures({ redis, queue, recordsQueue, sendQueues }, now);
          return { status: assessLineStatus(figures), workers: figures.redis === "ok" ? await readHeartbeats(redis, now) : [] };
        } finally {
          await queue.close();
          await recordsQueue.close();
          await sendQueues.sms.close();
          await sendQueues.calls.close();
        }
      });
      if (status.status !== "ok") process.exitCode = 1;
      if (values["json"]) {
        console.log(JSON.stringify(status, null, 2));
        return;
      }
      console.log(`Civic Line at ${when(now)} (${zone}), read from Redis at ${redisHost()}`);
      console.log();
      const dispatch = status.dispatch;
      console.log(
        table([
          ["Redis", status.redis],
          [
            "worker",
            workers.length === 0
              ? "NONE: no heartbeat in the last 30 s"
              : workers.map((worker) => `${worker.host} pid ${worker.pid}, heartbeat ${inWords(worker.ageMs)} ago`).join("; "),
          ],
          [
            "dispatch",
            dispatch === "unknown"
              ? "unknown"
              : `${dispatch.waiting} waiting, ${dispatch.delayed} delayed, ${dispatch.active} active, ${dispatch.failed} failed for good; ` +
                (dispatch.oldestDueJobDelaySeconds > 0 ? `a job has been due for ${inWords(dispatch.oldestDueJobDelaySeconds * 1_000)}` : "nothing overdue"),
          ],
          ...Object.entries(status.sending ?? {}).map(([name, queue]) => [name, sendQueueLine(queue, name === "twilio-sms" ? "sms" : "calls")] as [string, string]),
          ["pager", status.pager],
          ...(status.records
            ? [["records", `${status.records.waiting} waiting to be written, ${status.records.retrying} waiting for the database, ${status.records.failed} set aside`] as [string, string]]
            : []),
        ]),
      );
      console.log();
      if (status.problems.length === 0) {
        console.log("OK: the worker is running and keeping up.");
        return;
      }
      console.log("TROUBLE:");
      for (const problem of status.problems) console.log(`  - ${problem}`);
    },
  },
};

/** A send queue as the status table shows it: `3 waiting, the oldest for 12 s (1 first page, for 5 s); 1 SMS segment a second`. */
function sendQueueLine(queue: SendQueueStatus, kind: "sms" | "calls"): string {
  const rate = queue.perSecond === "unknown" ? "rate unknown: no worker says" : sendingRate(kind, queue.perSecond);
  if (queue.waiting === 0) return `nothing waiting; ${rate}`;
  const firstPages = queue.firstPages === 0 ? "" : ` (${queue.firstPages} first page${queue.firstPages === 1 ? "" : "s"}, the oldest for ${inWords(queue.oldestFirstPageWaitSeconds * 1_000)})`;
  return `${queue.waiting} waiting, the oldest for ${inWords(queue.oldestWaitSeconds * 1_000)}${firstPages}; ${rate}`;
}

/** The City's time zone, from the hours the line serves: every time these commands print is in it. */
async function cityZone(): Promise<string> {
  const published = await withRedis((redis) => new RedisDocumentStore(redis).live("hours", "hours")).catch(() => null);
  if (published) return parseHours(published.source, "hours (published)").zone;
  const { text, file } = await readDefinitionFile(undefined, "hours.yaml");
  return parseHours(text, file).zone;
}

/** An ISO time as a supervisor reads it, in the City's zone; what is not a time is shown as it is. */
function stamp(iso: string, zone: string): string {
  const time = DateTime.fromISO(iso, { setZone: true });
  return time.isValid ? when(time.setZone(zone)) : iso;
}

/** Where the line's Redis is, without its password: host, port and database, or the sentinels. */
function redisHost(): string {
  const where = lineRedis();
  if (where.sentinel) return redisShown(where);
  const url = new URL(where.url);
  return `${url.host}${url.pathname.length > 1 ? url.pathname : ""}`;
}

async function loadRoster(values: OptionValues): Promise<{ roster: Roster; file: string }> {
  const { text, file } = await readDefinitionFile(values["file"], "oncall.yaml", values["live"] === true);
  return { roster: parseRoster(text, file), file };
}

function describeOnCall(roster: Roster, category: string, at: DateTime): string {
  let onCall;
  try {
    onCall = whoIsOnCall(roster, category, at);
  } catch (error) {
    if (error instanceof UnknownCategoryError) throw new UsageError(error.message);
    throw error;
  }
  const crew = roster.categories[category]!;
  const person = (member: Member | null) => (member ? [member.name, member.phone, member.channels.join(", ")] : ["nobody"]);
  const rows = table([
    ["primary", ...person(onCall.primary)],
    ["backup", ...person(onCall.backup)],
    ["supervisor", ...person(onCall.supervisor)],
  ]);
  return [
    `${category}: ${crew.label}`,
    ...rows.split("\n").map((row) => `  ${row}`),
    ...(onCall.primary === null && onCall.backup === null ? ["  NOBODY ON CALL: an urgent report pages the supervisor at once"] : []),
    `  why         ${onCall.source}`,
    `  until       ${onCall.until ? when(onCall.until) : "no change ahead"}`,
    `  pages       ${describeEscalation(crew.escalation)}`,
  ].join("\n");
}

function describeEscalation({ steps, rounds }: Escalation): string {
  const chain = steps.map((step) => `${step.notify} ${shortWait(step.waitMs)}`).join(", ");
  return `${chain}; ${rounds} ${rounds === 1 ? "round" : "rounds"}`;
}

/** `600000` -> `10m`, as waits are written in the file. */
function shortWait(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1_000}s`;
}

/** `Thu 2026-12-24 23:00 MST`: a moment as a supervisor reads it, with the zone's abbreviation. */
function when(time: DateTime): string {
  return time.setLocale("en-CA").toFormat(time.second === 0 ? "ccc yyyy-MM-dd HH:mm ZZZZ" : "ccc yyyy-MM-dd HH:mm:ss ZZZZ");
}

/** How long a gap lasts, in words: `14 days`, `6 days 16 hours`. */
function length(from: DateTime, to: DateTime): string {
  const parts = Duration.fromMillis(to.toMillis() - from.toMillis()).shiftTo("days", "hours", "minutes").toObject();
  const words = (["days", "hours", "minutes"] as const)
    .map((unit) => [Math.floor(parts[unit] ?? 0), unit] as const)
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => `${amount} ${amount === 1 ? unit.slice(0, -1) : unit}`);
  return words.join(" ") || "under a minute";
}

await runCli("oncall", commands, process.argv.slice(2));
