import type { DateTime } from "luxon";
import type { z } from "zod";
import type { EmergencyOverride, Hours, HoursOutlook, MinuteStatus } from "../hours/index.js";
import type { Action } from "./actions.js";
import type { CallerReply, CallOutcome, CallState, QueueVisit } from "./call-state.js";

/** What a state sees when the engine enters it or hands it the caller's reply. Read-only. */
export interface StepContext {
  readonly call: Readonly<CallState>;
  /** The moment of the webhook, in any zone; the hours say which zone counts. */
  readonly now: DateTime;
  readonly hours: Hours;
  /** The supervisor's emergency override, when one is set and not expired. */
  readonly override: EmergencyOverride | null;
  /** Today's hours outlook, when the shell worked it out beforehand: the hours state then only reads it. */
  readonly outlook?: HoursOutlook | undefined;
  /** The line's status this minute, when the shell worked it out beforehand (see `StepEnvironment`). */
  readonly minuteStatus?: MinuteStatus | undefined;
}

/** What a state decides. */
export type Transition =
  /** Move on to another state. `pause` answers first and continues with a redirect. */
  | {
      kind: "go";
      to: string;
      actions?: readonly Action[];
      vars?: Record<string, string>;
      outcome?: CallOutcome;
      pause?: boolean;
      /** The caller has named the problem and the place: file the report of this dispatch state now, held. */
      holdReport?: string;
      queue?: QueueVisit;
    }
  /** Stay here and wait for the caller. `choice` is the menu choice waiting for a yes. */
  | {
      kind: "wait";
      actions: readonly Action[];
      attempts?: number;
      confirming?: boolean;
      choice?: string;
      followedUp?: boolean;
      vars?: Record<string, string>;
      holdReport?: string;
      queue?: QueueVisit;
    }
  /** The call is over (the engine adds the hang-up). */
  | { kind: "end"; actions: readonly Action[]; outcome?: CallOutcome; queue?: QueueVisit };

/** A transition out of a state, for the flow checks: where it is written and where it leads. */
export interface Edge {
  path: string;
  to: string;
}

/**
 * One kind of state (`type: menu`, `type: hours`, ...): its schema and its behaviour, in one
 * file. Handlers are pure: they look at the context and return a transition.
 */
export interface NodeType<N extends { type: string }> {
  readonly type: N["type"];
  readonly schema: z.ZodType<N>;
  /** Whether the state waits for the caller (or Twilio) before it moves on. */
  readonly waits: boolean;
  /** Whether a call can end here or be handed to a person (a way out for the flow checks). */
  readonly exits: boolean;
  enter(node: N, ctx: StepContext): Transition;
  /** The caller's reply to this state. Only states that wait get one. */
  reply?(node: N, reply: CallerReply, ctx: StepContext): Transition;
  edges(node: N): Edge[];
}

/** Names a node type with its schema's inferred type, checking the literal. */
export function defineNodeType<N extends { type: string }>(nodeType: NodeType<N>): NodeType<N> {
  return nodeType;
}
