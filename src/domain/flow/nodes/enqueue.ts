import { z } from "zod";
import { fillTemplate } from "../text.js";
import { defineNodeType } from "../node-type.js";
import { AudioUrl, say, StateId, Text } from "./common.js";

export const EnqueueNode = z.strictObject({
  type: z.literal("enqueue"),
  /** The Twilio queue agents answer (`utility-billing`). */
  queue: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "a queue name is lower case letters, digits and dashes"),
  prompt: Text.optional(),
  hold: z
    .strictObject({
      /** Said each time the hold loop starts; `{position}` is the caller's place in line. */
      message: z.string().trim().min(1).max(300).default("You are number {position} in line. Thank you for waiting."),
      /** Music or a recorded message between announcements. */
      music: AudioUrl.optional(),
      /** Seconds of silence between announcements when there is no music. */
      pause: z.number().int().min(1).max(120).default(20),
    })
    .prefault({}),
  /** After this many seconds in line, offer a voicemail instead (needs `voicemail`). */
  maxWait: z.number().int().min(30).max(3600).optional(),
  voicemailOffer: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .default("To leave a voicemail instead and have us call you back, press 1. Or stay on the line."),
  /** The state that takes the voicemail when the caller chooses to leave the line. */
  voicemail: StateId.optional(),
  /** Where to go when the queue cannot take the caller (full, or an error). */
  onFail: StateId,
});
export type EnqueueNode = z.infer<typeof EnqueueNode>;

/** What a caller waiting in the queue hears on each turn of the hold loop. */
export interface HoldTurn {
  announcement: string;
  offerVoicemail: string | null;
  music: string | null;
  pause: number;
}

/**
 * The hold loop's next turn for a caller `waited` seconds in line at `position`. Pure: the wait
 * URL renders it.
 */
export function holdTurn(node: EnqueueNode, position: number | null, waited: number): HoldTurn {
  const announcement =
    position && position > 0 ? fillTemplate(node.hold.message, { position: String(position) }) : "Thank you for waiting.";
  const offer = node.voicemail && node.maxWait !== undefined && waited >= node.maxWait ? node.voicemailOffer : null;
  return { announcement, offerVoicemail: offer, music: node.hold.music ?? null, pause: node.hold.pause };
}

/** Puts the caller in an agent queue, with their place in line, hold audio and a voicemail offer. */
export const enqueueNode = defineNodeType<EnqueueNode>({
  type: "enqueue",
  schema: EnqueueNode,
  waits: true,
  exits: true,
  enter: (node, ctx) => ({
    kind: "wait",
    actions: [...say(node.prompt, ctx), { type: "enqueue", queue: node.queue, state: ctx.call.state }],
    queue: { name: node.queue },
  }),
  reply: (node, reply) => {
    const queue = {
      name: node.queue,
      ...(reply.queueResult ? { result: reply.queueResult } : {}),
      ...(reply.queueTime !== undefined ? { waitSeconds: reply.queueTime } : {}),
    };
    switch (reply.queueResult) {
      case "bridged":
        return { kind: "end", actions: [], outcome: "queued-to-agent", queue };
      case "hangup":
        return { kind: "end", actions: [], outcome: "abandoned", queue };
      case "leave":
        return { kind: "go", to: node.voicemail ?? node.onFail, queue };
      default:
        return { kind: "go", to: node.onFail, queue };
    }
  },
  edges: (node) => [
    { path: "onFail", to: node.onFail },
    ...(node.voicemail ? [{ path: "voicemail", to: node.voicemail }] : []),
  ],
});
