import { DateTime } from "luxon";
import type { IncidentStore } from "../domain/ports.js";
import { parseCrewReply } from "../domain/oncall/crew-reply.js";
import type { Incident } from "../domain/oncall/incident.js";
import type { OncallObserver } from "../domain/observers.js";
import { crewReplies, residentReply, type IncidentSummary, type ReportStanding } from "../domain/oncall/messages.js";
import { everySupervisor, type Member, type Roster } from "../domain/oncall/roster/index.js";
import type { Logger } from "../logger.js";
import { JOBS, notifyResidentsJobId, notifyTakenJobId, type JobScheduler } from "./jobs.js";
import { categoryLabel } from "./labels.js";

export interface CrewDeskDependencies {
  /** The roster to answer by, until {@link CrewDesk.useRoster} gives a newer one. */
  roster: Roster;
  incidents: IncidentStore;
  jobs: JobScheduler;
  clock: () => DateTime;
  log: Logger;
  /** Told of each acknowledgement and how long it took (the operators' metrics). */
  observe?: Pick<OncallObserver, "acknowledged">;
}

/** A person on some roster, and the categories they may act on. */
interface CrewMember {
  member: Member;
  categories: Set<string>;
}

export type TakeOutcome =
  | { outcome: "taken" }
  | { outcome: "already-yours" }
  | { outcome: "taken-by"; by: string; at: string }
  | { outcome: "resolved" }
  | { outcome: "not-found" };

/**
 * What the on-call crew can do by text or keypress: take an incident (which stops its
 * escalation), mark it fixed, ask for help. Replies that leave the reference out never guess
 * between incidents: a bare ACK takes the person's only open page, a bare DONE takes nothing.
 * A resident who texts the paging number hears about their own report; anyone else learns
 * nothing about any incident.
 */
export class CrewDesk {
  private crew = new Map<string, CrewMember>();
  private roster: Roster;

  constructor(private readonly deps: CrewDeskDependencies) {
    this.roster = deps.roster;
    this.useRoster(deps.roster);
  }

  /** Answers by a newly published roster from now on: who is crew, and who supervises what. */
  useRoster(roster: Roster): void {
    const crew = new Map<string, CrewMember>();
    for (const [category, people] of Object.entries(roster.categories)) {
      for (const member of [...people.members, people.supervisor]) {
        const known = crew.get(member.phone) ?? { member, categories: new Set<string>() };
        known.categories.add(category);
        crew.set(member.phone, known);
      }
    }
    this.roster = roster;
    this.crew = crew;
  }

  /** The reply to an inbound SMS from `from`. */
  async textFrom(from: string, body: string): Promise<string> {
    const person = this.crew.get(from);
    if (!person) return this.notCrew(from);
    const command = parseCrewReply(body);
    if (command.kind === "help") return crewReplies.help;
    if (command.kind === "unknown") return crewReplies.hint;
    if (command.reference === null) return command.kind === "ack" ? this.bareAck(person) : this.bareDone(person);

    // Any reference a resident was given leads to the incident their report is part of.
    const asked = command.reference;
    const reference = await this.deps.incidents.lookup(asked);
    const incident = reference ? await this.deps.incidents.get(reference) : null;
    if (!incident || !this.mayActOn(person, incident)) return crewReplies.notFound(asked);
    if (command.kind === "done") return this.resolve(incident, person, asked);
    return this.ackReply(incident, await this.take(incident, person.member, "sms"), asked);
  }

  /** The person paged at `step` pressed 1 on the voice page. */
  async takeByKeypress(reference: string, step: number): Promise<{ taken: TakeOutcome; name: string } | null> {
    const incident = await this.deps.incidents.get(reference);
    const planned = incident?.plan.find((paged) => paged.index === step);
    if (!incident || !planned) return null;
    const member = this.crew.get(planned.phone)?.member ?? { id: planned.memberId, name: planned.name, phone: planned.phone, channels: planned.channels };
    return { taken: await this.take(incident, member, "voice"), name: planned.name };
  }

  /** A bare ACK: their one open page, or the list to choose from. */
  private async bareAck(person: CrewMember): Promise<string> {
    const { open } = await this.pagesOf(person);
    if (open.length === 0) return crewReplies.nothingPaged;
    if (open.length > 1) return crewReplies.chooseAck(open.map((incident) => this.summary(incident)));
    const only = open[0]!;
    const taken = await this.take(only, person.member, "sms");
    return taken.outcome === "taken" ? crewReplies.acknowledgedOnly(this.summary(only)) : this.ackReply(only, taken, only.reference);
  }

  /** A bare DONE closes nothing: it lists what they hold and were paged for, and asks which. */
  private async bareDone(person: CrewMember): Promise<string> {
    const { open, held } = await this.pagesOf(person);
    return crewReplies.doneNeedsReference(
      held.map((incident) => this.summary(incident)),
      open.map((incident) => this.summary(incident)),
    );
  }

  /** The incidents this person was paged for that nobody has taken, and those they hold. */
  private async pagesOf(person: CrewMember): Promise<{ open: Incident[]; held: Incident[] }> {
    const { incidents } = this.deps;
    const references = await incidents.crewIncidents(person.member.phone);
    const found = (await Promise.all(references.map((reference) => incidents.get(reference)))).filter((incident): incident is Incident => incident !== null);
    return {
      open: found.filter((incident) => incident.status === "open"),
      held: found.filter((incident) => incident.status === "acknowledged" && this.holds(person.member, incident)),
    };
  }

  private ackReply(incident: Incident, taken: TakeOutcome, asked: string): string {
    const { reference } = incident;
    switch (taken.outcome) {
      case "taken":
        return crewReplies.acknowledged(reference, asked);
      case "already-yours":
        return crewReplies.alreadyYours(reference, asked);
      case "taken-by":
        return crewReplies.takenBy(reference, taken.by, taken.at, this.roster.zone, asked);
      case "resolved":
        return crewReplies.alreadyResolved(reference, asked);
      case "not-found":
        return crewReplies.notFound(asked);
    }
  }

  private async take(incident: Incident, member: Member, via: "sms" | "voice"): Promise<TakeOutcome> {
    const { incidents, clock, log } = this.deps;
    const moment = clock();
    const now = moment.toISO()!;
    const result = await incidents.acknowledge(incident.reference, { name: member.name, phone: member.phone }, now);
    if (result.outcome === "missing") return { outcome: "not-found" };
    if (result.outcome === "resolved-already") return { outcome: "resolved" };
    if (result.outcome === "acknowledged-already") {
      return result.by === member.name ? { outcome: "already-yours" } : { outcome: "taken-by", by: result.by, at: result.at };
    }
    // Counted as soon as the store took it: what follows may fail, and the ACK stands all the same.
    this.deps.observe?.acknowledged(via, incident.category, moment.diff(DateTime.fromISO(incident.createdAt)).as("seconds"));
    // What they hold is listed when they later send a bare DONE, paged for it or not.
    await incidents.notePage(member.phone, incident.reference, now);
    await incidents.addEvent(incident.reference, { at: now, kind: "acknowledged", name: member.name, phone: member.phone, channel: via });
    log.info({ reference: incident.reference, name: member.name, via }, "incident acknowledged: escalation stops");
    await this.tellOthersPaged(incident);
    await this.tellResidents(incident);
    return { outcome: "taken" };
  }

  /**
   * DONE with a reference. Taken from whoever holds the incident or a supervisor of its category;
   * while nobody holds it, from someone who was paged for it (it is taken and fixed at once).
   * The store decides atomically, so an ACK that lands meanwhile is respected.
   */
  private async resolve(incident: Incident, person: CrewMember, asked: string): Promise<string> {
    const { incidents, clock, log } = this.deps;
    const roster = this.roster;
    const { member } = person;
    const { reference } = incident;
    const now = clock().toISO()!;
    const supervisor = this.supervises(member, incident.category);
    const paged = incident.plan.some((step) => step.phone === member.phone) || incident.events.some((event) => event.kind === "paged" && event.phone === member.phone);
    const result = await incidents.resolve(reference, { name: member.name, phone: member.phone, supervisor, mayCloseUntaken: supervisor || paged }, now);
    switch (result.outcome) {
      case "missing":
        return crewReplies.notFound(asked);
      case "resolved-already":
        return crewReplies.alreadyResolved(reference, asked);
      case "held-by":
        return crewReplies.heldBy(reference, result.by, result.at, roster.zone, asked);
      case "not-taken":
        return crewReplies.notTakenYet(reference, asked);
      case "resolved":
        break;
    }
    await incidents.addEvent(reference, { at: now, kind: "resolved", name: member.name, phone: member.phone, channel: "sms" });
    log.info({ reference, name: member.name }, "incident resolved");
    // Resolved without an ACK first: the residents have not heard yet.
    if (result.was === "open") await this.tellResidents(incident);
    return crewReplies.resolved(reference, asked);
  }

  /** Someone on no roster: a resident hears about their own report; anyone else, nothing. */
  private async notCrew(from: string): Promise<string> {
    const { incidents } = this.deps;
    const [latest] = from ? await incidents.residentReports(from) : [];
    if (!latest) return crewReplies.stranger;
    const reference = await incidents.lookup(latest);
    const status = reference ? await incidents.status(reference) : null;
    const standing: ReportStanding = status === "open" ? "paging" : status === "acknowledged" ? "taken" : status === "resolved" ? "fixed" : "received";
    return residentReply(latest, standing);
  }

  /** The others paged for it hear who took it: a half-awake crew member holding the page must not drive out too. */
  private async tellOthersPaged(incident: Incident): Promise<void> {
    await this.deps.jobs.add(JOBS.notifyTaken, { reference: incident.reference }, { jobId: notifyTakenJobId(incident.reference) });
  }

  private async tellResidents(incident: Incident): Promise<void> {
    if (this.roster.categories[incident.category]?.notifyResident === false) return;
    await this.deps.jobs.add(JOBS.notifyResidents, { reference: incident.reference }, { jobId: notifyResidentsJobId(incident.reference) });
  }

  private holds(member: Member, incident: Incident): boolean {
    return incident.acknowledgedByPhone ? incident.acknowledgedByPhone === member.phone : incident.acknowledgedBy === member.name;
  }

  /** The category's supervisor; for a category with no crew of its own, every supervisor. */
  private supervises(member: Member, category: string): boolean {
    const own = Object.hasOwn(this.roster.categories, category) ? this.roster.categories[category] : undefined;
    return own ? own.supervisor.phone === member.phone : everySupervisor(this.roster).some((supervisor) => supervisor.phone === member.phone);
  }

  /** Crew of the incident's category, its supervisors, or anyone paged for it. */
  private mayActOn(person: CrewMember, incident: Incident): boolean {
    return (
      person.categories.has(incident.category) ||
      this.supervises(person.member, incident.category) ||
      incident.plan.some((step) => step.phone === person.member.phone)
    );
  }

  private summary(incident: Incident): IncidentSummary {
    return { reference: incident.reference, label: categoryLabel(this.roster, incident.category), report: incident.reports[0]! };
  }
}
