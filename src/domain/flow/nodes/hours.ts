import { z } from "zod";
import { closedReasonInWords, lineStatus } from "../../hours/index.js";
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
    const status = lineStatus(ctx.hours, ctx.now, ctx.override, ctx.outlook);
    const vars: Record<string, string> = {
      hoursSummary: ctx.hours.summary,
      closedReason: closedReasonInWords(status),
      holiday: status.holiday ?? "",
      opensAt: status.opensAt ? status.opensAt.setZone(ctx.hours.zone).toFormat("cccc, MMMM d 'at' h:mm a") : "",
    };
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
