import { z } from "zod";
import { callerNumber, toE164 } from "../../phone.js";
import type { Action, Prompt } from "../actions.js";
import type { CallerReply } from "../call-state.js";
import { defineNodeType, type StepContext, type Transition } from "../node-type.js";
import { failureEdges, prompts, retryFields, StateId, Text, Timeout, tryAgain, VarName } from "./common.js";

export const CollectNode = z
  .strictObject({
    type: z.literal("collect"),
    /** The variable that receives the answer (`location`, `callbackNumber`). */
    into: VarName,
    /** Listen for words (`speech`) or keys (`digits`, ended with #). */
    input: z.enum(["speech", "digits"]),
    prompt: Text,
    /** `phone` accepts a North American or +country number and keeps it as E.164. */
    format: z.enum(["text", "phone"]).default("text"),
    /** Start from the caller's own number and only ask them to confirm it. */
    prefill: z.literal("caller").optional(),
    /** Read back what was heard and ask for 1 to confirm, e.g. "We have {callbackNumber|digits}. Press 1 ...". */
    confirm: Text.optional(),
    /** Words that help speech recognition (street names, landmarks). */
    hints: z.array(z.string().trim().min(1).max(100)).max(500).optional(),
    /** Speech heard with less confidence than this counts as not understood. */
    minConfidence: z.number().min(0).max(1).default(0),
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
  });
export type CollectNode = z.infer<typeof CollectNode>;

function ask(node: CollectNode, ctx: StepContext, before: Prompt[] = []): Action[] {
  return [
    {
      type: "gather",
      input: node.input === "speech" ? ["speech"] : ["dtmf"],
      timeout: node.timeout,
      prompts: [...before, ...prompts(node.prompt, ctx)],
      ...(node.input === "digits" ? { finishOnKey: "#" } : {}),
      ...(node.hints ? { hints: node.hints } : {}),
    },
  ];
}

function askToConfirm(node: CollectNode, ctx: StepContext, before: Prompt[] = []): Action[] {
  return [
    {
      type: "gather",
      // Keys only: a spoken "yes" is easy to mishear in a storm, and a new number is keyed in.
      input: ["dtmf"],
      timeout: Math.min(node.timeout, 5),
      finishOnKey: "#",
      prompts: [...before, ...prompts(node.confirm, ctx)],
    },
  ];
}

/** The answer in the reply, cleaned and checked; null when it is not usable. */
function answerFrom(node: CollectNode, reply: CallerReply): string | null {
  const raw = node.input === "speech" ? reply.speech ?? "" : reply.digits ?? "";
  if (node.input === "speech" && reply.confidence !== undefined && reply.confidence < node.minConfidence) return null;
  const value = raw.trim().slice(0, node.maxLength).trim();
  if (!value) return null;
  if (node.format === "phone") return toE164(value);
  if (node.input === "digits" && !/^\d+$/.test(value)) return null;
  return value;
}

/** With the value in hand: confirm it when the state asks for that, or move on. */
function accept(node: CollectNode, ctx: StepContext, value: string): Transition {
  const vars = { [node.into]: value };
  if (!node.confirm) return { kind: "go", to: node.next, vars };
  const withValue: StepContext = { ...ctx, call: { ...ctx.call, vars: { ...ctx.call.vars, ...vars } } };
  return { kind: "wait", vars, confirming: true, attempts: ctx.call.attempts, actions: askToConfirm(node, withValue) };
}

function replyWhileConfirming(node: CollectNode, reply: CallerReply, ctx: StepContext): Transition {
  const digits = reply.digits ?? "";
  const askAgain = (sorry: Prompt[]) => askToConfirm(node, ctx, sorry);
  if (digits === "1") return { kind: "go", to: node.next };
  if (!digits) return tryAgain(node, ctx, "noInput", askAgain, { confirming: true });
  if (node.input === "speech" && digits === "2") return { kind: "wait", attempts: ctx.call.attempts, actions: ask(node, ctx) };
  if (node.input === "digits" && digits.length > 1) {
    const value = answerFrom(node, reply);
    if (value) return accept(node, ctx, value);
  }
  return tryAgain(node, ctx, "invalid", askAgain, { confirming: true });
}

/**
 * Asks for a value by speech or keys, checks it, optionally reads it back for confirmation, and
 * keeps it in a variable. With `prefill: caller` it starts from the caller's own number.
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
    const heard = node.input === "speech" ? reply.speech : reply.digits;
    const askAgain = (sorry: Prompt[]) => ask(node, ctx, sorry);
    if (!heard?.trim()) return tryAgain(node, ctx, "noInput", askAgain);
    const value = answerFrom(node, reply);
    if (!value) return tryAgain(node, ctx, "invalid", askAgain);
    return accept(node, ctx, value);
  },
  edges: (node) => [
    { path: "next", to: node.next },
    ...failureEdges(node),
  ],
});
