import { z } from "zod";
import { defineNodeType } from "../node-type.js";
import { say, Text } from "./common.js";

export const HangupNode = z.strictObject({
  type: z.literal("hangup"),
  /** The goodbye. */
  text: Text.optional(),
});
export type HangupNode = z.infer<typeof HangupNode>;

/** Says goodbye and ends the call. A call that ends here was answered by the line itself. */
export const hangupNode = defineNodeType<HangupNode>({
  type: "hangup",
  schema: HangupNode,
  waits: false,
  exits: true,
  enter: (node, ctx) => ({
    kind: "end",
    actions: say(node.text, ctx),
    outcome: ctx.call.outcome ?? "answered-by-ivr",
  }),
  edges: () => [],
});
