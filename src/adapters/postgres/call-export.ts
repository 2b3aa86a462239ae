/**
 * Every call record of a period, oldest first, read a page at a time: what the console's calls
 * download streams, so a year of calls never sits in memory at once.
 */
import type { CallRecord } from "../../domain/records.js";
import type { Queryable } from "./database.js";
import { iso, orNull } from "./rows.js";

/** How many calls one query reads. */
export const CALL_EXPORT_PAGE = 1_000;

type Row = Record<string, unknown>;


function callFromRow(row: Row): CallRecord {
  return {
    callSid: String(row.call_sid),
    from: String(row.from_number),
    to: String(row.to_number),
    status: String(row.status),
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    durationSeconds: orNull(row.duration_seconds, Number),
    afterHours: Boolean(row.after_hours),
    outcome: row.outcome as CallRecord["outcome"],
    path: Array.isArray(row.path) ? row.path.map(String) : [],
    flow: orNull(row.flow, String),
    flowVersion: orNull(row.flow_version, Number),
    queue: row.queue === null || row.queue === undefined ? null : { name: String(row.queue), waitSeconds: orNull(row.queue_wait_seconds, Number), result: orNull(row.queue_result, String) },
    reference: orNull(row.reference, String),
    category: orNull(row.category, String),
    // The calls table keeps neither: a voicemail's are on its service request.
    recordingUrl: null,
    callbackNumber: null,
    revision: Number(row.revision ?? 0),
  };
}

/**
 * The calls that started in [start, end), oldest first, each page read after the last one's
 * final call (start time, then CallSid), so a call written meanwhile is neither skipped nor repeated.
 *
 * @param range - ISO 8601 instants
 */
export async function* callsStartedBetween(db: Queryable, range: { start: string; end: string }, pageSize = CALL_EXPORT_PAGE): AsyncGenerator<CallRecord> {
  let after: { startedAt: string; callSid: string } | undefined;
  for (;;) {
    const rows: Row[] = await db.query(
      `SELECT call_sid, from_number, to_number, started_at, ended_at, duration_seconds, after_hours, status, outcome, path,
         flow, flow_version, queue, queue_wait_seconds, queue_result, reference, category,
         started_at::text AS cursor_at
       FROM calls
       WHERE started_at >= $1 AND started_at < $2 ${after ? "AND (started_at, call_sid) > ($3::timestamptz, $4::text)" : ""}
       ORDER BY started_at, call_sid LIMIT ${Math.max(1, Math.floor(pageSize))}`,
      after ? [range.start, range.end, after.startedAt, after.callSid] : [range.start, range.end],
    );
    for (const row of rows) yield callFromRow(row);
    if (rows.length < pageSize) return;
    const last = rows.at(-1)!;
    // The start as the database wrote it (to the microsecond): a JavaScript date would round it and repeat the row.
    after = { startedAt: String(last.cursor_at), callSid: String(last.call_sid) };
  }
}
