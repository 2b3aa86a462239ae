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
import { COMMAND_LINE_USER } from "../src/accounts/accounts.js";
import { RedisAuditLog } from "../src/adapters/redis/audit-log.js";
import { emergencyInWords, emergencyView } from "../src/domain/hours/emergency-view.js";
import { DateTime } from "luxon";
import { RedisOverrideStore } from "../src/adapters/redis/override-store.js";
import {
  activeOverride,
  dayInWords,
  holidaysInYear,
  isOpenWithoutEnd,
  lineStatus,
  OverrideRequestError,
  parseHours,
  planOverride,
  schedule,
  timeInWords,
  type DaySchedule,
  type EmergencyOverride,
  type Hours,
  type OverrideRequest,
  type PlannedOverride,
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
      "  The line's hours day by day, in words, with the reason for each closed or changed day.",
      "  --from yyyy-MM-dd  the first day (default: today in the hours' time zone)",
      "  --days N           how many days, 1 to 366 (default: 14)",
      FILE_USAGE,
    ].join("\n"),
    options: { ...FILE_OPTION, from: { type: "string" }, days: { type: "string" } },
    async run(values) {
      const { hours, file } = await loadHours(values);
      const from = values["from"] === undefined ? today(hours) : isoDateArgument("--from", values["from"]);
      const days = wholeNumberArgument("--days", values["days"] ?? "14", 1, 366);
      console.log(`Hours from ${file}, in ${hours.zone}`);
      console.log(`Callers hear: "${hours.summary}"`);
      console.log();
      console.log(showDays(hours, schedule(hours, from, days)));
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
      const { hours, file } = await loadHours(values);
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
      "                     --open always ends: without --until, at today's closing time; on a day with no hours left, give --until",
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
      const { hours } = await loadHours(values);
      await withOverrides(async (overrides, audit) => {
        const stored = await overrides.get();
        const before = emergencyView(stored, DateTime.now());
        // Clearing what is not there changes nothing, and the audit log is not told it did.
        const changes = action === "set" || (action === "clear" && stored !== null);
        if (action === "clear") {
          await overrides.clear();
          console.log(stored === null ? "Nothing to clear: no emergency override was set." : "Emergency override cleared: the schedule decides again.");
        } else if (action === "set") {
          const { override, note } = overrideFrom(values, hours);
          await overrides.set(override);
          if (note) console.log(note);
          // A closure with no end sends even daytime callers to the trouble line until someone clears it.
          if (override.mode === "closed" && !override.until) {
            console.log("Warning: --closed has no end: every caller, by day too, goes to the trouble line until `npm run hours -- emergency clear` (or set it again with --until).");
          }
        }
        if (changes) {
          const now = DateTime.now().setZone(hours.zone);
          const after = emergencyView(await overrides.get(), now);
          const by = typeof values["by"] === "string" && values["by"].trim() ? values["by"].trim() : COMMAND_LINE_USER;
          await audit.record({ at: now.toISO()!, user: by, action: "emergency", document: "emergency", detail: `${emergencyInWords(before)} → ${emergencyInWords(after)}` });
        }
        describeOverride(await overrides.get(), hours);
      });
    },
  },
};

/**
 * Runs `use` with the override store and the audit log at $REDIS_URL (every change is audited, as
 * the console's are), failing in one clear line when Redis does not answer.
 */
async function withOverrides(use: (overrides: RedisOverrideStore, audit: RedisAuditLog) => Promise<void>): Promise<void> {
  await withRedis((redis) => use(new RedisOverrideStore(redis), new RedisAuditLog(redis)));
}

/** The override `set` asks for, planned at this moment; refusals are usage errors. */
function overrideFrom(values: OptionValues, hours: Hours): PlannedOverride {
  if (values["closed"] && values["open"]) throw new UsageError("--closed and --open cannot both be set");
  const request: OverrideRequest = {};
  if (values["closed"]) request.mode = "closed";
  if (values["open"]) request.mode = "open";
  if (typeof values["message"] === "string") request.message = values["message"];
  if (typeof values["until"] === "string") request.until = values["until"];
  if (typeof values["by"] === "string") request.setBy = values["by"];
  try {
    return planOverride(request, hours, DateTime.now());
  } catch (error) {
    if (error instanceof OverrideRequestError) throw new UsageError(error.message);
    throw error;
  }
}

function describeOverride(override: EmergencyOverride | null, hours: Hours): void {
  const now = DateTime.now().setZone(hours.zone);
  if (!override) {
    console.log("No emergency override is set.");
  } else {
    const active = activeOverride(override, now);
    console.log(`Emergency override${active ? "" : " (expired: no longer applies)"}:`);
    console.log(`  line:    ${lineWords(override)}`);
    console.log(`  message: ${override.message ? `"${override.message}"` : "(none)"}`);
    if (override.until) console.log(`  until:   ${inCityTime(override.until, hours)}`);
    const set = [override.setBy, override.setAt ? inCityTime(override.setAt, hours) : undefined].filter(Boolean);
    if (set.length > 0) console.log(`  set:     ${set.join(", ")}`);
  }
  const status = lineStatus(hours, now, override);
  const change = status.open ? status.closesAt : status.opensAt;
  const next = change ? `; ${status.open ? "closes" : "opens"} ${inCityTime(change.toISO()!, hours)}` : "";
  console.log(`Right now (${cityTime(now)}) the line is ${status.open ? "open" : `closed (${status.reason})`}${next}.`);
}

function lineWords(override: EmergencyOverride): string {
  if (isOpenWithoutEnd(override)) {
    return "open, but with no end, so not obeyed: the schedule decides (set it again with --open --until ...)";
  }
  if (override.mode === "closed") return "closed: every caller goes to the trouble line";
  if (override.mode === "open") return "open: the day menu stays on";
  return "as scheduled";
}

/** An instant as the City's clock shows it, whatever offset it was written with. */
function inCityTime(iso: string, hours: Hours): string {
  const time = DateTime.fromISO(iso, { setZone: true });
  return time.isValid ? cityTime(time.setZone(hours.zone)) : `${iso} (not a time this can read)`;
}

function cityTime(time: DateTime): string {
  return `${time.setLocale("en-CA").toFormat("ccc d LLL yyyy")}, ${timeInWords(time.toFormat("HH:mm"), "always")} ${time.offsetNameShort ?? time.zoneName}`;
}

async function loadHours(values: OptionValues): Promise<{ hours: Hours; file: string }> {
  const { text, file } = await readDefinitionFile(values["file"], "hours.yaml", values["live"] === true);
  return { hours: parseHours(text, file), file };
}

/** Today's date where the line is, which is not necessarily where this shell runs. */
function today(hours: Hours): string {
  return DateTime.now().setZone(hours.zone).toFormat("yyyy-MM-dd");
}

function showDays(hours: Hours, days: DaySchedule[]): string {
  // A weekend date of a holiday that is observed on a weekday is worth pointing out.
  const years = [...new Set(days.map((day) => Number(day.date.slice(0, 4))))];
  const movedAway = new Map(
    years.flatMap((year) => holidaysInYear(hours, year)).flatMap((holiday) => (holiday.actual ? [[holiday.actual, holiday] as const] : [])),
  );
  const lines: string[] = [];
  days.forEach((day, index) => {
    // The year, once at the top and again where it changes: each line names only the day.
    if (index === 0 || day.date.slice(0, 4) !== days[index - 1]!.date.slice(0, 4)) lines.push(`${index === 0 ? "" : "\n"}${day.date.slice(0, 4)}`);
    const moved = movedAway.get(day.date);
    lines.push(`  ${dayInWords(day, moved ? [`${moved.name} is observed ${shortDate(moved.date)}`] : [])}`);
  });
  return lines.join("\n");
}

function shortDate(isoDate: string): string {
  return DateTime.fromISO(isoDate, { zone: "utc", locale: "en-CA" }).toFormat("ccc d LLL");
}

function dayName(isoDate: string): string {
  return DateTime.fromFormat(isoDate, "yyyy-MM-dd", { locale: "en-CA" }).toFormat("cccc");
}

await runCli("hours", commands, process.argv.slice(2));
