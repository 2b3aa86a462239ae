import type { DateTime } from "luxon";
import type { IncidentStore } from "../domain/ports.js";
import type { PlannedStep } from "../domain/oncall/incident.js";
import { alarmSms, moreReportsSms, pageSms, residentSms } from "../domain/oncall/messages.js";
import { PagerError, type Pager } from "../domain/oncall/pager.js";
import { placeKey } from "../domain/oncall/place.js";
import { escalationPlan, type CategoryRoster, type Roster } from "../domain/oncall/roster/index.js";
import type { UrgentReport } from "../domain/report.js";
import type { Logger } from "../logger.js";
import { voicePageUrl } from "./voice-page-urls.js";
import { JOBS, moreReportsJobId, notifyResidentsJobId, pageJobId, type JobScheduler, type PageJob } from "./jobs.js";

export interface DispatcherDependencies {
  roster: Roster;
  incidents: IncidentStore;
  pager: Pager;
  jobs: JobScheduler;
  clock: () => DateTime;
  log: Logger;
  /** Base URL of this line, for the voice page's TwiML. */
  publicUrl: string;
  /** "N more reports" goes out at most once per this window. @defaultValue 5 minutes */
  updateWindowMs?: number;
}

/**
 * The worker's decisions: open or join an incident for each report, page the chain one step at
 * a time until someone acknowledges, tell the holder about repeat reports, tell residents when a
 * crew has it. Each method is one BullMQ job; the pager only sends.
 */
export class Dispatcher {
  private readonly updateWindowMs: number;

  constructor(private readonly deps: DispatcherDependencies) {
    this.updateWindowMs = deps.updateWindowMs ?? 5 * 60_000;
  }

  /** A new urgent report: a new incident and its first page, or one more report of an open one. */
  async report(report: UrgentReport): Promise<string> {
    const { incidents, jobs, log, clock } = this.deps;
    const now = clock();
    const plan = this.planFor(report.category, now);
    // A recorded place cannot be compared with another: such reports always open their own incident.
    const key = report.recordingUrl ? "" : placeKey(report.location);
    const opened = await incidents.openOrJoin(report, key, plan, now.toISO()!);
    if (opened.outcome === "joined") {
      if ((await incidents.get(opened.reference))?.status !== "open") {
        // A crew already has it: this resident hears so now, as the first ones did.
        await jobs.add(JOBS.notifyResidents, { reference: opened.reference }, { jobId: `${notifyResidentsJobId(opened.reference)}-${report.reference}` });
      }
      const window = Math.floor(now.toMillis() / this.updateWindowMs);
      const delay = (window + 1) * this.updateWindowMs - now.toMillis();
      await jobs.add(JOBS.moreReports, { reference: opened.reference }, { jobId: moreReportsJobId(opened.reference, window), delay });
      log.info({ reference: report.reference, incident: opened.reference }, "report joined an open incident: no new page chain");
      return `joined ${opened.reference}`;
    }
    if (plan[0]?.role === "supervisor") {
      log.warn({ reference: report.reference, category: report.category }, "nobody is on call for this category: paging the supervisor");
    }
    if (!this.crew(report.category)) {
      log.error({ reference: report.reference, category: report.category }, "no crew for this category: paging every supervisor");
    }
    await jobs.add(JOBS.page, { reference: opened.reference, step: 0 }, { jobId: pageJobId(opened.reference, 0) });
    return `incident ${opened.reference}`;
  }

  /**
   * One step of the chain. Stops when the incident has been taken. Pages by each of the person's
   * channels not yet sent, then schedules the next step: after the wait, or at once when the
   * number could not take the page. A temporary failure throws, so BullMQ retries the step.
   */
  async page(job: PageJob, finalAttempt = false): Promise<string> {
    try {
      return await this.pageStep(job);
    } catch (error) {
      // The provider has failed this step on every attempt: the chain must not stop here.
      if (finalAttempt) {
        this.deps.log.error({ reference: job.reference, step: job.step, err: errorMessage(error) }, "page step failed every attempt: moving on");
        await this.scheduleStep(job.reference, job.step + 1, 0);
      }
      throw error;
    }
  }

  private async pageStep(job: PageJob): Promise<string> {
    const { incidents, pager, log } = this.deps;
    const incident = await incidents.get(job.reference);
    if (!incident) return "no such incident";
    if (incident.status !== "open") return `stopped: ${incident.status}`;
    const report = incident.reports[0]!;
    const label = this.crew(incident.category)?.label ?? incident.category;
    if (job.step > incident.plan.length) return "chain over";
    const step = incident.plan[job.step];
    if (!step) return this.alarm(incident.reference, report, label);

    // Before the page goes out: a reply of a bare ACK may come back faster than the provider answers us.
    await incidents.setLatestPage(step.phone, incident.reference);
    let reached = 0;
    for (const channel of step.channels) {
      if (await incidents.wasSent(incident.reference, step.index, channel)) {
        reached++;
        continue;
      }
      try {
        if (channel === "sms") await pager.sendSms(step.phone, pageSms(report, label, this.deps.roster.zone));
        else await pager.placeCall(step.phone, this.voicePageUrl(incident.reference, step.index));
      } catch (error) {
        if (error instanceof PagerError && error.failure === "bad-number") {
          log.warn(
            { reference: incident.reference, name: step.name, number: step.phone, channel, code: error.detail.code, failure: error.failure },
            "page could not be delivered to this number: the roster needs fixing",
          );
          await incidents.addEvent(incident.reference, this.event("bad-number", step, channel, error.message));
          continue;
        }
        throw error;
      }
      await incidents.markSent(incident.reference, step.index, channel);
      await incidents.addEvent(incident.reference, this.event("paged", step, channel));
      reached++;
    }
    log.info({ reference: incident.reference, step: step.index, role: step.role, name: step.name, reached }, "paged");
    await this.scheduleStep(incident.reference, step.index + 1, reached > 0 ? step.waitMs : 0);
    return `paged ${step.name}`;
  }

  /** "N more reports" to whoever holds the incident. */
  async moreReports(reference: string): Promise<string> {
    const { incidents } = this.deps;
    const incident = await incidents.get(reference);
    if (!incident || incident.status === "resolved") return "nothing to tell";
    const holder = [...incident.events].reverse().find((event) => event.kind === "acknowledged" || event.kind === "paged");
    if (!holder?.phone) return "nobody paged yet";
    const count = await incidents.unsummarized(reference);
    if (count === 0) return "no new reports";
    // Counted off only once sent: a retried job tells the same news rather than none.
    if (await this.deliver(reference, holder.phone, moreReportsSms(reference, count))) {
      await incidents.addEvent(reference, { at: this.now(), kind: "update", phone: holder.phone, detail: `${count} more` });
    }
    await incidents.markSummarized(reference, count);
    return `told ${holder.name ?? "holder"} of ${count}`;
  }

  /** Each reporting resident (once per number) hears that a crew has their report. */
  async notifyResidents(reference: string): Promise<string> {
    const { incidents } = this.deps;
    const incident = await incidents.get(reference);
    if (!incident) return "no such incident";
    if (this.crew(incident.category)?.notifyResident === false) return "not for this category";
    let sent = 0;
    for (const report of incident.reports) {
      const number = report.callbackNumber;
      if (!number || (await incidents.wasSent(reference, -1, `resident-${number}`))) continue;
      if (await this.deliver(reference, number, residentSms(report.reference))) {
        await incidents.addEvent(reference, { at: this.now(), kind: "resident-notified", phone: number });
        sent++;
      }
      await incidents.markSent(reference, -1, `resident-${number}`);
    }
    return `told ${sent} residents`;
  }

  private async alarm(reference: string, report: UrgentReport, label: string): Promise<string> {
    const { incidents, log } = this.deps;
    log.error({ reference, category: report.category }, "ALARM: nobody acknowledged after every round of pages");
    const known = Boolean(this.crew(report.category));
    if (await incidents.markSent(reference, -2, "alarm")) {
      await incidents.addEvent(reference, { at: this.now(), kind: "alarm", detail: known ? "supervisor alerted" : "unknown category: every supervisor alerted" });
    }
    for (const supervisor of this.supervisorsFor(report.category)) {
      if (await incidents.wasSent(reference, -2, `alarm-${supervisor.phone}`)) continue;
      await incidents.setLatestPage(supervisor.phone, reference);
      await this.deliver(reference, supervisor.phone, alarmSms(report, label));
      await incidents.markSent(reference, -2, `alarm-${supervisor.phone}`);
    }
    return "alarm";
  }

  /**
   * Sends one SMS that is not a step of the chain. A number that cannot take it is recorded on
   * the incident and skipped (false); a temporary failure throws, so the job is retried.
   */
  private async deliver(reference: string, to: string, body: string): Promise<boolean> {
    try {
      await this.deps.pager.sendSms(to, body);
      return true;
    } catch (error) {
      if (!(error instanceof PagerError && error.failure === "bad-number")) throw error;
      this.deps.log.warn({ reference, number: to, code: error.detail.code }, "SMS could not be delivered to this number");
      await this.deps.incidents.addEvent(reference, { at: this.now(), kind: "bad-number", phone: to, channel: "sms", detail: error.message });
      return false;
    }
  }

  private now(): string {
    return this.deps.clock().toISO()!;
  }

  private async scheduleStep(reference: string, step: number, delay: number): Promise<void> {
    await this.deps.jobs.add(JOBS.page, { reference, step }, { jobId: pageJobId(reference, step), delay });
  }

  private planFor(category: string, now: DateTime): PlannedStep[] {
    const { roster } = this.deps;
    const steps = this.crew(category)
      ? escalationPlan(roster, category, now)
      : this.supervisorsFor(category).map((member, index) => ({ index, round: 1, role: "supervisor" as const, member, waitMs: 10 * 60_000 }));
    return steps.map((step) => ({
      index: step.index,
      round: step.round,
      role: step.role,
      memberId: step.member.id,
      name: step.member.name,
      phone: step.member.phone,
      channels: [...step.member.channels],
      waitMs: step.waitMs,
    }));
  }

  /** The crew of a category, if the roster has one (never an inherited property of the object). */
  private crew(category: string): CategoryRoster | undefined {
    return Object.hasOwn(this.deps.roster.categories, category) ? this.deps.roster.categories[category] : undefined;
  }

  /** The category's supervisor; every supervisor when the category has no crew. */
  private supervisorsFor(category: string) {
    const { roster } = this.deps;
    const own = this.crew(category);
    if (own) return [own.supervisor];
    const all = new Map(Object.values(roster.categories).map((crew) => [crew.supervisor.phone, crew.supervisor]));
    return [...all.values()];
  }

  private voicePageUrl(reference: string, step: number): string {
    return voicePageUrl(this.deps.publicUrl, reference, step);
  }

  private event(kind: "paged" | "bad-number", step: PlannedStep, channel: "sms" | "voice", detail?: string) {
    return {
      at: this.now(),
      kind,
      step: step.index,
      name: step.name,
      phone: step.phone,
      channel,
      ...(detail ? { detail } : {}),
    };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
