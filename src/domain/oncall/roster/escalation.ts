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
