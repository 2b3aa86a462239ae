import type { IncidentEvent } from "../domain/oncall/incident.js";
import type { IncidentStore, OpenResult, RecordKeeper } from "../domain/ports.js";
import type { UrgentReport } from "../domain/report.js";
import type { Logger } from "../logger.js";

/** The events the City's records count; the rest stay with the incident in Redis. */
const KEPT: ReadonlySet<IncidentEvent["kind"]> = new Set(["acknowledged", "resolved", "paged", "alarm", "page-failed", "bad-number"]);

/**
 * The incident store, with every report it takes and every event that counts handed on to the
 * records. The dispatcher and the crew desk stay as they are: what they do to incidents is what
 * the City keeps.
 *
 * A report is handed on before the dispatcher goes on (a failure fails its job, which is retried
 * and hands it on again: the records keep it once). An event that could not be handed on is
 * logged with everything in it, and the page or the crew's reply goes on: a record must never
 * stop a page.
 */
export function recordingIncidentStore(store: IncidentStore, keeper: RecordKeeper, log: Logger): IncidentStore {
  const events = async (reference: string, event: IncidentEvent) => {
    if (!KEPT.has(event.kind)) return;
    try {
      await keeper.keep({ type: "incident-event", incident: reference, event });
    } catch (error) {
      log.error({ err: error, incident: reference, event }, "records: an incident's event could not be handed to the records (the incident itself has it)");
    }
  };
  return Object.assign(Object.create(store) as IncidentStore, {
    async openOrJoin(report: UrgentReport, placeKey: string, now: string, joinWindowMs: number): Promise<OpenResult> {
      const result = await store.openOrJoin(report, placeKey, now, joinWindowMs);
      // Handed on every time, a retried job too (the first try may have failed just after opening).
      await keeper.keep({ type: "report-filed", report, incident: result.reference });
      return result;
    },
    async addEvent(reference: string, event: IncidentEvent): Promise<void> {
      await store.addEvent(reference, event);
      await events(reference, event);
    },
  });
}
