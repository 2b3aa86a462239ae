import type { DateTime } from "luxon";
import type { Departments } from "../../src/domain/departments.js";
import type { Hours } from "../../src/domain/hours/index.js";
import type { RecordStore } from "../../src/domain/ports.js";
import { createLogger } from "../../src/logger.js";
import { RecordWriter, type RecordWriterOptions } from "../../src/records/record-writer.js";

/**
 * The records worker's writer as `npm start` makes it, over `store`: the departments and hours of
 * `definitions` (read again for each record, as the live ones are), call records kept two years,
 * the time from `clock`, and nothing logged unless `log` is given.
 */
export function recordWriter(
  options: { store: RecordStore; definitions: () => { departments: Departments; hours: Hours }; clock: () => DateTime } & Partial<Omit<RecordWriterOptions, "departments" | "hours">>,
): RecordWriter {
  const { definitions, ...rest } = options;
  return new RecordWriter({
    departments: () => definitions().departments,
    hours: () => definitions().hours,
    retentionDays: 730,
    log: createLogger({ level: "silent" }),
    ...rest,
  });
}
