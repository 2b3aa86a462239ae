import { z } from "zod";
import { closedReasonInWords, lineStatusWith, type Hours, type LineStatus } from "../../hours/index.js";
import { defineNodeType } from "../node-type.js";
import { StateId } from "./common.js";

export const HoursNode = z.strictObject({
  type: z.literal("hours"),
  /** In business hours, or when a supervisor has opened the line. */
  open: StateId,
  /** Outside business hours. */
  closed: StateId,
  /** On a City holiday; `closed` when left out. */
  holiday: StateId.optional(),
  /** When a supervisor has closed the line for an emergency; `closed` when left out. */
  emergency: StateId.optional(),
});
export type HoursNode = z.infer<typeof HoursNode>;

/**
 * What an hours state tells the prompts that follow about a status. The words depend on nothing
 * else, so they are kept beside a status the shell gives again all minute (spelling out the next
 * opening's date is the costliest part of the state).
 */
function hoursVars(status: LineStatus, hours: Hours): Record<string, string> {
  const known = varsOf.get(status);
  if (known?.hours === hours) return known.vars;
  const vars = {
    hoursSummary: hours.summary,
    closedReason: closedReasonInWords(status),
    holiday: status.holiday ?? "",
    opensAt: status.opensAt ? status.opensAt.setZone(hours.zone).toFormat("cccc, MMMM d 'at' h:mm a") : "",
  };
  varsOf.set(status, { hours, vars });
  return vars;
}
const varsOf = new WeakMap<LineStatus, { hours: Hours; vars: Readonly<Record<string, string>> }>();

/**
 * Branches on the line's hours at the moment of the call. Sets `{hoursSummary}`, `{closedReason}`,
 * `{holiday}` and `{opensAt}` for the prompts that follow. `{closedReason}` is a sentence for
 * `<Say>` when there is a reason to give ("City offices closed early today, at 12 noon, for
 * Christmas Eve."), and empty on ordinary evenings and weekends, so a prompt can always include it.
 */
export const hoursNode = defineNodeType<HoursNode>({
  type: "hours",
  schema: HoursNode,
  waits: false,
  exits: false,
  enter: (node, ctx) => {
    const status = lineStatusWith(ctx.minuteStatus, ctx.hours, ctx.now, ctx.override, ctx.outlook);
    const vars = hoursVars(status, ctx.hours);
    const to = {
      open: node.open,
      closed: node.closed,
      holiday: node.holiday ?? node.closed,
      emergency: node.emergency ?? node.closed,
    }[status.branch];
    return { kind: "go", to, vars };
  },
  edges: (node) => [
    { path: "open", to: node.open },
    { path: "closed", to: node.closed },
    ...(node.holiday ? [{ path: "holiday", to: node.holiday }] : []),
    ...(node.emergency ? [{ path: "emergency", to: node.emergency }] : []),
  ],
});
