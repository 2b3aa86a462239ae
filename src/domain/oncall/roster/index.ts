/**
 * The on-call roster: who answers each category of urgent report (power, water, roads), week by
 * week, with dated overrides, and the order in which they are paged. The `oncall.yaml` document,
 * and pure functions of it: every function that needs the time is given it.
 */
export {
  RosterSchema,
  ROLES,
  DEFAULT_REPEATS_JOIN_FOR_MS,
  type Roster,
  type CategoryRoster,
  type Member,
  type Rotation,
  type RotationWeek,
  type Handoff,
  type RosterOverride,
  type Escalation,
  type EscalationStep,
  type Role,
} from "./schema.js";
export { CHANNELS, type Channel } from "./fields.js";
export { parseRoster } from "./parse.js";
export { whoIsOnCall, categoryRoster, handoffAt, UnknownCategoryError, type OnCall } from "./rotation.js";
export { findGaps, type Gap } from "./gaps.js";
export {
  escalationPlan,
  chainStep,
  chainLength,
  everySupervisor,
  EVERY_SUPERVISOR_WAIT_MS,
  type PageStep,
  type ChainStep,
  type ChainOptions,
  type PagedBefore,
} from "./escalation.js";
