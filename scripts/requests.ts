/**
 * Service requests from the command line, above all the callback worklist: every voicemail is a
 * promise that someone calls the resident back.
 *
 *   npm run requests -- list --service callback --status open
 *   npm run requests -- show 4821
 *   npm run requests -- close 4821 --note "Called back: the bin is picked up Thursday" --by dana
 *
 * It reads the records database the line uses (DATABASE_URL, or the embedded one under DATA_DIR,
 * from the environment or .env as the line reads them; through a running line's socket it checks
 * the schema and migrates nothing; where DATA_DIR holds no database it says so and makes none) and shows times in
 * the City's zone (from $FLOWS_DIR/hours.yaml). A close goes to the line's audit log (on
 * $REDIS_URL) as made by "cli"; when Redis cannot be reached the request is closed all the same
 * and a warning says the log does not have it. Closing an urgent report marks its incident (in the
 * same Redis) fixed, so the crew is paged no more; when that cannot be done, a warning says so.
 * Bad arguments and unknown references are said in one line on stderr, with exit code 1.
 */
import "./lib/load-env.js";
import { join } from "node:path";
import { DateTime } from "luxon";
import { COMMAND_LINE_USER } from "../src/accounts/accounts.js";
import { loadFlowSet } from "../src/adapters/files/flow-source.js";
import { keepableText } from "../src/domain/plain-text.js";
import { RedisAuditLog } from "../src/adapters/redis/audit-log.js";
import { MAX_REQUESTS_PER_QUERY, PostgresRecordStore } from "../src/adapters/postgres/record-store.js";
import { callbackDueBy } from "../src/domain/callbacks.js";
import type { Hours } from "../src/domain/hours/index.js";
import type { IncidentStore, RecordKeeper, RecordStore } from "../src/domain/ports.js";
import { CALLBACK_SERVICE, REQUEST_STATUSES, type RequestNote, type RequestQuery, type RequestStatus, type ServiceRequest } from "../src/domain/records.js";
import { readableServiceName, serviceNamesOf, type ServiceNames } from "../src/domain/service-names.js";
import { serviceCodesOf } from "../src/domain/open311/services.js";
import { didYouMean } from "../src/domain/validation.js";
import { closeRequest, pagingInWords, type CloseOutcome, type CloseRequest, type PagingOutcome } from "../src/records/close-request.js";
import { recordingIncidentStore } from "../src/records/recording-incident-store.js";
import { BullRecordKeeper, createRecordsQueue } from "../src/adapters/bullmq/record-queue.js";
import { createWebConnection } from "../src/adapters/redis/connections.js";
import { RedisIncidentStore } from "../src/adapters/redis/incident-store.js";
import { createLogger } from "../src/logger.js";
import type { Queue } from "bullmq";
import { CommandError, runCli, table, UsageError, wholeNumberArgument, withRedis, lineRedis, redisShown, lineRecordsSettings, readCityHours, type CommandTable, type OptionValues, splitPositionals } from "./lib/cli.js";
import { commandAsTyped, openLineRecords } from "./lib/embedded-database.js";

const FORMATS = ["table", "json"] as const;
type Format = (typeof FORMATS)[number];
const FORMAT_OPTION = { format: { type: "string" } } as const;
const DEFAULT_LIMIT = 100;
/** The longest reference or name taken from the command line: a mistyped paste is refused, not looked up. */
const MAX_WORD = 200;
const MAX_NOTE = 2_000;

// runCli takes options only; the reference is a word of its own, taken out of the arguments here.
const { argv, positionals } = splitPositionals(process.argv.slice(2), ["service", "status", "department", "limit", "format", "note", "by"]);

const commands: CommandTable = {
  list: {
    usage: [
      "list [--service CODE] [--status open|acknowledged|closed] [--department NAME] [--limit N] [--format table|json]",
      "  Service requests, with the callback number and how old each is. With --status open, oldest first",
      "  (a worklist: who has waited longest); otherwise newest first. Open callbacks past their due time",
      "  (the close of the first business day after they were left) are flagged OVERDUE.",
      "  --service CODE      callback (voicemails), power, water, roads, an agent queue's service: the code",
      "                      in parentheses after a service's name in the list, e.g. utility-billing",
      "  --status STATUS     open, acknowledged or closed (default: all)",
      "  --department NAME   as flows/departments.yaml names it",
      `  --limit N           at most this many, 1 to ${MAX_REQUESTS_PER_QUERY} (default: ${DEFAULT_LIMIT})`,
      "  --format FORMAT     table (default) or json",
    ].join("\n"),
    options: { ...FORMAT_OPTION, service: { type: "string" }, status: { type: "string" }, department: { type: "string" }, limit: { type: "string" } },
    async run(values) {
      noPositionals("list");
      const format = formatArgument(values);
      const status = values["status"] === undefined ? undefined : statusArgument(String(values["status"]));
      const query: RequestQuery = {
        ...(values["service"] !== undefined ? { service: wordArgument("--service", values["service"]) } : {}),
        ...(status ? { status } : {}),
        ...(values["department"] !== undefined ? { department: wordArgument("--department", values["department"]) } : {}),
        limit: values["limit"] === undefined ? DEFAULT_LIMIT : wholeNumberArgument("--limit", values["limit"], 1, MAX_REQUESTS_PER_QUERY),
        order: status === "open" ? "oldest" : "newest",
      };
      const { requests, hours, now } = await withRecords(async (store, hours) => ({ requests: await store.requests(query), hours, now: DateTime.now().setZone(hours.zone) }));
      const names = await readServiceNames();
      if (format === "json") {
        console.log(JSON.stringify(requests.map((request) => ({ ...request, serviceName: names(request.service), ...promise(request, hours, now) })), null, 2));
        return;
      }
      if (requests.length === 0) {
        // Nothing found for a service or department the line does not have is most likely a typo: said, not "No requests".
        const unknown = await unknownFilter(query);
        if (unknown) throw new CommandError(`No requests${describeQuery(query)}: ${unknown}`);
        console.log(`No requests${describeQuery(query)}.`);
        return;
      }
      console.log(
        table([
          ["Reference", "Left", "Age", "Service", "Department", "Status", "Callback number", "Place or description", ""],
          ...requests.map((request) => {
            const left = DateTime.fromISO(request.requestedAt).setZone(hours.zone);
            return [
              request.reference,
              when(left),
              age(left, now),
              serviceWords(names, request.service),
              request.department ?? "-",
              request.status,
              request.callbackNumber ?? "-",
              oneLine(request.place ?? request.description ?? "-", 60),
              promise(request, hours, now).overdue ? "OVERDUE" : "",
            ];
          }),
        ]),
      );
      if (requests.length === query.limit) console.log(`\nThe first ${query.limit}; ask for more with --limit.`);
    },
  },
  show: {
    usage: ["show <reference> [--format table|json]", "  One request: everything kept of it, and its notes (who acknowledged or closed it, and what they said)."].join("\n"),
    options: FORMAT_OPTION,
    async run(values) {
      const reference = referenceArgument("show");
      const format = formatArgument(values);
      const { found, hours, now } = await withRecords(async (store, hours) => ({ found: await store.request(reference), hours, now: DateTime.now().setZone(hours.zone) }));
      if (!found) throw unknownReference(reference);
      const { request, notes } = found;
      const names = await readServiceNames();
      if (format === "json") {
        console.log(JSON.stringify({ ...request, serviceName: names(request.service), ...promise(request, hours, now), notes }, null, 2));
        return;
      }
      console.log(describeRequest(request, notes, hours, now, names));
    },
  },
  close: {
    usage: [
      'close <reference> [<reference>...] --note "what was done" [--by NAME]',
      "  Closes the request (a callback: once the resident was called back). The note is kept with who closed it.",
      "  An urgent report's incident is marked fixed too, so the on-call crew is paged no more (a report that",
      "  joined another's incident closes only itself, and says which incident goes on). When the line's Redis",
      "  ($REDIS_URL) does not answer, the request is closed all the same, a warning says the pages could not be",
      "  stopped (exit code 1), and closing it again stops them.",
      "  A request closed already is left as it is, and the command says who closed it.",
      "  Several references (after a drill) are closed one after the other with the same note; one that is",
      "  unknown is said on stderr (exit code 1) and the others are closed all the same.",
      `  --note TEXT   what was done, e.g. "Called back; a crew comes Thursday" (required)`,
      `  --by NAME     who did it (default: ${COMMAND_LINE_USER})`,
    ].join("\n"),
    options: { note: { type: "string" }, by: { type: "string" } },
    async run(values) {
      const references = referencesArgument("close");
      const note = typeof values["note"] === "string" ? keepableText(values["note"]).trim() : "";
      if (note === "") throw new UsageError(`close needs --note saying what was done, e.g. npm run requests -- close ${references[0]} --note "Called back; all sorted"`);
      if (note.length > MAX_NOTE) throw new UsageError(`--note is longer than ${MAX_NOTE} characters`);
      const by = values["by"] === undefined ? COMMAND_LINE_USER : wordArgument("--by", values["by"]);
      const close: CloseRequest = { by, at: DateTime.now().toUTC().toISO()!, note, from: "the command line" };
      const { missing: unknown, closed, joined } = await withRecords(async (store, hours) => {
        const missing: string[] = [];
        let closed = 0;
        /** The later reports of the same places, closed with their incidents by the records. */
        let joined = 0;
        for (const reference of references) {
          // An urgent report's incident lives in the line's Redis: reached only when there is one to stop.
          const outcome = (await store.request(reference))?.request.incident ? await withIncidents((incidents) => closeRequest(store, reference, close, { incidents, log: warnings })) : await closeRequest(store, reference, close);
          if (outcome.outcome === "missing") {
            missing.push(reference);
            if (references.length > 1) console.error(`requests: ${unknownReference(reference).message}`);
          } else {
            if (outcome.outcome === "closed") closed++;
            if (outcome.paging?.outcome === "stopped") joined += outcome.paging.joined.length;
            await sayClosed(reference, outcome, close, hours.zone);
          }
        }
        return { missing, closed, joined };
      });
      if (references.length === 1 && unknown.length === 1) throw unknownReference(unknown[0]!);
      if (references.length > 1) {
        const already = references.length - closed - unknown.length;
        const withThem = joined ? ` (and ${joined === 1 ? "1 report" : `${joined} reports`} of the same places with them)` : "";
        console.log(`${closed} closed${withThem}${already ? `, ${already} closed already` : ""}${unknown.length ? `, ${unknown.length} unknown (${unknown.join(", ")})` : ""}.`);
      }
      if (unknown.length > 0) process.exitCode = 1;
    },
  },
};

/** What closing one request did, on stdout, and in the line's audit log when it changed anything. */
async function sayClosed(reference: string, outcome: Exclude<CloseOutcome, { outcome: "missing" }>, close: CloseRequest, zone: string): Promise<void> {
  const { by, note } = close;
  if (outcome.outcome === "closed-already") {
    const who = outcome.by ? ` by ${outcome.by}` : "";
    const at = outcome.at ? ` on ${when(DateTime.fromISO(outcome.at).setZone(zone))}` : "";
    console.log(`${reference} was closed already${at}${who}${outcome.note ? ` (“${outcome.note}”)` : ""}: ${outcome.paging?.outcome === "stopped" ? "the request was not changed." : "nothing was changed."}`);
    sayPaging(outcome.paging, by);
    if (outcome.paging?.outcome === "stopped") {
      const first = `The request was closed already${at}${who}`;
      await auditClose(reference, close, "paging-stopped", [by !== COMMAND_LINE_USER ? `as ${by} (--by)` : undefined, first, pagingInWords(outcome.paging, by)]);
    }
    return;
  }
  console.log(`Closed ${reference} (${outcome.request.service}, left ${when(DateTime.fromISO(outcome.request.requestedAt).setZone(zone))}) as ${by}: “${note}”.`);
  sayPaging(outcome.paging, by);
  await auditClose(reference, close, "request-closed", [by !== COMMAND_LINE_USER ? `closed as ${by} (--by)` : undefined, outcome.paging ? pagingInWords(outcome.paging, by) : undefined]);
}

/**
 * What closing an urgent report did to its pages, in a line: on stdout, or, when the pages could
 * not be stopped, as a warning on stderr with exit code 1 (the request stays closed; closing it
 * again stops them once Redis answers).
 */
function sayPaging(paging: PagingOutcome | undefined, by: string): void {
  if (!paging) return;
  if (paging.outcome !== "not-stopped") return void console.log(pagingInWords(paging, by));
  console.error(`requests: warning: ${pagingInWords(paging, by)} (${lineRedis().sentinel ? "Redis" : "REDIS_URL"}: ${redisShown(lineRedis())})`);
  process.exitCode = 1;
}

/** Problems worth a line on stderr (an incident marked fixed whose record could not be handed on), as warnings. */
const warnings = createLogger({
  level: "warn",
  destination: {
    write(line: string) {
      const entry = JSON.parse(line) as { msg?: string };
      console.error(`requests: warning: ${entry.msg ?? line.trim()}`);
    },
  },
});

/**
 * Runs `use` with the line's incidents in Redis ($REDIS_URL), their events handed to the records
 * queue as the line's own roles hand them. A Redis that does not answer is not an error here: the
 * incident's commands fail at once, and the close says its pages could not be stopped.
 */
async function withIncidents<T>(use: (incidents: IncidentStore) => Promise<T>): Promise<T> {
  const redis = createWebConnection(lineRedis(), { lazyConnect: true, retryStrategy: () => null, sentinelRetryStrategy: () => null });
  redis.on("error", () => {});
  await redis.connect().catch(() => {});
  // Only made when an event is handed on: BullMQ's queue has nothing to do on a Redis that is not there.
  let queue: Queue | undefined;
  const keeper: RecordKeeper = {
    async keep(event) {
      if (!queue) {
        queue = createRecordsQueue(redis);
        queue.on("error", () => {});
      }
      await new BullRecordKeeper(queue).keep(event);
    },
  };
  try {
    return await use(recordingIncidentStore(new RedisIncidentStore(redis), keeper, warnings));
  } finally {
    await queue?.close().catch(() => {});
    redis.disconnect();
  }
}

/**
 * Puts a close (or a close made again that stopped the pages) in the line's audit log, as made by
 * "cli" (a name given with --by is said, not trusted: nobody signed in), with `details`: who it
 * was said to be, and what it did to an urgent report's pages, whatever that was.
 * The close is kept already: when Redis cannot be reached it stands, and a warning says the log
 * does not have it.
 */
async function auditClose(reference: string, close: CloseRequest, action: "request-closed" | "paging-stopped", details: (string | undefined)[]): Promise<void> {
  const detail = details.filter((part) => part !== undefined).join(". ");
  try {
    await withRedis((redis) =>
      new RedisAuditLog(redis).record({
        at: close.at,
        user: COMMAND_LINE_USER,
        action,
        document: `request:${reference}`,
        message: close.note,
        ...(detail ? { detail } : {}),
      }),
    );
  } catch (error) {
    console.error(`requests: warning: ${reference} is closed, but the audit log does not have it: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Opens the line's records database (see openLineRecords), and the hours for the City's zone and business days. */
async function withRecords<T>(use: (store: RecordStore, hours: Hours) => Promise<T>): Promise<T> {
  const config = lineRecordsSettings();
  const hours = await readCityHours(join(config.flowsDir, "hours.yaml"), "set FLOWS_DIR to the folder of the line's hours.yaml");
  const database = await openLineRecords(config.database, commandAsTyped("requests", process.argv.slice(2)));
  try {
    return await use(new PostgresRecordStore(database), hours);
  } finally {
    await database.close();
  }
}

/**
 * The names supervisors know the services by, from the line's definitions in $FLOWS_DIR (the
 * department's name for an agent queue); the codes in words when those cannot be read: a name is
 * no reason to refuse a worklist.
 */
async function readServiceNames(): Promise<ServiceNames> {
  return loadFlowSet(lineRecordsSettings().flowsDir).then(serviceNamesOf, () => readableServiceName);
}

/**
 * What is wrong with a --service or --department the line's definitions ($FLOWS_DIR) do not have,
 * with the nearest one they do; undefined when both are known, or the definitions cannot be read.
 */
async function unknownFilter(query: RequestQuery): Promise<string | undefined> {
  const set = await loadFlowSet(lineRecordsSettings().flowsDir).catch(() => undefined);
  if (!set) return undefined;
  const services = new Set([...serviceCodesOf(set), CALLBACK_SERVICE, ...set.departments.departments.flatMap((department) => department.services)]);
  const departments = set.departments.departments.map((department) => department.name);
  const unknown = (what: string, given: string, known: Iterable<string>) => {
    const near = didYouMean(given, known);
    return `the line has no ${what} "${given}"${near ? ` (did you mean "${near}"?)` : ""}`;
  };
  if (typeof query.service === "string" && !services.has(query.service)) return unknown("service", query.service, services);
  if (typeof query.department === "string" && !departments.includes(query.department)) return unknown("department", query.department, departments);
  return undefined;
}

/** `Utility Billing (utility-billing)`: the name, and the code --service takes. */
function serviceWords(names: ServiceNames, code: string): string {
  const name = names(code);
  return name === code ? code : `${name} (${code})`;
}

/** For an open callback: by when it is due, and whether that has passed. */
function promise(request: ServiceRequest, hours: Hours, now: DateTime): { dueBy?: string | null; overdue?: boolean } {
  if (request.service !== CALLBACK_SERVICE || request.status === "closed") return {};
  const dueBy = callbackDueBy(hours, DateTime.fromISO(request.requestedAt));
  return { dueBy: dueBy?.toISO() ?? null, overdue: dueBy !== null && now > dueBy };
}

function describeRequest(request: ServiceRequest, notes: readonly RequestNote[], hours: Hours, now: DateTime, names: ServiceNames): string {
  const zone = hours.zone;
  const left = DateTime.fromISO(request.requestedAt).setZone(zone);
  const due = promise(request, hours, now);
  const rows: [string, string | null][] = [
    ["Reference", request.reference],
    ["Service", serviceWords(names, request.service)],
    ["Department", request.department ?? "none"],
    ["Status", `${request.status}${request.statusDescription ? ` (${request.statusDescription})` : ""}`],
    ["Left", `${when(left)} (${age(left, now)} ago)`],
    ["Due by", due.dueBy === undefined ? null : due.dueBy === null ? "no business day ahead in the hours" : `${when(DateTime.fromISO(due.dueBy).setZone(zone))}${due.overdue ? " - OVERDUE" : ""}`],
    ["Closed", request.closedAt ? when(DateTime.fromISO(request.closedAt).setZone(zone)) : null],
    ["Callback number", request.callbackNumber],
    ["Recording", request.recordingUrl],
    ["Place", request.place],
    ["Description", request.description],
    ["Contact", [request.contactName, request.contactEmail].filter(Boolean).join(", ") || null],
    ["Came in", `${request.channel}, by ${request.source}`],
    ["Call", request.callSid],
    ["Incident", request.incident],
  ];
  const lines = [table(rows.filter((row): row is [string, string] => row[1] !== null).map(([label, value]) => [label, oneLine(value, 500)]))];
  lines.push("", notes.length === 0 ? "No notes yet." : "Notes:");
  if (notes.length > 0) {
    lines.push(table(notes.map((note) => [`  ${when(DateTime.fromISO(note.at).setZone(zone))}`, note.author, note.kind, oneLine(note.text, 500)])));
  }
  return lines.join("\n");
}

/** `Wed 2 Dec 2026, 10:00`, as the console says it. */
function when(at: DateTime): string {
  return at.toFormat("ccc d LLL yyyy, HH:mm");
}

/** `3 h`, `2 days`: how long ago, roughly. */
function age(at: DateTime, now: DateTime): string {
  const minutes = Math.max(0, Math.floor(now.diff(at, "minutes").minutes));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** What a resident said, on one line and not too long for a table. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function describeQuery(query: RequestQuery): string {
  const parts = [query.status ? `${query.status}` : "", query.service ? `for the service ${query.service}` : "", query.department ? `of ${query.department}` : ""].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function unknownReference(reference: string): CommandError {
  return new CommandError(`there is no request ${reference}; see the references with npm run requests -- list`);
}

function formatArgument(values: OptionValues): Format {
  const format = values["format"] ?? "table";
  if (!(FORMATS as readonly unknown[]).includes(format)) throw new UsageError(`--format "${String(format)}" is not one of ${FORMATS.join(", ")}`);
  return format as Format;
}

function statusArgument(text: string): RequestStatus {
  const status = text.trim().toLowerCase();
  if ((REQUEST_STATUSES as readonly string[]).includes(status)) return status as RequestStatus;
  const near = didYouMean(status, REQUEST_STATUSES);
  throw new UsageError(`--status "${text}" is not one of ${REQUEST_STATUSES.join(", ")}${near ? ` (did you mean "${near}"?)` : ""}`);
}

function wordArgument(option: string, value: string | boolean | undefined): string {
  const text = String(value ?? "").trim();
  if (text === "" || text.length > MAX_WORD) throw new UsageError(`${option} needs a value of 1 to ${MAX_WORD} characters`);
  return text;
}

/**
 * The references a command that takes several was given. More than one must each be a number, as
 * the line gives them: a word of a note left out of its quotes is refused, not looked up.
 */
function referencesArgument(command: string): string[] {
  const listed = positionals.find((positional) => /^[\d,]*,[\d,]*$/.test(positional));
  if (listed !== undefined) throw new UsageError(`unexpected argument "${listed}": separate references with spaces, not commas`);
  if (positionals.length <= 1) return [referenceArgument(command)];
  const word = positionals.find((positional) => !/^\d{1,18}$/.test(positional));
  if (word !== undefined) throw new UsageError(`unexpected argument "${word}": ${command} takes references, which are numbers (put a note in quotes)`);
  return [...new Set(positionals)];
}

function referenceArgument(command: string): string {
  if (positionals.length === 0) throw new UsageError(`${command} needs a request's reference, e.g. npm run requests -- ${command} 4821`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}": ${command} takes one reference (put a note in quotes)`);
  return wordArgument("the reference", positionals[0]);
}

function noPositionals(command: string): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}": ${command} takes options only`);
}


await runCli("requests", commands, argv);
