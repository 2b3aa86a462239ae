import { z } from "zod";
import { defineNodeType } from "../node-type.js";
import { StateId } from "./common.js";

export const GotoNode = z.strictObject({ type: z.literal("goto"), next: StateId });
export type GotoNode = z.infer<typeof GotoNode>;

/** Goes to another state: lets several branches share one. */
export const gotoNode = defineNodeType<GotoNode>({
  type: "goto",
  schema: GotoNode,
  waits: false,
  exits: false,
  enter: (node) => ({ kind: "go", to: node.next }),
  edges: (node) => [{ path: "next", to: node.next }],
});
