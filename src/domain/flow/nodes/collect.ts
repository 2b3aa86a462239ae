import { z } from "zod";
import { namesAPlace } from "../../oncall/place.js";
import { callerNumber, toE164 } from "../../phone.js";
import type { Action, Prompt } from "../actions.js";
import type { CallerReply } from "../call-state.js";
import { defineNodeType, type StepContext, type Transition } from "../node-type.js";
import { CONFIRMATION_HINTS, confirmation, normaliseSpeech } from "../text.js";
import { failureEdges, prompts, retryFields, StateId, Text, Timeout, tryAgain, VarName } from "./common.js";

export const CollectNode = z
  .strictObject({
    type: z.literal("collect"),
    /** The variable that receives the answer (`location`, `callbackNumber`). A confirmed answer also sets `{<into>Confirmed}` to `yes`. */
    into: VarName,
    /** Listen for words (`speech`) or keys (`digits`, ended with #). */
    input: z.enum(["speech", "digits"]),
    prompt: Text,
    /**
     * `phone` accepts a North American or +country number and keeps it as E.164. `place` asks
     * once more (`vague`) when the answer names no street or intersection ("my house").
     */
    format: z.enum(["text", "phone", "place"]).default("text"),
    /** Start from the caller's own number and only ask them to confirm it. */
    prefill: z.literal("caller").optional(),
    /**
     * Read back what was heard and ask for a yes: "I heard {location}. If that's right, press 1
     * or say yes; to say it again, press 2." One key confirms at once; yes and no are understood;
     * 2 or no asks the question again.
     */
    confirm: Text.optional(),
    /** The follow-up question for a place that names no street or intersection (`format: place`). */
    vague: Text.default("What street is that on, or the nearest intersection?"),
    /** Words that help speech recognition (street names, landmarks). */
    hints: z.array(z.string().trim().min(1).max(100)).max(500).optional(),
    /** Speech heard with less confidence than this is not taken: the caller is asked again. */
    minConfidence: z.number().min(0).max(1).default(0.5),
    /** Said before asking again when speech was heard with too little confidence. */
    unsure: Text.default("Sorry, I'm not sure I heard that right."),
    /**
     * Where speech that was not taken is kept (heard with too little confidence, or refused at
     * the read-back), so the crew can read it beside the caller's recording.
     */
    keepUnsure: VarName.optional(),
    /**
     * A dispatch state whose report is filed the moment this state hears an answer, and held
     * until the call reaches that state or ends: a caller who hangs up after naming the place
     * still reaches the crew.
     */
    fileReport: StateId.optional(),
    /** Longest answer kept; anything longer is cut. */
    maxLength: z.number().int().min(1).max(1000).default(300),
    timeout: Timeout.default(6),
    ...retryFields({ attempts: 2, invalid: "Sorry, I couldn't use that." }),
    next: StateId,
  })
  .superRefine((node, ctx) => {
    if (node.prefill && !node.confirm) {
      ctx.addIssue({ code: "custom", path: ["confirm"], message: "a prefilled answer must be confirmed: add a confirm prompt" });
    }
    if (node.prefill && node.format !== "phone") {
      ctx.addIssue({ code: "custom", path: ["prefill"], message: 'prefill: caller needs format: phone' });
    }
    if (node.format === "place" && node.input !== "speech") {
      ctx.addIssue({ code: "custom", path: ["format"], message: "format: place needs input: speech" });
    }
  });
export type CollectNode = z.infer<typeof CollectNode>;

function ask(node: CollectNode, ctx: StepContext, before: readonly Prompt[] = [], question: CollectNode["prompt"] = node.prompt): Action[] {
  return [
    {
      type: "gather",
      input: node.input === "speech" ? ["speech"] : ["dtmf"],
      timeout: node.timeout,
      prompts: [...before, ...prompts(question, ctx)],
      ...(node.input === "digits" ? { finishOnKey: "#" } : {}),
      ...(node.hints ? { hints: node.hints } : {}),
    },
  ];
}

function askToConfirm(node: CollectNode, ctx: StepContext, before: readonly Prompt[] = []): Action[] {
  return [
    {
      type: "gather",
      // One key answers at once (no pound to wait for); a spoken yes or no is understood too.
      input: ["dtmf", "speech"],
      numDigits: 1,
      timeout: Math.min(node.timeout, 5),
      prompts: [...before, ...prompts(node.confirm, ctx)],
      hints: CONFIRMATION_HINTS,
    },
  ];
}

/**
 * What the caller answered, as heard, before any check. Speech loses the full stop recognition
 * ends it with, so it reads back well inside a sentence ("I heard My house. If that's right...").
 */
function rawAnswer(node: CollectNode, reply: CallerReply): string {
  const heard = node.input === "speech" ? (reply.speech ?? "").replace(/[\s.!?]+$/u, "") : reply.digits ?? "";
  return heard.trim().slice(0, node.maxLength).trim();
}

/** The answer cleaned and checked; null when it is not usable. */
function usable(node: CollectNode, value: string): string | null {
  if (!value) return null;
  if (node.format === "phone") return toE164(value);
  if (node.input === "digits" && !/^\d+$/.test(value)) return null;
  return value;
}

/** The variables a transition sets, with the held report filed when the state files one. */
function heard(node: CollectNode, vars: Record<string, string>): { vars: Record<string, string>; holdReport?: string } {
  return { vars, ...(node.fileReport ? { holdReport: node.fileReport } : {}) };
}

/** With the value in hand: confirm it when the state asks for that, or move on. */
function accept(node: CollectNode, ctx: StepContext, value: string): Transition {
  const vars = { [node.into]: value };
  if (!node.confirm) return { kind: "go", to: node.next, ...heard(node, vars) };
  const withValue: StepContext = { ...ctx, call: { ...ctx.call, vars: { ...ctx.call.vars, ...vars } } };
  return { kind: "wait", ...heard(node, vars), confirming: true, attempts: ctx.call.attempts, actions: askToConfirm(node, withValue) };
}

function replyWhileConfirming(node: CollectNode, reply: CallerReply, ctx: StepContext): Transition {
  const digits = reply.digits ?? "";
  const answer = confirmation(digits, reply.speech ?? "");
  if (answer === "yes") return { kind: "go", to: node.next, vars: { [`${node.into}Confirmed`]: "yes" } };
  if (answer === "no") {
    // Asked afresh, in its own words. What was refused is kept apart, never sent as confirmed.
    const refused = ctx.call.vars[node.into] ?? "";
    const vars = { [node.into]: "", ...(node.keepUnsure && refused ? { [node.keepUnsure]: refused } : {}) };
    // A no to the caller's own number is no failed try: the caller has not answered yet.
    if (node.prefill && refused === callerNumber(ctx.call.caller)) return { kind: "wait", attempts: ctx.call.attempts, vars, actions: ask(node, ctx) };
    const again = tryAgain(node, ctx, "invalid", () => ask(node, ctx));
    return { ...again, vars };
  }
  const askAgain = (sorry: readonly Prompt[]) => askToConfirm(node, ctx, sorry);
  if (!digits && !reply.speech) return tryAgain(node, ctx, "noInput", askAgain, { confirming: true });
  return tryAgain(node, ctx, "invalid", askAgain, { confirming: true });
}

/** Two vague answers kept together ("the corner, by the school"), said once when they are the same. */
function together(first: string, second: string): string {
  return normaliseSpeech(first) === normaliseSpeech(second) ? second : `${first}, ${second}`;
}

/**
 * Asks for a value by speech or keys, checks it, optionally reads it back for confirmation, and
 * keeps it in a variable. With `prefill: caller` it starts from the caller's own number; with
 * `format: place` it asks once where exactly when the answer names no street.
 */
export const collectNode = defineNodeType<CollectNode>({
  type: "collect",
  schema: CollectNode,
  waits: true,
  exits: false,
  enter: (node, ctx) => {
    const prefilled = node.prefill === "caller" ? callerNumber(ctx.call.caller) : null;
    if (prefilled) return accept(node, ctx, prefilled);
    return { kind: "wait", actions: ask(node, ctx) };
  },
  reply: (node, reply, ctx) => {
    if (ctx.call.confirming) return replyWhileConfirming(node, reply, ctx);
    const askAgain = (sorry: readonly Prompt[]) => ask(node, ctx, sorry);
    const raw = rawAnswer(node, reply);
    // Silence after the follow-up question: the first answer stands rather than being lost.
    const firstAnswer = ctx.call.followedUp ? ctx.call.vars[node.into] : undefined;
    if (!raw) return firstAnswer ? accept(node, ctx, firstAnswer) : tryAgain(node, ctx, "noInput", askAgain);
    if (node.input === "speech" && reply.confidence !== undefined && reply.confidence < node.minConfidence) {
      const again = tryAgain(node, ctx, "invalid", () => ask(node, ctx, prompts(node.unsure, ctx)));
      return node.keepUnsure ? { ...again, ...heard(node, { [node.keepUnsure]: raw }) } : again;
    }
    const value = usable(node, raw);
    if (!value) return tryAgain(node, ctx, "invalid", askAgain);
    if (node.format === "place" && !firstAnswer && !namesAPlace(value, node.hints ?? [])) {
      // Kept at once, so a caller who hangs up now still files "my house" rather than nothing.
      return { kind: "wait", followedUp: true, attempts: ctx.call.attempts, ...heard(node, { [node.into]: value }), actions: ask(node, ctx, [], node.vague) };
    }
    return accept(node, ctx, firstAnswer && !namesAPlace(value, node.hints ?? []) ? together(firstAnswer, value) : value);
  },
  edges: (node) => [
    { path: "next", to: node.next },
    ...failureEdges(node),
  ],
});
