import { z } from "zod";
import { defineNodeType } from "../node-type.js";
import { say, StateId, Text, Timeout, VarName } from "./common.js";

export const RecordNode = z.strictObject({
  type: z.literal("record"),
  /** The variable that receives the recording's URL. */
  into: VarName,
  prompt: Text,
  /** Longest recording, in seconds. */
  maxLength: z.number().int().min(5).max(600).default(60),
  /** Seconds of silence that end the recording. */
  timeout: Timeout.default(5),
  finishOnKey: z.string().regex(/^[0-9*#]{1,12}$/).default("#"),
  playBeep: z.boolean().default(true),
  /** Mark the call as a voicemail when this recording is kept. */
  outcome: z.literal("voicemail").optional(),
  next: StateId,
  /** Where to go when nothing was recorded; `next` when left out. */
  onEmpty: StateId.optional(),
  /**
   * A dispatch state whose report is filed, held, as soon as the recording arrives (Twilio
   * sends it even when the caller hangs up while recording). See `collect`'s `fileReport`.
   */
  fileReport: StateId.optional(),
});
export type RecordNode = z.infer<typeof RecordNode>;

/** Records the caller (a place they could not get across by speech, a voicemail). */
export const recordNode = defineNodeType<RecordNode>({
  type: "record",
  schema: RecordNode,
  waits: true,
  exits: false,
  enter: (node, ctx) => ({
    kind: "wait",
    actions: [
      ...say(node.prompt, ctx),
      {
        type: "record",
        maxLength: node.maxLength,
        timeout: node.timeout,
        finishOnKey: node.finishOnKey,
        playBeep: node.playBeep,
      },
    ],
  }),
  reply: (node, reply) => {
    const recorded = Boolean(reply.recordingUrl) && (reply.recordingDuration ?? 1) > 0;
    if (!recorded) return { kind: "go", to: node.onEmpty ?? node.next };
    return {
      kind: "go",
      to: node.next,
      vars: { [node.into]: reply.recordingUrl! },
      ...(node.outcome ? { outcome: node.outcome } : {}),
      ...(node.fileReport ? { holdReport: node.fileReport } : {}),
    };
  },
  edges: (node) => [
    { path: "next", to: node.next },
    ...(node.onEmpty ? [{ path: "onEmpty", to: node.onEmpty }] : []),
  ],
});
