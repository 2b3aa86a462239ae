import { z } from "zod";
import { defineNodeType } from "../node-type.js";
import { say, StateId, Text } from "./common.js";

export const TransferNode = z.strictObject({
  type: z.literal("transfer"),
  /** The number to connect the caller to, in E.164 (`+14035550100`). */
  number: z.string().regex(/^\+[1-9]\d{7,14}$/, "write the number in E.164 form, like +14035550100"),
  prompt: Text.optional(),
  /** Seconds to let it ring. */
  timeout: z.number().int().min(5).max(120).default(30),
  /** Where to go when nobody answers or the line is busy. */
  onFail: StateId,
});
export type TransferNode = z.infer<typeof TransferNode>;

/** Connects the caller to another number (a department's line, a duty officer). */
export const transferNode = defineNodeType<TransferNode>({
  type: "transfer",
  schema: TransferNode,
  waits: true,
  exits: true,
  enter: (node, ctx) => ({
    kind: "wait",
    actions: [...say(node.prompt, ctx), { type: "dial", number: node.number, timeout: node.timeout }],
  }),
  reply: (node, reply) =>
    reply.dialStatus === "completed" ? { kind: "end", actions: [], outcome: "transferred" } : { kind: "go", to: node.onFail },
  edges: (node) => [{ path: "onFail", to: node.onFail }],
});
