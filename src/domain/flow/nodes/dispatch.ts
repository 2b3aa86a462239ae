import { z } from "zod";
import { defineNodeType } from "../node-type.js";
import { StateId, VarName } from "./common.js";

export const DispatchNode = z.strictObject({
  type: z.literal("dispatch"),
  /** The crew to page (`power`, `water`, `roads`); taken from the `category` variable when left out. */
  category: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/).optional(),
  /** The variables that hold the report's parts. */
  location: VarName.default("location"),
  recording: VarName.default("locationRecording"),
  callback: VarName.default("callbackNumber"),
  next: StateId,
});
export type DispatchNode = z.infer<typeof DispatchNode>;

/**
 * Files the urgent report for the on-call crew. The shell queues it, gives it a reference (kept
 * in `{reference}`) and comes back for `next`, which can read the reference to the caller.
 */
export const dispatchNode = defineNodeType<DispatchNode>({
  type: "dispatch",
  schema: DispatchNode,
  waits: false,
  exits: false,
  enter: (node, ctx) => {
    const { vars } = ctx.call;
    const recordingUrl = vars[node.recording];
    return {
      kind: "go",
      to: node.next,
      pause: true,
      outcome: "urgent-report",
      actions: [
        {
          type: "dispatch",
          report: {
            category: node.category ?? vars.category ?? "general",
            location: vars[node.location] ?? (recordingUrl ? "(recorded: listen to the recording)" : "(not given)"),
            ...(recordingUrl ? { recordingUrl } : {}),
            callbackNumber: vars[node.callback] ?? null,
            callSid: ctx.call.callSid,
            receivedAt: ctx.now.setZone(ctx.hours.zone).toISO()!,
          },
        },
      ],
    };
  },
  edges: (node) => [{ path: "next", to: node.next }],
});
