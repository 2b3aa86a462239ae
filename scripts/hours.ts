/**
 * The business hours from the command line: check `hours.yaml` and see what it means.
 *
 *   npm run hours -- show --from 2026-12-20 --days 14
 *   npm run hours -- holidays --year 2027
 *   npm run hours -- emergency set --message "Due to the storm ..." [--closed | --open] [--until 2026-12-06T08:00]
 *   npm run hours -- emergency show | clear
 *
 * Bad arguments or a bad file print one line per problem on stderr and exit with code 1.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { Redis } from "ioredis";
import { DateTime } from "luxon";
import { RedisOverrideStore } from "../src/adapters/redis/override-store.js";
import {
  activeOverride,
  EmergencyOverrideSchema,
  holidaysInYear,
  lineStatus,
  parseHours,
  schedule,
  type DaySchedule,
  type EmergencyOverride,
  type Hours,
} from "../src/domain/hours/index.js";
import { DefinitionError, didYouMean, formatProblem } from "../src/domain/validation.js";

/** A mistake in how the command was called, reported with a pointer to `--help`. */
class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Something outside the arguments went wrong (the file cannot be read): said in one line. */
class CommandError extends Error {
  override readonly name = "CommandError";
}

/** A subcommand: its options for `parseArgs`, its help, and what it does. */
interface Command {
  /** The command line, then what it does, then one line per option. */
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Words that may follow the command (`emergency set`); the first is the default. */
  actions?: string[];
  run(values: Record<string, string | boolean | undefined>, action?: string): Promise<void>;
}

const FILE_OPTION = { file: { type: "string" } } as const;
const FILE_USAGE = "  --file PATH        the hours file (default: $FLOWS_DIR/hours.yaml, with FLOWS_DIR defaulting to flows)";

const commands: Record<string, Command> = {
  show: {
    usage: [
      "show [--from yyyy-MM-dd] [--days N] [--file PATH]",
      "  The line's hours day by day, with the reason for each closed or changed day.",
      "  --from yyyy-MM-dd  the first day (default: today in the hours' time zone)",
      "  --days N           how many days, 1 to 366 (default: 14)",
      FILE_USAGE,
    ].join("\n"),
    options: { ...FILE_OPTION, from: { type: "string" }, days: { type: "string" } },
    async run(values) {
      const { hours, file } = await loadHours(values["file"]);
      const from = values["from"] === undefined ? today(hours) : isoDateArgument("--from", values["from"]);
      const days = wholeNumberArgument("--days", values["days"] ?? "14", 1, 366);
      console.log(`Hours from ${file}, in ${hours.zone}`);
      console.log(`Callers hear: "${hours.summary}"`);
      console.log();
      console.log(showTable(hours, schedule(hours, from, days)));
    },
  },
  holidays: {
    usage: [
      "holidays [--year YYYY] [--file PATH]",
      "  The days the City is closed for holidays in a year, and the days they are observed on.",
      "  --year YYYY        the year (default: this year in the hours' time zone)",
      FILE_USAGE,
    ].join("\n"),
    options: { ...FILE_OPTION, year: { type: "string" } },
    async run(values) {
      const { hours, file } = await loadHours(values["file"]);
      const year = values["year"] === undefined ? DateTime.now().setZone(hours.zone).year : wholeNumberArgument("--year", values["year"], 1900, 2200);
      const holidays = holidaysInYear(hours, year);
      console.log(`City holidays in ${year}, from ${file}`);
      console.log();
      console.log(
        table([
          ["Date", "Day", "Holiday", "Note"],
          ...holidays.map((holiday) => [
            holiday.date,
            dayName(holiday.date),
            holiday.name,
            holiday.actual ? `observed; falls on ${dayName(holiday.actual)} ${holiday.actual}` : "",
          ]),
        ]),
      );
    },
  },
  emergency: {
    usage: [
      "emergency [show | set | clear] [--message TEXT] [--closed | --open] [--until DATE-TIME] [--by NAME]",
      "  The supervisor's emergency override, shared by every instance through Redis ($REDIS_URL).",
      "  show               what is set now, and what a caller hears because of it (the default)",
      "  set                --message TEXT: spoken to every caller after the 9-1-1 sentence (600 characters at most)",
      "                     --closed: every caller goes to the trouble line; --open: the day menu stays on after hours",
      "                     --until 2026-12-06T08:00: ends by itself then (local time in the hours' zone, or with an offset)",
      "                     --by NAME: who set it, for the record",
      "  clear              removes it: the schedule decides again",
      FILE_USAGE,
    ].join("\n"),
    options: {
      ...FILE_OPTION,
      message: { type: "string" },
      closed: { type: "boolean" },
      open: { type: "boolean" },
      until: { type: "string" },
      by: { type: "string" },
    },
    actions: ["show", "set", "clear"],
    async run(values, action) {
      const { hours } = await loadHours(values["file"]);
      await withOverrides(async (overrides) => {
        if (action === "clear") {
          await overrides.clear();
          console.log("Emergency override cleared: the schedule decides again.");
        } else if (action === "set") {
          await overrides.set(overrideFrom(values, hours));
        }
        describeOverride(await overrides.get(), hours);
      });
    },
  },
};

const USAGE = [
  "Usage: npm run hours -- <command> [options]",
  "",
  ...Object.values(commands).flatMap((command) => [command.usage, ""]),
  "Every command takes -h or --help.",
].join("\n");

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    const suggestion = didYouMean(name, Object.keys(commands));
    throw new UsageError(`unknown command "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`);
  }
  let action: string | undefined;
  if (command.actions) {
    action = rest[0] && !rest[0].startsWith("-") ? rest.shift() : command.actions[0];
    if (!command.actions.includes(action!)) {
      const suggestion = didYouMean(action!, command.actions);
      throw new UsageError(`unknown action "${action}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`);
    }
  }
  const values = parseOptions(command, rest);
  if (values["help"]) {
    console.log(`Usage: npm run hours -- ${command.usage}`);
    return;
  }
  await command.run(values, action);
}

/** Runs `use` with the override store at $REDIS_URL, failing in one clear line when Redis does not answer. */
async function withOverrides(use: (overrides: RedisOverrideStore) => Promise<void>): Promise<void> {
  const url = process.env["REDIS_URL"] || "redis://127.0.0.1:6379";
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect().catch(() => {
      throw new CommandError(`Redis does not answer at ${url}; set REDIS_URL to the line's Redis`);
    });
    await use(new RedisOverrideStore(redis));
  } finally {
    redis.disconnect();
  }
}

function overrideFrom(values: Record<string, string | boolean | undefined>, hours: Hours): EmergencyOverride {
  if (values["closed"] && values["open"]) throw new UsageError("--closed and --open cannot both be set");
  const message = typeof values["message"] === "string" ? values["message"] : undefined;
  if (!message && !values["closed"] && !values["open"]) {
    throw new UsageError("set needs --message, --closed or --open (or several)");
  }
  const now = DateTime.now().setZone(hours.zone);
  let until: string | undefined;
  if (typeof values["until"] === "string") {
    const parsed = DateTime.fromISO(values["until"], { zone: hours.zone, setZone: true });
    if (!parsed.isValid) throw new UsageError(`--until "${values["until"]}" is not a date and time; write it like 2026-12-06T08:00`);
    if (parsed <= now) throw new UsageError(`--until ${parsed.toISO()} is already past`);
    until = parsed.toISO()!;
  }
  const candidate = {
    ...(values["closed"] ? { mode: "closed" } : values["open"] ? { mode: "open" } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(until ? { until } : {}),
    ...(typeof values["by"] === "string" ? { setBy: values["by"] } : {}),
    setAt: now.toISO()!,
  };
  const parsed = EmergencyOverrideSchema.safeParse(candidate);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join("; "));
  return parsed.data;
}

function describeOverride(override: EmergencyOverride | null, hours: Hours): void {
  const now = DateTime.now().setZone(hours.zone);
  if (!override) {
    console.log("No emergency override is set.");
  } else {
    const active = activeOverride(override, now);
    console.log(`Emergency override${active ? "" : " (expired: no longer applies)"}:`);
    console.log(`  line:    ${override.mode === "closed" ? "closed: every caller goes to the trouble line" : override.mode === "open" ? "open: the day menu stays on" : "as scheduled"}`);
    console.log(`  message: ${override.message ? `"${override.message}"` : "(none)"}`);
    if (override.until) console.log(`  until:   ${override.until}`);
    if (override.setBy || override.setAt) console.log(`  set:     ${[override.setBy, override.setAt].filter(Boolean).join(", ")}`);
  }
  const status = lineStatus(hours, now, override);
  console.log(`Right now the line is ${status.open ? "open" : `closed (${status.reason})`}.`);
}

function parseOptions(command: Command, args: string[]): Record<string, string | boolean | undefined> {
  const options = { ...command.options, help: { type: "boolean", short: "h" } } as const;
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(describeParseArgsError(error, Object.keys(options)));
  }
}

/** parseArgs explains its errors at length; one short line with a suggestion serves better. */
function describeParseArgsError(error: unknown, optionNames: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && quoted) {
    const suggestion = didYouMean(quoted.replace(/^-+/, ""), optionNames);
    return `unknown option ${quoted}${suggestion ? ` (did you mean --${suggestion}?)` : ""}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL" && quoted) return `unexpected argument "${quoted}"`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && quoted) return `option ${quoted.split(" ")[0]} needs a value`;
  return message;
}

async function loadHours(fileOption: string | boolean | undefined): Promise<{ hours: Hours; file: string }> {
  const file = typeof fileOption === "string" ? fileOption : join(process.env["FLOWS_DIR"] ?? "flows", "hours.yaml");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((error as Error).message);
    throw new CommandError(`cannot read ${file}: ${reason}`);
  }
  return { hours: parseHours(text, file), file };
}

/** Today's date where the line is, which is not necessarily where this shell runs. */
function today(hours: Hours): string {
  return DateTime.now().setZone(hours.zone).toFormat("yyyy-MM-dd");
}

function isoDateArgument(option: string, value: string | boolean): string {
  const text = String(value);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !DateTime.fromFormat(text, "yyyy-MM-dd").isValid) {
    throw new UsageError(`${option} "${text}" is not a date; write it as yyyy-MM-dd, e.g. 2026-12-20`);
  }
  return text;
}

function wholeNumberArgument(option: string, value: string | boolean, min: number, max: number): number {
  const text = String(value);
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < min || number > max) {
    throw new UsageError(`${option} "${text}" must be a whole number from ${min} to ${max}`);
  }
  return number;
}

function showTable(hours: Hours, days: DaySchedule[]): string {
  // A weekend date of a holiday that is observed on a weekday is worth pointing out.
  const years = [...new Set(days.map((day) => Number(day.date.slice(0, 4))))];
  const movedAway = new Map(
    years.flatMap((year) => holidaysInYear(hours, year)).flatMap((holiday) => (holiday.actual ? [[holiday.actual, holiday] as const] : [])),
  );
  return table([
    ["Date", "Day", "Status", "Hours", "Reason"],
    ...days.map((day) => {
      const moved = movedAway.get(day.date);
      const note = moved ? `${moved.name}, observed ${dayName(moved.date)} ${moved.date}` : undefined;
      return [
        day.date,
        dayName(day.date),
        day.open ? "open" : "closed",
        day.windows.map((window) => `${window.open}–${window.close}`).join(", "),
        [day.reason, note].filter(Boolean).join("; "),
      ];
    }),
  ]);
}

function dayName(isoDate: string): string {
  return DateTime.fromFormat(isoDate, "yyyy-MM-dd", { locale: "en-CA" }).toFormat("cccc");
}

/** Left-aligned columns two spaces apart, without trailing spaces. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof DefinitionError) {
    for (const problem of error.problems) console.error(formatProblem(problem));
  } else if (error instanceof UsageError) {
    console.error(`hours: ${error.message}`);
    console.error("Run with --help for usage.");
  } else if (error instanceof CommandError) {
    console.error(`hours: ${error.message}`);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exitCode = 1;
});
