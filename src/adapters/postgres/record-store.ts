import type { IncidentEvent } from "../../domain/oncall/incident.js";
import type { RecordStore, StatusChange } from "../../domain/ports.js";
import type { CallRecord, IncidentRecord, RequestNote, RequestQuery, ServiceRequest } from "../../domain/records.js";
import type { Queryable } from "./database.js";
import { iso, orNull } from "./rows.js";

/** A record refers to another that is not written yet (an incident's event before its report): retried. */
export class RecordNotYetKeptError extends Error {
  override readonly name = "RecordNotYetKeptError";
}

/** The most requests one query returns, whatever it asks for. */
export const MAX_REQUESTS_PER_QUERY = 1_000;

type Row = Record<string, unknown>;

/** How many call records one statement of the nightly retention removes at the most. */
const RETENTION_BATCH = 5_000;

const isoOrNull = (value: unknown): string | null => orNull(value, iso);
const text = (value: unknown): string | null => orNull(value, String);
const number = (value: unknown): number | null => orNull(value, Number);

const REQUEST_COLUMNS = `reference, service, department, channel, status, status_description, requested_at, updated_at, closed_at,
  place, lat, long, description, recording_url, callback_number, contact_name, contact_email, call_sid, incident, source`;

export function requestFromRow(row: Row): ServiceRequest {
  return {
    reference: String(row.reference),
    service: String(row.service),
    department: text(row.department),
    channel: row.channel as ServiceRequest["channel"],
    status: row.status as ServiceRequest["status"],
    statusDescription: text(row.status_description),
    requestedAt: iso(row.requested_at),
    updatedAt: iso(row.updated_at),
    closedAt: isoOrNull(row.closed_at),
    place: text(row.place),
    lat: number(row.lat),
    long: number(row.long),
    description: text(row.description),
    recordingUrl: text(row.recording_url),
    callbackNumber: text(row.callback_number),
    contactName: text(row.contact_name),
    contactEmail: text(row.contact_email),
    callSid: text(row.call_sid),
    incident: text(row.incident),
    source: String(row.source),
  };
}

/**
 * The records in PostgreSQL (a server or PGlite). Every write is one statement, idempotent on
 * CallSid, reference or an event's key, so a job retried after a failure writes nothing twice.
 */
export class PostgresRecordStore implements RecordStore {
  constructor(private readonly db: Queryable) {}

  async addCall(call: CallRecord): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO calls (call_sid, from_number, to_number, started_at, ended_at, duration_seconds, after_hours, status, outcome, path,
         flow, flow_version, queue, queue_wait_seconds, queue_result, reference, category, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (call_sid) DO UPDATE SET
         outcome = EXCLUDED.outcome, path = EXCLUDED.path, queue = EXCLUDED.queue, queue_wait_seconds = EXCLUDED.queue_wait_seconds,
         queue_result = EXCLUDED.queue_result, reference = EXCLUDED.reference, category = EXCLUDED.category, revision = EXCLUDED.revision
       -- Only a later revision of the call (an answer that came after the end) replaces what is kept.
       WHERE calls.revision < EXCLUDED.revision
       RETURNING call_sid`,
      [
        call.callSid,
        call.from,
        call.to,
        call.startedAt,
        call.endedAt,
        call.durationSeconds,
        call.afterHours,
        call.status,
        call.outcome,
        call.path,
        call.flow,
        call.flowVersion,
        call.queue?.name ?? null,
        call.queue?.waitSeconds ?? null,
        call.queue?.result ?? null,
        call.reference,
        call.category,
        call.revision,
      ],
    );
    return rows.length > 0;
  }

  async addRequest(request: ServiceRequest): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO service_requests (${REQUEST_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
       ON CONFLICT DO NOTHING RETURNING reference`,
      [
        request.reference,
        request.service,
        request.department,
        request.channel,
        request.status,
        request.statusDescription,
        request.requestedAt,
        request.updatedAt,
        request.closedAt,
        request.place,
        request.lat,
        request.long,
        request.description,
        request.recordingUrl,
        request.callbackNumber,
        request.contactName,
        request.contactEmail,
        request.callSid,
        request.incident,
        request.source,
      ],
    );
    return rows.length > 0;
  }

  async request(reference: string): Promise<{ request: ServiceRequest; notes: RequestNote[] } | null> {
    const [row] = await this.db.query(`SELECT ${REQUEST_COLUMNS} FROM service_requests WHERE reference = $1`, [reference]);
    if (!row) return null;
    const notes = await this.db.query<Row>("SELECT at, author, kind, text FROM request_notes WHERE reference = $1 ORDER BY at, id", [reference]);
    return {
      request: requestFromRow(row),
      notes: notes.map((note) => ({ at: iso(note.at), author: String(note.author), kind: String(note.kind), text: String(note.text) })),
    };
  }

  async requests(query: RequestQuery = {}): Promise<ServiceRequest[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, value: unknown) => {
      params.push(value);
      where.push(condition.replace("?", `$${params.length}`));
    };
    // One query for several services or statuses (`= ANY`), so a page is read in one pass however many are asked for.
    if (query.service !== undefined) add("service = ANY(?::text[])", typeof query.service === "string" ? [query.service] : query.service);
    if (query.notService !== undefined && query.notService.length > 0) add("service <> ALL(?::text[])", query.notService);
    if (query.status !== undefined) add("status = ANY(?::text[])", typeof query.status === "string" ? [query.status] : query.status);
    if (query.department !== undefined) add("department = ?", query.department);
    if (query.incident !== undefined) add("incident = ?", query.incident);
    if (query.from !== undefined) add("requested_at >= ?", query.from);
    if (query.to !== undefined) add("requested_at < ?", query.to);
    if (query.updatedAfter !== undefined) add("updated_at > ?", query.updatedAfter);
    if (query.updatedBefore !== undefined) add("updated_at < ?", query.updatedBefore);
    const limit = Math.min(Math.max(query.limit ?? 100, 1), MAX_REQUESTS_PER_QUERY);
    const direction = query.order === "oldest" ? "ASC" : "DESC";
    const rows = await this.db.query(
      `SELECT ${REQUEST_COLUMNS} FROM service_requests ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY requested_at ${direction}, reference ${direction} LIMIT ${limit} OFFSET ${Math.max(query.offset ?? 0, 0)}`,
      params,
    );
    return rows.map(requestFromRow);
  }

  async changeStatus(reference: string, change: StatusChange): Promise<ServiceRequest | null> {
    // One statement: the note is written only with the change, and a retried change (same key) does neither again.
    const rows = await this.db.query(
      `WITH note AS (
         INSERT INTO request_notes (reference, at, author, kind, text, event_key)
         SELECT reference, $3, $4, $5, $6, $7 FROM service_requests WHERE reference = $1
         ON CONFLICT (event_key) DO NOTHING RETURNING reference
       )
       UPDATE service_requests SET
         status = $2,
         updated_at = GREATEST(updated_at, $3::timestamptz),
         closed_at = CASE WHEN $2 = 'closed' THEN COALESCE(closed_at, $3::timestamptz) ELSE NULL END,
         status_description = COALESCE($8, status_description)
       WHERE reference = $1 AND EXISTS (SELECT 1 FROM note)
         -- Only forward (open, acknowledged, closed) when asked: a late acknowledgement never reopens,
         -- and a late "fixed" never closes what a department reopened after it.
         AND NOT ($9::boolean AND (status = 'closed' OR (status = 'acknowledged' AND $2 = 'open')
           OR EXISTS (SELECT 1 FROM request_notes WHERE reference = $1 AND kind = 'open' AND at > $3::timestamptz)))
       RETURNING ${REQUEST_COLUMNS}`,
      [
        reference,
        change.status,
        change.at,
        change.by,
        change.noteKind ?? change.status,
        change.note ?? "",
        change.key ?? null,
        change.description ?? null,
        change.forwardOnly ?? false,
      ],
    );
    if (rows[0]) return requestFromRow(rows[0]);
    return (await this.request(reference))?.request ?? null;
  }

  async addNote(reference: string, note: RequestNote, key?: string): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO request_notes (reference, at, author, kind, text, event_key)
       SELECT reference, $2, $3, $4, $5, $6 FROM service_requests WHERE reference = $1
       ON CONFLICT (event_key) DO NOTHING RETURNING id`,
      [reference, note.at, note.author, note.kind, note.text, key ?? null],
    );
    return rows.length > 0;
  }

  async openIncident(incident: { reference: string; category: string; openedAt: string }): Promise<void> {
    await this.db.query("INSERT INTO incidents (reference, category, opened_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [
      incident.reference,
      incident.category,
      incident.openedAt,
    ]);
  }

  async incidentEvent(reference: string, event: IncidentEvent): Promise<void> {
    // An event can be handed over before the report that opened its incident is written (the
    // report's job waiting out a longer retry after an outage, or cut between keeping the
    // incident and its request): wait for both, as a retry, or the request would miss the event.
    const [known] = await this.db.query("SELECT 1 FROM incidents WHERE reference = $1 AND EXISTS (SELECT 1 FROM service_requests WHERE incident = $1)", [reference]);
    if (!known) throw new RecordNotYetKeptError(`incident ${reference} is not kept yet: its event is written once its report is`);
    switch (event.kind) {
      case "acknowledged":
        await this.db.query(
          "UPDATE incidents SET acknowledged_at = LEAST(COALESCE(acknowledged_at, $2::timestamptz), $2::timestamptz), acknowledged_by = COALESCE(acknowledged_by, $3) WHERE reference = $1",
          [reference, event.at, event.name ?? null],
        );
        return;
      case "resolved":
        await this.db.query("UPDATE incidents SET resolved_at = COALESCE(resolved_at, $2::timestamptz), resolved_by = COALESCE(resolved_by, $3) WHERE reference = $1", [
          reference,
          event.at,
          event.name ?? null,
        ]);
        return;
      case "paged":
        // Step 0 is the first person; every later step paged is an escalation.
        await this.db.query("UPDATE incidents SET escalations = GREATEST(escalations, $2) WHERE reference = $1", [reference, event.step ?? 0]);
        return;
      case "alarm":
        await this.db.query("UPDATE incidents SET alarm = true WHERE reference = $1", [reference]);
        return;
      default:
        return;
    }
  }

  async incident(reference: string): Promise<IncidentRecord | null> {
    const [row] = await this.db.query("SELECT * FROM incidents WHERE reference = $1", [reference]);
    if (!row) return null;
    return {
      reference: String(row.reference),
      category: String(row.category),
      openedAt: iso(row.opened_at),
      acknowledgedAt: isoOrNull(row.acknowledged_at),
      acknowledgedBy: text(row.acknowledged_by),
      resolvedAt: isoOrNull(row.resolved_at),
      resolvedBy: text(row.resolved_by),
      escalations: Number(row.escalations),
      alarm: Boolean(row.alarm),
    };
  }

  async highestReference(): Promise<number> {
    const [row] = await this.db.query<{ highest: number | null }>("SELECT max(reference::bigint) AS highest FROM service_requests WHERE reference ~ '^[0-9]{1,15}$'");
    return row?.highest ?? 0;
  }

  /**
   * In batches, each its own statement: the first run on years of calls neither holds one long
   * transaction on a server nor keeps the embedded database from everyone else meanwhile. A call
   * started before it ended, so `started_at`'s index finds the candidates.
   */
  async removeCallsEndedBefore(before: string, batchSize = RETENTION_BATCH): Promise<number> {
    let removed = 0;
    for (;;) {
      const [row] = await this.db.query<{ removed: number }>(
        `WITH gone AS (
           DELETE FROM calls WHERE call_sid IN (
             SELECT call_sid FROM calls WHERE started_at < $1 AND ended_at < $1 LIMIT $2
           ) RETURNING 1
         )
         SELECT count(*)::int AS removed FROM gone`,
        [before, batchSize],
      );
      removed += row!.removed;
      if (row!.removed < batchSize) return removed;
    }
  }
}
