import { DateTime } from "luxon";
import type { Departments } from "../domain/departments.js";
import { departmentFor } from "../domain/departments.js";
import type { Hours } from "../domain/hours/index.js";
import { lineStatus } from "../domain/hours/index.js";
import type { IncidentEvent } from "../domain/oncall/incident.js";
import type { RecordEvent, RecordStore } from "../domain/ports.js";
import { requestFromReport, requestFromVoicemail, type ServiceRequest } from "../domain/records.js";
import type { RecordsProcessor } from "../adapters/bullmq/record-queue.js";
import { readableServiceName, type ServiceNames } from "../domain/service-names.js";
import type { DeliveryQueue } from "../domain/open311/delivery.js";
import type { Logger } from "../logger.js";

export interface RecordWriterOptions {
  store: RecordStore;
  /** The live departments and hours (they change when a supervisor publishes). */
  departments: () => Departments;
  hours: () => Hours;
  /**
   * The names supervisors know the services by (`serviceNamesOf` the live definitions): a
   * voicemail's request says the queue it was left from by name, since residents and departments
   * read it. The codes in words without it.
   */
  serviceNames?: () => ServiceNames;
  /** New requests go on to their department's system (when it has an endpoint) from here; absent, they are only kept. */
  delivery?: DeliveryQueue;
  /**
   * Told when a request's reference is already kept for another request: the reference counter
   * in Redis was lost and started again. It raises the counter above the records' highest.
   */
  onReferenceReused?: (highest: number) => Promise<void>;
  /** Call records older than this many days are removed by the nightly job. */
  retentionDays: number;
  clock: () => DateTime;
  log: Logger;
}

/** What an incident's events do to the requests of the incident. */
const REQUEST_STATUS_OF: Partial<Record<IncidentEvent["kind"], "acknowledged" | "closed">> = { acknowledged: "acknowledged", resolved: "closed" };

/**
 * The worker's side of the records: turns each event handed over through Redis into rows.
 * Every write is idempotent, so a job retried after a failure (the database down, the worker
 * killed mid-job) writes nothing twice.
 */
export class RecordWriter implements RecordsProcessor {
  constructor(private readonly options: RecordWriterOptions) {}

  async write(event: RecordEvent): Promise<void> {
    switch (event.type) {
      case "call-ended":
        return this.callEnded(event.call);
      case "report-filed":
        return this.reportFiled(event.report, event.incident);
      case "incident-event":
        return this.incidentEvent(event.incident, event.event);
    }
  }

  async removeExpired(): Promise<number> {
    const before = this.options.clock().minus({ days: this.options.retentionDays }).toUTC().toISO()!;
    return this.options.store.removeCallsEndedBefore(before);
  }

  private department(service: string): string | null {
    return departmentFor(this.options.departments(), service)?.name ?? null;
  }

  private async callEnded(call: Extract<RecordEvent, { type: "call-ended" }>["call"]): Promise<void> {
    await this.options.store.addCall(call);
    const queueName = call.queue ? (this.options.serviceNames?.() ?? readableServiceName)(call.queue.name) : undefined;
    const voicemail = requestFromVoicemail(call, this.department("callback"), queueName);
    if (voicemail) await this.addRequest(voicemail);
  }

  private async reportFiled(report: Extract<RecordEvent, { type: "report-filed" }>["report"], incident: string): Promise<void> {
    const { store } = this.options;
    if (incident === report.reference) await store.openIncident({ reference: incident, category: report.category, openedAt: report.receivedAt });
    // As the call said when it started (its override included); worked out from the hours for a report that does not say.
    const afterHours = report.afterHours ?? !lineStatus(this.options.hours(), DateTime.fromISO(report.receivedAt, { setZone: true })).open;
    const request = requestFromReport(report, { incident, department: this.department(report.category), afterHours });
    await this.addRequest(request);
    // A report that joined an incident a crew member already took (or fixed) is taken with it.
    const taken = incident === report.reference ? null : await store.incident(incident);
    if (taken?.acknowledgedAt) {
      await store.changeStatus(request.reference, {
        status: "acknowledged",
        at: request.requestedAt,
        by: taken.acknowledgedBy ?? "crew",
        note: `Joined incident ${incident}, which ${taken.acknowledgedBy ?? "the crew"} had taken.`,
        key: `${request.reference}-joined-acknowledged`,
        forwardOnly: true,
      });
    }
    if (taken?.resolvedAt) {
      await store.changeStatus(request.reference, {
        status: "closed",
        at: taken.resolvedAt,
        by: taken.resolvedBy ?? "crew",
        note: `Incident ${incident} was marked fixed by ${taken.resolvedBy ?? "the crew"}.`,
        key: `${request.reference}-joined-resolved`,
        forwardOnly: true,
      });
    }
  }

  private async addRequest(filed: ServiceRequest): Promise<void> {
    const { store, log } = this.options;
    let request = filed;
    if (!(await store.addRequest(request))) {
      const kept = (await store.request(request.reference))?.request;
      if (kept && kept.callSid !== request.callSid) {
        // Not a retry: another call's request holds the reference (the counter in Redis started
        // again). This one is kept under the reference and its call's last characters, said loudly.
        request = { ...request, reference: `${filed.reference}-${(filed.callSid ?? filed.requestedAt).slice(-6)}` };
        log.error(
          { reference: filed.reference, keptAs: request.reference, callSid: filed.callSid },
          "records: this reference was given before to another request (the reference counter in Redis started again): kept under another reference; the counter is raised",
        );
        await store.addRequest(request);
        await this.options.onReferenceReused?.(await store.highestReference());
      }
    }
    // Asked again when a job is retried (it may have failed between the two): the delivery
    // queue's job id makes it one delivery.
    const department = departmentFor(this.options.departments(), request.service);
    if (department?.endpoint) await this.options.delivery?.deliver(request, department);
  }

  private async incidentEvent(incident: string, event: IncidentEvent): Promise<void> {
    const { store } = this.options;
    await store.incidentEvent(incident, event);
    const note = noteOf(event);
    const requests = await store.requests({ incident, limit: 1_000 });
    const status = REQUEST_STATUS_OF[event.kind];
    for (const request of requests) {
      const key = `${request.reference}-${event.kind}-${event.step ?? "x"}-${event.channel ?? "x"}-${event.at}`;
      if (status) {
        await store.changeStatus(request.reference, { status, at: event.at, by: event.name ?? "crew", note, key, forwardOnly: true });
      } else if (request.reference === incident) {
        // Pages and alarms are told once, on the incident's own request.
        await store.addNote(request.reference, { at: event.at, author: event.name ?? "line", kind: event.kind, text: note }, key);
      }
    }
  }
}

/** An incident's event in plain words, as a note on its requests. */
function noteOf(event: IncidentEvent): string {
  const who = event.name ?? "someone";
  const via = event.channel ? ` by ${event.channel === "sms" ? "text" : "voice call"}` : "";
  switch (event.kind) {
    case "acknowledged":
      return `${who} took it${via}.`;
    case "resolved":
      // A supervisor's or department's close says where it came from ("request 100123 closed from the command line").
      return `${who} marked it fixed${via}${event.detail ? ` (${event.detail})` : ""}.`;
    case "paged":
      return `Paged ${who}${via}${event.step && event.step > 0 ? ` (escalation, step ${event.step + 1})` : ""}.`;
    case "alarm":
      return `Nobody answered the pages: the supervisors' alarm was raised${event.detail ? ` (${event.detail})` : ""}.`;
    case "page-failed":
      return `A page to ${who}${via} could not be sent${event.detail ? `: ${event.detail}` : ""}.`;
    case "bad-number":
      return `${who}'s number was refused${event.detail ? `: ${event.detail}` : ""}.`;
    case "resident-notified":
      return "The caller was told a crew has it.";
    case "update":
      return `The crew was told of ${event.detail ?? "more reports"}.`;
    case "skipped":
      return `Not sent to ${who}${via}${event.detail ? `: ${event.detail}` : ""}.`;
  }
}
