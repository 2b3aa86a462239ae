import { z } from "zod";
import { defineNodeType } from "../node-type.js";
import { say, StateId, Text } from "./common.js";

export const AnnouncementNode = z.strictObject({
  type: z.literal("announcement"),
  /** Said before the supervisor's message, only when there is one. */
  intro: Text.optional(),
  next: StateId,
});
export type AnnouncementNode = z.infer<typeof AnnouncementNode>;

/**
 * Speaks the supervisor's emergency message of the day (a storm, a city-wide outage) when one
 * is set, and says nothing otherwise.
 */
export const announcementNode = defineNodeType<AnnouncementNode>({
  type: "announcement",
  schema: AnnouncementNode,
  waits: false,
  exits: false,
  enter: (node, ctx) => {
    const message = ctx.override?.message;
    if (!message) return { kind: "go", to: node.next };
    return { kind: "go", to: node.next, actions: [...say(node.intro, ctx), { type: "say", text: message }] };
  },
  edges: (node) => [{ path: "next", to: node.next }],
});
