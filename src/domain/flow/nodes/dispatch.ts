import { z } from "zod";
import { callerNumber } from "../../phone.js";
import type { ReportDraft } from "../actions.js";
import { defineNodeType, type StepContext } from "../node-type.js";
import { StateId, VarName } from "./common.js";

export const DispatchNode = z.strictObject({
  type: z.literal("dispatch"),
  /** The crew to page (`power`, `water`, `roads`); taken from the `category` variable when left out. */
  category: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/).optional(),
  /** The variables that hold the report's parts. */
  location: VarName.default("location"),
  /** Speech that was heard but not taken (unsure, or refused at the read-back): sent beside the recording. */
  heard: VarName.default("locationHeard"),
  recording: VarName.default("locationRecording"),
  callback: VarName.default("callbackNumber"),
  /**
   * Page the category's supervisor (every supervisor when no category was chosen) rather than
   * the crew: for a caller who could not say what the problem is and was recorded instead.
   */
  pageSupervisor: z.boolean().default(false),
  next: StateId,
});
export type DispatchNode = z.infer<typeof DispatchNode>;

/** The report as the call knows it now: what the caller said, confirmed or not, and the recording. */
export function reportDraft(node: DispatchNode, ctx: StepContext): ReportDraft {
  // An empty value is one the caller took back: it counts as not given.
  const value = (name: string) => ctx.call.vars[name] || undefined;
  const recordingUrl = value(node.recording);
  // Until the caller gives or confirms one, the number they called from is the best there is.
  const callbackNumber = value(node.callback) ?? callerNumber(ctx.call.caller);
  const taken = value(node.location);
  const unsure = taken ? undefined : value(node.heard);
  const location = taken ?? unsure ?? (recordingUrl ? "(recorded: listen to the recording)" : "(not given)");
  return {
    category: node.category ?? value("category") ?? "general",
    location,
    ...(taken && value(`${node.location}Confirmed`) === "yes" ? { locationConfirmed: true } : {}),
    ...(unsure ? { locationUnsure: true } : {}),
    ...(recordingUrl ? { recordingUrl } : {}),
    ...(node.pageSupervisor ? { pageSupervisor: true } : {}),
    callbackNumber,
    callSid: ctx.call.callSid,
    receivedAt: ctx.now.setZone(ctx.hours.zone).toISO()!,
    // The call's records and the report's say the same: after hours by the hours and override when it started.
    ...(ctx.call.afterHours !== undefined ? { afterHours: ctx.call.afterHours } : {}),
  };
}

/**
 * Files the urgent report for the on-call crew, or completes and releases the one a collect
 * state already filed and held. The shell queues it, gives it a reference (kept in
 * `{reference}`) and comes back for `next`, which can read the reference to the caller.
 */
export const dispatchNode = defineNodeType<DispatchNode>({
  type: "dispatch",
  schema: DispatchNode,
  waits: false,
  exits: false,
  enter: (node, ctx) => ({
    kind: "go",
    to: node.next,
    pause: true,
    outcome: "urgent-report",
    actions: [{ type: "dispatch", report: reportDraft(node, ctx), hold: false }],
  }),
  edges: (node) => [{ path: "next", to: node.next }],
});
