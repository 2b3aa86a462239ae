import { z } from "zod";
import { AnnouncementNode } from "./nodes/announcement.js";
import { CollectNode } from "./nodes/collect.js";
import { StateId } from "./nodes/common.js";
import { DispatchNode } from "./nodes/dispatch.js";
import { EnqueueNode } from "./nodes/enqueue.js";
import { GotoNode } from "./nodes/goto.js";
import { HangupNode } from "./nodes/hangup.js";
import { HoursNode } from "./nodes/hours.js";
import { MenuNode } from "./nodes/menu.js";
import { RecordNode } from "./nodes/record.js";
import { SayNode } from "./nodes/say.js";
import { TransferNode } from "./nodes/transfer.js";

/** One state of a call flow: a node of a known type. */
export const FlowNode = z.discriminatedUnion("type", [
  SayNode,
  AnnouncementNode,
  HoursNode,
  MenuNode,
  CollectNode,
  RecordNode,
  EnqueueNode,
  DispatchNode,
  TransferNode,
  HangupNode,
  GotoNode,
]);
export type FlowNode = z.infer<typeof FlowNode>;

/** A call flow file (`flows/main.yaml`) as supervisors write it. */
export const FlowDocument = z.strictObject({
  description: z.string().max(2000).optional(),
  /** Twilio `<Say>` voice, e.g. `Polly.Joanna`; Twilio's default when left out. */
  voice: z.string().min(1).max(64).optional(),
  /** Twilio `<Say>` and speech-recognition language, e.g. `en-US`. */
  language: z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/, "a language looks like en-US").default("en-US"),
  /** The first state of every call. */
  start: StateId,
  /**
   * The agent queue callers are sent to in business hours when the line itself is failing
   * (Redis down, a bug). After hours they go to `FALLBACK_NUMBER`.
   */
  fallbackQueue: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  states: z.record(StateId, FlowNode).refine((states) => Object.keys(states).length > 0, "a flow needs states"),
});
export type FlowDocument = z.infer<typeof FlowDocument>;

/** A checked flow, ready to run. */
export interface Flow extends FlowDocument {
  /** The flow's name: its file name without `.yaml`. */
  name: string;
  /** The published version it was read from; absent for a flow read from a file or a draft. */
  version?: number;
}
