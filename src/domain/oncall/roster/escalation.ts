import type { DateTime } from "luxon";
import { whoIsOnCall } from "./rotation.js";
import type { Member, Role, Roster } from "./schema.js";

/** One page in an escalation: whom to page, and how long to wait for an acknowledgement. */
export interface PageStep {
  /** 0, 1, 2, ... in the order the pages go out. */
  index: number;
  /** 1 for the first pass through the steps, 2 for the second, ... */
  round: number;
  role: Role;
  member: Member;
  /** ms to wait for an ack before the next step */
  waitMs: number;
}

/**
 * The whole chain of pages for an urgent report in `category` at `at`, flattened over the rounds,
 * computed from who is on call at `at`. The worker pages `plan[0]`, waits `waitMs` for an
 * acknowledgement, then pages `plan[1]`, and so on.
 *
 * - A role that resolves to nobody is skipped, with its wait: with no backup, the supervisor
 *   follows the primary's wait directly.
 * - When nobody is on call (a gap), the plan therefore starts with the supervisor at once.
 * - When one person holds two roles in a row (an override makes the rotation's backup the
 *   primary), they are paged once and given both waits, instead of being paged twice.
 * - Never empty: the schema requires a supervisor step, and if a roster built by hand has none,
 *   nobody on call pages the supervisor anyway.
 *
 * @throws UnknownCategoryError for a category the roster does not have
 * @throws RangeError when `at` is an invalid DateTime
 * @example escalationPlan(roster, "water", at).map((step) => `${step.round}:${step.role}`)
 *   // ["1:primary", "1:backup", "1:supervisor", "2:primary", ...]
 */
export function escalationPlan(roster: Roster, category: string, at: DateTime): PageStep[] {
  const onCall = whoIsOnCall(roster, category, at);
  const { steps, rounds } = roster.categories[category]!.escalation;
  const holders: Record<Role, Member | null> = { primary: onCall.primary, backup: onCall.backup, supervisor: onCall.supervisor };

  const plan: Omit<PageStep, "index">[] = [];
  for (let round = 1; round <= rounds; round++) {
    let previous: Omit<PageStep, "index"> | undefined;
    for (const { notify, waitMs } of steps) {
      const member = holders[notify];
      if (!member) continue;
      if (previous && previous.role !== notify && previous.member.phone === member.phone) {
        previous.waitMs += waitMs;
        continue;
      }
      previous = { round, role: notify, member, waitMs };
      plan.push(previous);
    }
    if (!previous) {
      const roundWait = steps.reduce((sum, step) => sum + step.waitMs, 0);
      plan.push({ round, role: "supervisor", member: onCall.supervisor, waitMs: roundWait });
    }
  }
  return plan.map((step, index) => ({ index, ...step }));
}

/** How long every supervisor is given when a report's category has no crew of its own. */
export const EVERY_SUPERVISOR_WAIT_MS = 10 * 60_000;

/** Which chain a report follows. */
export interface ChainOptions {
  /**
   * Only the policy's supervisor steps: the caller could not say what the problem is, so a
   * person who can judge it hears the recording first.
   */
  supervisorsOnly?: boolean;
}

/** Who was paged last in the chain, as the incident recorded it. */
export interface PagedBefore {
  round: number;
  role: Role;
  phone: string;
}

/** One step of a chain, worked out when the step runs. */
export type ChainStep =
  /** Page this person, then wait `step.waitMs`. */
  | { kind: "page"; step: PageStep }
  /** Nobody holds the role now: the next step follows at once. */
  | { kind: "nobody"; index: number; round: number; role: Role }
  /**
   * The person paged just before in this round holds this role too (an override made the
   * backup the primary): they are not paged twice, and are given this step's wait as well.
   */
  | { kind: "same-person"; index: number; round: number; role: Role; member: Member; waitMs: number }
  /** Past the last round: what follows is the alarm. */
  | { kind: "end" };

/** Every supervisor of the roster, once each (one person may supervise two categories). */
export function everySupervisor(roster: Roster): Member[] {
  const byPhone = new Map(Object.values(roster.categories).map((crew) => [crew.supervisor.phone, crew.supervisor]));
  return [...byPhone.values()];
}

function ownCategory(roster: Roster, category: string) {
  return Object.hasOwn(roster.categories, category) ? roster.categories[category] : undefined;
}

function policySteps(roster: Roster, category: string, options: ChainOptions) {
  const { steps, rounds } = ownCategory(roster, category)!.escalation;
  return { steps: options.supervisorsOnly ? steps.filter((step) => step.notify === "supervisor") : steps, rounds };
}

/**
 * How many steps the chain of a report in `category` has before the alarm. A category the roster
 * does not have (the caller chose none, or the flow names a category with no crew) pages every
 * supervisor, one step each.
 */
export function chainLength(roster: Roster, category: string, options: ChainOptions = {}): number {
  if (!ownCategory(roster, category)) return everySupervisor(roster).length;
  const { steps, rounds } = policySteps(roster, category, options);
  return steps.length * rounds;
}

/**
 * Step `index` of a report's chain, worked out from who is on call at `at`, the moment the step
 * runs: a chain that crosses a handoff pages the new crew. Step `index` is `round - 1` times the
 * number of policy steps plus the step's place in the policy, so the numbering does not depend
 * on who was on call when the report came in. The rules are {@link escalationPlan}'s: a role
 * nobody holds is skipped without its wait, and one person holding two roles in a row is paged
 * once and given both waits (`previous` is who the chain paged last).
 *
 * A category the roster does not have pages every supervisor at once (no wait between them),
 * then gives them {@link EVERY_SUPERVISOR_WAIT_MS} before the alarm.
 *
 * @example chainStep(roster, "water", 0, at, null) // { kind: "page", step: { index: 0, round: 1, role: "primary", ... } }
 */
export function chainStep(
  roster: Roster,
  category: string,
  index: number,
  at: DateTime,
  previous: PagedBefore | null,
  options: ChainOptions = {},
): ChainStep {
  if (!Number.isInteger(index) || index < 0 || index >= chainLength(roster, category, options)) return { kind: "end" };
  if (!ownCategory(roster, category)) {
    const supervisors = everySupervisor(roster);
    const last = index === supervisors.length - 1;
    return { kind: "page", step: { index, round: 1, role: "supervisor", member: supervisors[index]!, waitMs: last ? EVERY_SUPERVISOR_WAIT_MS : 0 } };
  }
  const { steps } = policySteps(roster, category, options);
  const round = Math.floor(index / steps.length) + 1;
  const { notify: role, waitMs } = steps[index % steps.length]!;
  const onCall = whoIsOnCall(roster, category, at);
  const member = { primary: onCall.primary, backup: onCall.backup, supervisor: onCall.supervisor }[role];
  if (!member) return { kind: "nobody", index, round, role };
  if (previous && previous.round === round && previous.role !== role && previous.phone === member.phone) {
    return { kind: "same-person", index, round, role, member, waitMs };
  }
  return { kind: "page", step: { index, round, role, member, waitMs } };
}
