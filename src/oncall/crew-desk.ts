import type { DateTime } from "luxon";
import type { IncidentStore } from "../domain/ports.js";
import { parseCrewReply } from "../domain/oncall/crew-reply.js";
import type { Incident } from "../domain/oncall/incident.js";
import { crewReplies } from "../domain/oncall/messages.js";
import type { Member, Roster } from "../domain/oncall/roster/index.js";
import type { Logger } from "../logger.js";
import { JOBS, notifyResidentsJobId, type JobScheduler } from "./jobs.js";

export interface CrewDeskDependencies {
  roster: Roster;
  incidents: IncidentStore;
  jobs: JobScheduler;
  clock: () => DateTime;
  log: Logger;
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
 * escalation), mark it fixed, ask for help. Numbers that are on no roster learn nothing.
 */
export class CrewDesk {
  private readonly crew = new Map<string, CrewMember>();

  constructor(private readonly deps: CrewDeskDependencies) {
    for (const [category, roster] of Object.entries(deps.roster.categories)) {
      for (const member of [...roster.members, roster.supervisor]) {
        const known = this.crew.get(member.phone) ?? { member, categories: new Set<string>() };
        known.categories.add(category);
        this.crew.set(member.phone, known);
      }
    }
  }

  /** The reply to an inbound SMS from `from`. */
  async textFrom(from: string, body: string): Promise<string> {
    const person = this.crew.get(from);
    if (!person) return crewReplies.stranger;
    const command = parseCrewReply(body);
    if (command.kind === "help") return crewReplies.help;
    if (command.kind === "unknown") return crewReplies.hint;

    const reference = command.reference ?? (await this.deps.incidents.latestPage(from));
    if (!reference) return crewReplies.nothingPaged;
    const incident = await this.deps.incidents.get(reference);
    if (!incident || !this.mayActOn(person, incident)) return crewReplies.notFound(reference);
    if (command.kind === "done") return this.resolve(incident, person.member, "sms");

    const taken = await this.take(incident, person.member, "sms");
    switch (taken.outcome) {
      case "taken":
        return crewReplies.acknowledged(reference);
      case "already-yours":
        return crewReplies.alreadyYours(reference);
      case "taken-by":
        return crewReplies.takenBy(reference, taken.by, taken.at, this.deps.roster.zone);
      case "resolved":
        return crewReplies.alreadyResolved(reference);
      case "not-found":
        return crewReplies.notFound(reference);
    }
  }

  /** The person paged at `step` pressed 1 on the voice page. */
  async takeByKeypress(reference: string, step: number): Promise<{ taken: TakeOutcome; name: string } | null> {
    const incident = await this.deps.incidents.get(reference);
    const planned = incident?.plan[step];
    if (!incident || !planned) return null;
    const member = this.crew.get(planned.phone)?.member ?? { id: planned.memberId, name: planned.name, phone: planned.phone, channels: planned.channels };
    return { taken: await this.take(incident, member, "voice"), name: planned.name };
  }

  private async take(incident: Incident, member: Member, via: "sms" | "voice"): Promise<TakeOutcome> {
    const { incidents, clock, log } = this.deps;
    const now = clock().toISO()!;
    const result = await incidents.acknowledge(incident.reference, member.name, now);
    if (result.outcome === "missing") return { outcome: "not-found" };
    if (result.outcome === "resolved-already") return { outcome: "resolved" };
    if (result.outcome === "acknowledged-already") {
      return result.by === member.name ? { outcome: "already-yours" } : { outcome: "taken-by", by: result.by, at: result.at };
    }
    await incidents.addEvent(incident.reference, { at: now, kind: "acknowledged", name: member.name, phone: member.phone, channel: via });
    log.info({ reference: incident.reference, name: member.name, via }, "incident acknowledged: escalation stops");
    await this.tellResidents(incident);
    return { outcome: "taken" };
  }

  private async resolve(incident: Incident, member: Member, via: "sms" | "voice"): Promise<string> {
    const { incidents, clock, log } = this.deps;
    const now = clock().toISO()!;
    const before = await incidents.resolve(incident.reference, member.name, now);
    if (before === "missing") return crewReplies.notFound(incident.reference);
    if (before === "resolved") return crewReplies.alreadyResolved(incident.reference);
    await incidents.addEvent(incident.reference, { at: now, kind: "resolved", name: member.name, phone: member.phone, channel: via });
    log.info({ reference: incident.reference, name: member.name }, "incident resolved");
    // Resolved without an ACK first: the residents have not heard yet.
    if (before === "open") await this.tellResidents(incident);
    return crewReplies.resolved(incident.reference);
  }

  private async tellResidents(incident: Incident): Promise<void> {
    if (this.deps.roster.categories[incident.category]?.notifyResident === false) return;
    await this.deps.jobs.add(JOBS.notifyResidents, { reference: incident.reference }, { jobId: notifyResidentsJobId(incident.reference) });
  }

  /** Crew of the incident's category, its supervisor, or anyone paged for it. */
  private mayActOn(person: CrewMember, incident: Incident): boolean {
    return person.categories.has(incident.category) || incident.plan.some((step) => step.phone === person.member.phone);
  }
}
