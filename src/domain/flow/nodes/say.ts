import { z } from "zod";
import { defineNodeType } from "../node-type.js";
import { AudioUrl, say, StateId, Text } from "./common.js";

export const SayNode = z.strictObject({
  type: z.literal("say"),
  text: Text,
  /** An audio file played after the words. */
  play: AudioUrl.optional(),
  next: StateId,
});
export type SayNode = z.infer<typeof SayNode>;

/** Says something, then moves on. */
export const sayNode = defineNodeType<SayNode>({
  type: "say",
  schema: SayNode,
  waits: false,
  exits: false,
  enter: (node, ctx) => ({
    kind: "go",
    to: node.next,
    actions: [...say(node.text, ctx), ...(node.play ? [{ type: "play" as const, url: node.play }] : [])],
  }),
  edges: (node) => [{ path: "next", to: node.next }],
});
