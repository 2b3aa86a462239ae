import type { DateTime } from "luxon";
import type { IncidentStore } from "../domain/ports.js";
import type { Incident } from "../domain/oncall/incident.js";
import type { OncallObserver } from "../domain/observers.js";
import { alarmSms, crewReplies, moreReportsSms, pageSms, residentSms, unhandledReportSms, type UnhandledReport } from "../domain/oncall/messages.js";
import { PagerError, PagerStoppedError, SendWithdrawnError, type PagePriority, type Pager, type SendOptions } from "../domain/oncall/pager.js";
import { placeKey } from "../domain/oncall/place.js";
import {
  chainLength,
  chainStep,
  DEFAULT_REPEATS_JOIN_FOR_MS,
  everySupervisor,
  whoIsOnCall,
  type CategoryRoster,
  type ChainOptions,
  type Channel,
  type Member,
  type Roster,
} from "../domain/oncall/roster/index.js";
import type { UrgentReport } from "../domain/report.js";
import type { Logger } from "../logger.js";
import { categoryLabel } from "./labels.js";
import { voicePageUrl } from "./voice-page-urls.js";
import { JOBS, moreReportsJobId, notifyResidentsJobId, pageJobId, reportAlarmJobId, type JobScheduler, type PageJob } from "./jobs.js";

/** The mark step of the final alarm's pages (residents' SMS use -1). */
const ALARM_STEP = -2;
/** The mark step of the alarm for a report that could not be handled at all. */
const UNHANDLED_STEP = -3;

/**
 * A "N more reports" job ran before anyone was paged (the report joined within moments of the
 * first): thrown so BullMQ's backoff runs it again once the first page is out.
 */
export class NotPagedYetError extends Error {
  override readonly name = "NotPagedYetError";
  constructor(reference: string) {
    super(`nobody has been paged for ${reference} yet: the update is retried`);
  }
}

/** One person to page by their channels, and the marks that keep a retried job from paging them twice. */
interface PageTarget {
  reference: string;
  /** What the incident's sends are named by: {@link sendKeyOf}. */
  sendKey: string;
  /** The plan step the marks and events belong to; {@link ALARM_STEP} for the alarm. */
  step: number;
  /** Prefix of the marks, where one step pages more than one person (the alarm). */
  tag: string;
  name: string;
  phone: string;
  channels: readonly Channel[];
  sms: string;
  voiceUrl: string;
  /** Where its sends wait under the sending limits. */
  priority: PagePriority;
  /**
   * When its sends are dropped at their turn (see `whyStale`): an escalation's once the incident
   * was taken or fixed, a first page's only once it was fixed.
   */
  droppable: "first-page" | "escalation";
}

export interface DispatcherDependencies {
  /** The roster to page from, until {@link Dispatcher.useRoster} gives a newer one. */
  roster: Roster;
  incidents: IncidentStore;
  pager: Pager;
  /**
   * What residents' SMS ("a crew has your report") go out through: a pager with the residents'
   * sender number, so crews and residents text different numbers.
   * @defaultValue `pager`
   */
  residentPager?: Pager;
  jobs: JobScheduler;
  clock: () => DateTime;
  log: Logger;
  /** Base URL of this line, for the voice page's TwiML. */
  publicUrl: string;
  /** "N more reports" goes out at most once per this window. @defaultValue 5 minutes */
  updateWindowMs?: number;
  /** Told of each report, page attempt and alarm (the operators' metrics). */
  observe?: Pick<OncallObserver, "reportFiled" | "paged" | "alarmRaised">;
}

/**
 * The worker's decisions: open or join an incident for each report, page the chain one step at
 * a time until someone acknowledges, tell the holder about repeat reports, tell residents when a
 * crew has it. Each method is one BullMQ job; the pager only sends.
 */
export class Dispatcher {
  private readonly updateWindowMs: number;
  private roster: Roster;

  constructor(private readonly deps: DispatcherDependencies) {
    this.updateWindowMs = deps.updateWindowMs ?? 5 * 60_000;
    this.roster = deps.roster;
  }

  /** Pages from a newly published roster from now on; steps already worked out keep who they paged. */
  useRoster(roster: Roster): void {
    this.roster = roster;
  }

  /** A new urgent report: a new incident and its first page, or one more report of an open one. */
  async report(report: UrgentReport): Promise<string> {
    const { incidents, jobs, log, clock } = this.deps;
    const now = clock();
    // A recorded place cannot be compared with another: such reports always open their own incident.
    const key = report.recordingUrl ? "" : placeKey(report.location);
    const joinWindowMs = this.crew(report.category)?.repeatsJoinForMs ?? DEFAULT_REPEATS_JOIN_FOR_MS;
    const opened = await incidents.openOrJoin(report, key, now.toISO()!, joinWindowMs);
    // A retried job finds its own incident ("existing"): counted when it first opened it.
    if (opened.outcome !== "existing") this.deps.observe?.reportFiled(report.category, opened.outcome);
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
    const crew = this.crew(report.category);
    if (!crew) {
      log.error({ reference: report.reference, category: report.category }, "no crew for this category: paging every supervisor");
    } else if (report.pageSupervisor) {
      log.warn({ reference: report.reference, category: report.category }, "the caller could not use the menu: paging the supervisor with the recording");
    } else if (!whoIsOnCall(this.roster, report.category, now).primary) {
      log.warn({ reference: report.reference, category: report.category }, "nobody is on call for this category: paging the supervisor");
    }
    await jobs.add(JOBS.page, { reference: opened.reference, step: 0 }, { jobId: pageJobId(opened.reference, 0) });
    return `incident ${opened.reference}`;
  }

  /**
   * One step of the chain. Stops when the incident has been taken. Pages by each of the person's
   * channels not yet sent, then schedules the next step: after the wait, or at once when the
   * number could not take the page. A failure throws, so BullMQ retries the step; after the
   * final attempt, or when the provider rejected us (retrying cannot help), the chain moves on.
   */
  async page(job: PageJob, finalAttempt = false): Promise<string> {
    try {
      return await this.pageStep(job);
    } catch (error) {
      // Moved on here, before BullMQ marks the job failed, so a worker that dies next loses nothing.
      // A worker stopping has failed nothing: the next worker takes the step up where it was.
      if (!(error instanceof PagerStoppedError) && (finalAttempt || (error instanceof PagerError && error.failure === "rejected"))) {
        await this.pageFailedForGood(job, errorMessage(error));
      }
      throw error;
    }
  }

  /**
   * A page step that will not be tried again (every attempt failed, the provider rejected us, or
   * the job stalled too often): the chain must not stop here. The next step comes after the wait
   * when any channel of this one got through or is still on its way, at once when none did.
   * Called by the job itself and again by the worker when BullMQ fails the job for good; the next
   * step's job id comes from the incident and step, so the second call adds nothing.
   */
  async pageFailedForGood(job: PageJob, reason: string): Promise<void> {
    const { incidents, log } = this.deps;
    const incident = await incidents.get(job.reference);
    if (incident?.status !== "open") return;
    // Past the chain is the alarm: nothing follows it.
    if (job.step >= this.chainLength(incident)) return;
    const step = incident.plan.find((planned) => planned.index === job.step);
    // Failed before it knew whom to page: the next step, at once.
    if (!step) return this.scheduleStep(job.reference, job.step + 1, 0);
    // A page still waiting its turn under the sending limits (the job stalled as its workers
    // died, not the send) reaches them all the same: the next person is paged after the wait, not
    // beside them. It is not marked sent here: whoever sent it was not this job.
    let reached = 0;
    let underway = 0;
    for (const channel of step.channels) {
      if (await incidents.wasSent(job.reference, step.index, channel)) reached++;
      else if (await this.stillUnderway(incident, step.index, channel)) underway++;
    }
    // A warning: the worker logs the failure itself as the error.
    log.warn({ reference: job.reference, step: step.index, name: step.name, reached, underway, err: reason }, "page step failed for good: the chain moves on");
    await this.scheduleStep(job.reference, step.index + 1, reached + underway > 0 ? step.waitMs : 0);
  }

  /**
   * Whether the step's page by `channel` is still on its way (queued, or sent by whoever held it).
   * When that cannot be told, no: the next person is paged at once rather than not at all.
   */
  private async stillUnderway(incident: Incident, step: number, channel: Channel): Promise<boolean> {
    try {
      return (await this.deps.pager.underway?.(pageKeyOf(sendKeyOf(incident), step, "", channel))) ?? false;
    } catch (error) {
      this.deps.log.warn({ reference: incident.reference, step, channel, err: errorMessage(error) }, "could not tell whether a page is still on its way: the chain moves on as if it were not");
      return false;
    }
  }

  private async pageStep(job: PageJob): Promise<string> {
    const { incidents, log } = this.deps;
    const incident = await incidents.get(job.reference);
    if (!incident) return "no such incident";
    if (incident.status !== "open") return `stopped: ${incident.status}`;
    const report = incident.reports[0]!;
    const label = categoryLabel(this.roster, incident.category);
    // A roster published mid-chain may have shortened it (fewer rounds, a step removed): a step
    // past its new end is the alarm, never a silent stop. The alarm goes out once whatever asks.
    const length = this.chainLength(incident);
    if (job.step >= length) return this.alarm(incident, label);

    // Who this step pages is worked out now, from the roster as it is, and kept: a retry pages
    // the same person, and the voice page's step says who pressed 1.
    let step = incident.plan.find((planned) => planned.index === job.step);
    if (!step) {
      const previous = incident.plan.filter((planned) => planned.index < job.step).at(-1) ?? null;
      const next = chainStep(this.roster, incident.category, job.step, this.deps.clock(), previous, this.chainOptions(incident));
      switch (next.kind) {
        case "end":
          return this.alarm(incident, label);
        case "nobody":
          log.info({ reference: incident.reference, step: job.step, role: next.role }, "nobody holds this role now: the next step follows at once");
          await this.scheduleStep(incident.reference, job.step + 1, 0);
          return `nobody is ${next.role}`;
        case "same-person":
          log.info({ reference: incident.reference, step: job.step, role: next.role, name: next.member.name }, "paged already as the step before: given this step's wait too");
          await this.scheduleStep(incident.reference, job.step + 1, next.waitMs);
          return `${next.member.name} again: waiting`;
        case "page":
          step = await incidents.recordStep(incident.reference, {
            index: next.step.index,
            round: next.step.round,
            role: next.step.role,
            memberId: next.step.member.id,
            name: next.step.member.name,
            phone: next.step.member.phone,
            channels: [...next.step.member.channels],
            waitMs: next.step.waitMs,
          });
      }
    }

    const reached = await this.pageBy({
      reference: incident.reference,
      sendKey: sendKeyOf(incident),
      step: step.index,
      tag: "",
      name: step.name,
      phone: step.phone,
      channels: step.channels,
      sms: pageSms(report, label, this.roster.zone),
      voiceUrl: this.voicePageUrl(incident.reference, step.index),
      // The incident's first page (the first step that paged anyone) goes before every escalation,
      // and goes unless the incident is fixed while it waits; an escalation is dropped if it is taken.
      ...(incident.plan.some((planned) => planned.index < step.index) ? { priority: "escalation", droppable: "escalation" } : { priority: "first-page", droppable: "first-page" }),
    });
    if (reached === null || !(await this.isOpen(incident.reference))) return "stopped: taken while paging";
    log.info({ reference: incident.reference, step: step.index, role: step.role, name: step.name, reached }, "paged");
    await this.scheduleStep(incident.reference, step.index + 1, reached > 0 ? step.waitMs : 0);
    return `paged ${step.name}`;
  }

  /**
   * Pages one person by each of their channels not yet tried, and says how many reached them;
   * null when the incident was taken meanwhile. A number that cannot take a channel is marked
   * too, so a retried job (another channel failed for a moment) skips it without counting it.
   */
  private async pageBy(target: PageTarget): Promise<number | null> {
    const { incidents, pager, log } = this.deps;
    const { reference, step, tag, phone } = target;
    let reached = 0;
    for (const channel of target.channels) {
      if (await incidents.wasSent(reference, step, `${tag}${channel}`)) {
        reached++;
        continue;
      }
      if (await incidents.wasSent(reference, step, `bad-${tag}${channel}`)) continue;
      // An acknowledgement can arrive while this job runs: a taken incident gets no more pages,
      // and the person's bare-ACK pointer stays on whatever they were paged for last.
      if (!(await this.isOpen(reference))) return null;
      // Before the page goes out: a reply of a bare ACK may come back faster than the provider answers us.
      await incidents.notePage(phone, reference, this.now());
      // The key makes a send of a job retried after it went out (before its mark) answer with that send.
      const send: SendOptions = {
        priority: target.priority,
        key: pageKeyOf(target.sendKey, step, tag, channel),
        droppable: { incident: reference, kind: target.droppable, ...(step >= 0 ? { step } : {}), name: target.name },
      };
      try {
        if (channel === "sms") await pager.sendSms(phone, target.sms, send);
        else await pager.placeCall(phone, target.voiceUrl, send);
      } catch (error) {
        // Taken while the page waited its turn: dropped, and noted on the incident, by the send queue.
        if (error instanceof SendWithdrawnError) return null;
        if (error instanceof PagerStoppedError) throw error;
        const badNumber = error instanceof PagerError && error.failure === "bad-number";
        this.deps.observe?.paged(channel, badNumber ? "bad-number" : "failed");
        if (!badNumber) throw error;
        log.warn(
          { reference, name: target.name, number: phone, channel, code: error.detail.code, failure: error.failure },
          "page could not be delivered to this number: the roster needs fixing",
        );
        if (await incidents.markSent(reference, step, `bad-${tag}${channel}`)) {
          await incidents.addEvent(reference, this.event("bad-number", target, channel, error.message));
        }
        continue;
      }
      this.deps.observe?.paged(channel, "sent");
      // Marked after the provider took the page, so a crash in between can at worst repeat one page.
      await incidents.markSent(reference, step, `${tag}${channel}`);
      await incidents.addEvent(reference, this.event("paged", target, channel));
      reached++;
    }
    return reached;
  }

  /**
   * "N more reports" to whoever holds the incident: who took it, else who was paged last. An
   * update written to someone else who was then beaten to it is dropped at its turn, and the
   * count goes to the one who took it.
   */
  async moreReports(reference: string): Promise<string> {
    const { incidents, log } = this.deps;
    const incident = await incidents.get(reference);
    if (!incident || incident.status === "resolved") return "nothing to tell";
    // The incident's own record of who took it comes first: its "acknowledged" event is added a
    // moment after.
    const holder = incident.acknowledgedByPhone
      ? { phone: incident.acknowledgedByPhone, name: incident.acknowledgedBy }
      : [...incident.events].reverse().find((event) => event.kind === "acknowledged" || event.kind === "paged");
    if (!holder?.phone) throw new NotPagedYetError(reference);
    const count = await incidents.unsummarized(reference);
    if (count === 0) return "no new reports";
    if (!this.channelsOf(holder.phone, incident).includes("sms")) {
      // A count changes nothing they do, so it is not worth a call at 2 a.m.: a voice-only holder
      // is not told. The reports stay uncounted, so a holder who takes SMS later hears of them.
      log.info({ reference, name: holder.name, count }, "the holder takes no SMS: the count of more reports is not sent");
      return "holder takes no SMS";
    }
    // Counted off only once sent: a retried job tells the same news rather than none, and the
    // news (how many reports there are, how many are new) names its send, so not twice.
    const send: SendOptions = {
      priority: "update",
      key: `more-${sendKeyOf(incident)}-${incident.reports.length}-${count}`,
      droppable: { incident: reference, kind: "more-reports" },
    };
    try {
      if (await this.deliver(reference, holder.phone, moreReportsSms(reference, count), send)) {
        await incidents.addEvent(reference, { at: this.now(), kind: "update", phone: holder.phone, detail: `${count} more` });
      }
    } catch (error) {
      // Taken by someone else (or fixed) while it waited its turn: the reports stay uncounted, for
      // whoever holds it now. The incident only moves on (taken, then fixed), so this ends.
      if (error instanceof SendWithdrawnError) return this.moreReports(reference);
      throw error;
    }
    await incidents.markSummarized(reference, count);
    return `told ${holder.name ?? "holder"} of ${count}`;
  }

  /**
   * Everyone else paged for the incident hears who took it (once each, by SMS: a call at 2 a.m. to
   * say "no need" is worse than none), so nobody else drives out to it.
   */
  async notifyTaken(reference: string): Promise<string> {
    const { incidents } = this.deps;
    const incident = await incidents.get(reference);
    if (!incident?.acknowledgedBy) return "not taken";
    const holder = incident.acknowledgedByPhone;
    const paged = new Set(incident.events.filter((event) => event.kind === "paged" && event.phone).map((event) => event.phone!));
    let told = 0;
    for (const phone of paged) {
      if (phone === holder || !this.channelsOf(phone, incident).includes("sms")) continue;
      // Claimed before sending, like the residents' SMS: a retry tells nobody twice.
      const mark = `taken-${phone}`;
      if (!(await incidents.markSent(reference, -1, mark))) continue;
      try {
        if (await this.deliver(reference, phone, crewReplies.takenByOther(reference, incident.acknowledgedBy), { priority: "update", key: `${mark}-${sendKeyOf(incident)}` })) told++;
      } catch (error) {
        await incidents.unmarkSent(reference, -1, mark);
        throw error;
      }
    }
    return `told ${told} others paged`;
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
      if (!number) continue;
      // Claimed before sending: the ACK's job and a joining report's job can run at once, and
      // each sees every resident. A crash between claim and send costs one confirmation, not two.
      const mark = `resident-${number}`;
      if (!(await incidents.markSent(reference, -1, mark))) continue;
      try {
        if (await this.deliver(reference, number, residentSms(report.reference), { priority: "resident", key: `${mark}-${sendKeyOf(incident)}` }, this.deps.residentPager)) {
          await incidents.addEvent(reference, { at: this.now(), kind: "resident-notified", phone: number });
          sent++;
        }
      } catch (error) {
        // Released, so the retry BullMQ makes of this job sends it.
        await incidents.unmarkSent(reference, -1, mark);
        throw error;
      }
    }
    return `told ${sent} residents`;
  }

  /**
   * A report whose job failed for good (every attempt, or one that cannot succeed): the crew may
   * never have been paged. Queues {@link unhandledReport} as a job of its own, so the alarm gets
   * BullMQ's retries even though the report's job has none left.
   */
  async raiseUnhandledReport(report: UnhandledReport, jobId: string, reason: string): Promise<void> {
    await this.deps.jobs.add(JOBS.reportAlarm, { report, reason, key: jobId }, { jobId: reportAlarmJobId(jobId) });
  }

  /**
   * The supervisors' alarm for a report that could not be handled: an SMS to the category's
   * supervisor (every supervisor for a category with no crew) with what was reported, so a person
   * pages the crew. Each SMS is claimed before it is sent, so a retried job texts nobody twice. No
   * alarm when the incident's own chain is running after all (an earlier attempt got that far).
   */
  async unhandledReport(report: UnhandledReport, reason: string, key: string): Promise<string> {
    const { incidents, log } = this.deps;
    const reference = report.reference ?? "unknown";
    const incidentReference = report.reference ? await incidents.lookup(report.reference) : null;
    const incident = incidentReference ? await incidents.get(incidentReference) : null;
    if (incident && (incident.status !== "open" || incident.plan.length > 0)) {
      log.warn({ reference, incident: incident.reference, err: reason }, "a report's job failed, but its incident is being paged: no alarm");
      return "chain running: no alarm";
    }
    const category = report.category ?? "";
    const sms = unhandledReportSms(report, categoryLabel(this.roster, category || "unknown"), this.roster.zone);
    let told = 0;
    for (const supervisor of this.supervisorsFor(category)) {
      // Marked by the failed job (one per call), which a report too malformed to have a reference has too.
      const mark = `unhandled-${key}-${supervisor.phone}`;
      if (!(await incidents.markSent(reference, UNHANDLED_STEP, mark))) continue;
      try {
        // As urgent as a first page: nobody has been paged for this report at all.
        if (await this.deliver(reference, supervisor.phone, sms, { priority: "first-page", key: `${mark}-${reference}` })) told++;
      } catch (error) {
        // Released, so the retry BullMQ makes of this job sends it.
        await incidents.unmarkSent(reference, UNHANDLED_STEP, mark);
        throw error;
      }
    }
    log.error({ reference, category, told }, "ALARM: supervisors texted about a report the crew was never paged for");
    this.deps.observe?.alarmRaised("unhandled-report");
    return `told ${told} supervisors`;
  }

  /** Every round went unanswered: an alarm in the logs, and the supervisor paged by their own channels. */
  private async alarm(incident: Incident, label: string): Promise<string> {
    const { incidents, log } = this.deps;
    const { reference } = incident;
    const report = incident.reports[0]!;
    log.error({ reference, category: report.category }, "ALARM: nobody acknowledged after every round of pages");
    // From now on a report of this place pages afresh rather than joining an incident nobody took.
    await incidents.endChain(reference, this.now());
    const known = Boolean(this.crew(report.category));
    if (await incidents.markSent(reference, ALARM_STEP, "alarm")) {
      this.deps.observe?.alarmRaised("unanswered");
      await incidents.addEvent(reference, { at: this.now(), kind: "alarm", detail: known ? "supervisor alerted" : "unknown category: every supervisor alerted" });
    }
    for (const supervisor of this.supervisorsFor(report.category)) {
      // The voice page of the supervisor's own step, so pressing 1 takes the incident as them. Every
      // chain pages the supervisor, unless the roster has named a new one since: SMS only for them.
      const ownStep = incident.plan.findLast((planned) => planned.phone === supervisor.phone)?.index ?? -1;
      if (ownStep < 0) log.warn({ reference, name: supervisor.name }, "supervisor has no step in this incident's plan: alarm by SMS only");
      const reached = await this.pageBy({
        reference,
        sendKey: sendKeyOf(incident),
        step: ALARM_STEP,
        tag: `alarm-${supervisor.phone}-`,
        name: supervisor.name,
        phone: supervisor.phone,
        channels: ownStep >= 0 ? supervisor.channels : supervisor.channels.filter((channel) => channel === "sms"),
        sms: alarmSms(report, label),
        voiceUrl: this.voicePageUrl(reference, ownStep),
        priority: "escalation",
        droppable: "escalation",
      });
      if (reached === null) return "stopped: taken during the alarm";
    }
    return "alarm";
  }

  /**
   * Sends one SMS that is not a step of the chain. A number that cannot take it is recorded on
   * the incident and skipped (false); a temporary failure throws, so the job is retried.
   */
  private async deliver(reference: string, to: string, body: string, send: SendOptions, pager: Pager = this.deps.pager): Promise<boolean> {
    try {
      await pager.sendSms(to, body, send);
      return true;
    } catch (error) {
      if (!(error instanceof PagerError && error.failure === "bad-number")) throw error;
      this.deps.log.warn({ reference, number: to, code: error.detail.code }, "SMS could not be delivered to this number");
      await this.deps.incidents.addEvent(reference, { at: this.now(), kind: "bad-number", phone: to, channel: "sms", detail: error.message });
      return false;
    }
  }

  private async isOpen(reference: string): Promise<boolean> {
    return (await this.deps.incidents.status(reference)) === "open";
  }

  /** How a person takes pages: as the roster has them, else as the incident's plan had them, else by SMS. */
  private channelsOf(phone: string, incident: Incident): readonly Channel[] {
    const people = [...Object.values(this.roster.categories).flatMap((crew) => [...crew.members, crew.supervisor]), ...incident.plan];
    return people.find((person) => person.phone === phone)?.channels ?? ["sms"];
  }

  private now(): string {
    return this.deps.clock().toISO()!;
  }

  private async scheduleStep(reference: string, step: number, delay: number): Promise<void> {
    await this.deps.jobs.add(JOBS.page, { reference, step }, { jobId: pageJobId(reference, step), delay });
  }

  private chainOptions(incident: Incident): ChainOptions {
    return incident.reports[0]?.pageSupervisor ? { supervisorsOnly: true } : {};
  }

  private chainLength(incident: Incident): number {
    return chainLength(this.roster, incident.category, this.chainOptions(incident));
  }

  /** The crew of a category, if the roster has one (never an inherited property of the object). */
  private crew(category: string): CategoryRoster | undefined {
    return Object.hasOwn(this.roster.categories, category) ? this.roster.categories[category] : undefined;
  }

  /** The category's supervisor; every supervisor when the category has no crew. */
  private supervisorsFor(category: string): Member[] {
    const own = this.crew(category);
    return own ? [own.supervisor] : everySupervisor(this.roster);
  }

  private voicePageUrl(reference: string, step: number): string {
    return voicePageUrl(this.deps.publicUrl, reference, step);
  }

  private event(kind: "paged" | "bad-number", target: PageTarget, channel: Channel, detail?: string) {
    return {
      at: this.now(),
      kind,
      ...(target.step >= 0 ? { step: target.step } : {}),
      name: target.name,
      phone: target.phone,
      channel,
      ...(detail ? { detail } : {}),
    };
  }
}

/**
 * What an incident's sends are named by: its reference and when it opened. A reference is given
 * once, but a Redis that lost its counter and kept its queues (keys removed by hand, a replica a
 * moment behind) would give one again, and the new incident must not find the old one's sends.
 */
function sendKeyOf(incident: Pick<Incident, "reference" | "createdAt">): string {
  return `${incident.reference}-${Date.parse(incident.createdAt)}`;
}

/** What one page of an incident's step is named by: its step and channel, and `tag`, which sets the alarm's pages apart. */
function pageKeyOf(sendKey: string, step: number, tag: string, channel: Channel): string {
  return `page-${sendKey}-${step}-${tag}${channel}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
