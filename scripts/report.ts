/**
 * The City's figures from the command line:
 *
 *   npm run report -- --from 2026-12-01 --to 2026-12-31 [--by day|week|month] [--format table|csv|json]
 *
 * It reads the records database the line uses (DATABASE_URL, or the embedded one under DATA_DIR),
 * refusing a schema from a newer version. It applies the migrations this version brings only to a
 * server or to an embedded database no running line holds; through a running line's socket it checks,
 * and refuses migrations waiting (a read-only command runs no DDL on a shared database). It counts
 * days in the City's zone (from $FLOWS_DIR/hours.yaml, which also says what a business day is).
 * Bad arguments are said in one line on stderr with exit code 1.
 */
import "./lib/load-env.js";
import { join } from "node:path";
import { DateTime } from "luxon";
import { computeReport } from "../src/adapters/postgres/report-queries.js";
import { loadFlowSet } from "../src/adapters/files/flow-source.js";
import { readableServiceName, serviceNamesOf } from "../src/domain/service-names.js";
import { parseReportRequest, ReportRequestError, reportCsv, reportText, type ReportRequest } from "../src/domain/reports/index.js";
import { lineRecordsSettings, parseCommandOptions, readCityHours, runMain, UsageError } from "./lib/cli.js";
import { commandAsTyped, openLineRecords } from "./lib/embedded-database.js";

const FORMATS = ["table", "csv", "json"] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: npm run report -- --from yyyy-MM-dd --to yyyy-MM-dd [--by day|week|month] [--format table|csv|json]

The City's figures for a period and each of its intervals: calls, agent queues, service requests,
open callbacks, urgent reports and incidents, and calls by weekday and hour. Days are whole days in
the City's time zone (the zone of $FLOWS_DIR/hours.yaml).
  --from DATE        the first day, e.g. 2026-12-01
  --to DATE          the last day, included, e.g. 2026-12-31
  --by INTERVAL      day, week (Monday to Sunday) or month (default: day for a month or less,
                     week for up to 92 days, month beyond)
  --format FORMAT    table (default: the figures, then what each one means), csv (one figure per
                     row, for a spreadsheet) or json (the shape GET /api/reports answers)
  --hours PATH       the hours file (default: $FLOWS_DIR/hours.yaml, with FLOWS_DIR defaulting to flows)
The records database is DATABASE_URL, or the embedded one under DATA_DIR; SERVICE_LEVEL_SECONDS and
SHORT_ABANDON_SECONDS set the thresholds.`;

const OPTIONS = {
  from: { type: "string" },
  to: { type: "string" },
  by: { type: "string" },
  format: { type: "string" },
  hours: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

async function main(argv: string[]): Promise<void> {
  const values = parseCommandOptions(argv, OPTIONS);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const request = requestFrom(values);
  const format = formatFrom(values.format);
  const config = lineRecordsSettings();
  const hoursFile = values.hours ?? join(config.flowsDir, "hours.yaml");
  const hours = await readCityHours(hoursFile, "set FLOWS_DIR (or --hours) to the line's hours.yaml");
  const database = await openLineRecords(config.database, commandAsTyped("report", process.argv.slice(2)));
  try {
    const report = await computeReport(database, { ...request, hours, settings: config.records, now: DateTime.now() });
    const names = format === "table" ? await loadFlowSet(config.flowsDir).then(serviceNamesOf, () => readableServiceName) : undefined;
    process.stdout.write(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : format === "csv" ? reportCsv(report) : reportText(report, { names }));
  } finally {
    await database.close();
  }
}

function requestFrom(values: { from?: string | boolean; to?: string | boolean; by?: string | boolean }): ReportRequest {
  try {
    return parseReportRequest({ from: values.from, to: values.to, by: values.by }, "--");
  } catch (error) {
    if (error instanceof ReportRequestError) throw new UsageError(error.message);
    throw error;
  }
}

function formatFrom(value: string | boolean | undefined): Format {
  if (value === undefined) return "table";
  const format = FORMATS.find((candidate) => candidate === value);
  if (!format) throw new UsageError(`--format "${String(value)}" must be table, csv or json`);
  return format;
}

await runMain("report", () => main(process.argv.slice(2)));
