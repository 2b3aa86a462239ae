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
import "./lib/load-env.js";
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
import {
  FILE_OPTION,
  fileUsage,
  isoDateArgument,
  readDefinitionFile,
  runCli,
  table,
  UsageError,
  wholeNumberArgument,
  withRedis,
  type CommandTable,
  type OptionValues,
} from "./lib/cli.js";

const FILE_USAGE = fileUsage("the hours file", "hours.yaml");

const commands: CommandTable = {
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

/** Runs `use` with the override store at $REDIS_URL, failing in one clear line when Redis does not answer. */
async function withOverrides(use: (overrides: RedisOverrideStore) => Promise<void>): Promise<void> {
  await withRedis((redis) => use(new RedisOverrideStore(redis)));
}

function overrideFrom(values: OptionValues, hours: Hours): EmergencyOverride {
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

async function loadHours(fileOption: string | boolean | undefined): Promise<{ hours: Hours; file: string }> {
  const { text, file } = await readDefinitionFile(fileOption, "hours.yaml");
  return { hours: parseHours(text, file), file };
}

/** Today's date where the line is, which is not necessarily where this shell runs. */
function today(hours: Hours): string {
  return DateTime.now().setZone(hours.zone).toFormat("yyyy-MM-dd");
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

await runCli("hours", commands, process.argv.slice(2));
