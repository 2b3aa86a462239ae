import { z } from "zod";
import type { Action, Prompt } from "../actions.js";
import type { Edge, StepContext, Transition } from "../node-type.js";
import { fillTemplate } from "../text.js";

/** A state's name: lower case, digits and dashes (`after-hours-menu`). */
export const StateId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, "a state name is lower case letters, digits and dashes, starting with a letter");

/** A name for a collected value (`callbackNumber`), usable in prompts as `{callbackNumber}`. */
export const VarName = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9]{0,39}$/, "a variable name is letters and digits, starting with a letter");

/** What the caller hears: one sentence, or several said in order. `{name}` placeholders are filled. */
export const Text = z.union([
  z.string().trim().min(1, "say something, or leave the field out").max(1000),
  z.array(z.string().trim().min(1).max(1000)).min(1).max(20),
]);
export type Text = z.infer<typeof Text>;

export const AudioUrl = z.url({ protocol: /^https?$/, error: "an audio file's address starts with https:// (or http://)" });

/** Where a state goes when the caller has failed it too many times, and what they hear first. */
export const OnFail = z.strictObject({ say: Text.optional(), next: StateId });
type OnFail = z.infer<typeof OnFail>;

/**
 * The fields of a state that asks the caller and counts failed tries: how many, what the caller
 * hears after silence (`noInput`) or an answer it cannot use (`invalid`), and where the caller
 * goes once the tries are used up. `onNoInput` and `onInvalid`, when given, take the caller whose
 * last try was silence or a wrong answer (a silent caller may be unable to press keys); `onFail`
 * takes the rest.
 */
export function retryFields(defaults: { attempts: number; invalid: string }) {
  return {
    attempts: z.number().int().min(1).max(5).default(defaults.attempts),
    noInput: Text.default("Sorry, I didn't catch that."),
    invalid: Text.default(defaults.invalid),
    onFail: OnFail,
    onNoInput: OnFail.optional(),
    onInvalid: OnFail.optional(),
  };
}

/** How a try failed: silence, or an answer the state cannot use. */
export type Failure = "noInput" | "invalid";

interface Retries {
  attempts: number;
  noInput: Text;
  invalid: Text;
  onFail: OnFail;
  onNoInput?: OnFail | undefined;
  onInvalid?: OnFail | undefined;
}

/** The failure transitions of a state with `retryFields`, for the flow checks. */
export function failureEdges(node: Retries): Edge[] {
  return (["onFail", "onNoInput", "onInvalid"] as const).flatMap((field) => {
    const route = node[field];
    return route ? [{ path: `${field}.next`, to: route.next }] : [];
  });
}

/** Seconds to wait for the caller. */
export const Timeout = z.number().int().min(1).max(60);

/** The sentences of a text with the call's values filled in. */
export function sentences(text: Text | undefined, ctx: StepContext): string[] {
  if (text === undefined) return [];
  const lines = typeof text === "string" ? [text] : text;
  return lines.map((line) => fillTemplate(line, ctx.call.vars)).filter(Boolean);
}

export function say(text: Text | undefined, ctx: StepContext): readonly Action[] {
  return madeOnceWhenFixed(saidOnce, text, ctx, (line) => ({ type: "say", text: line }));
}

export function prompts(text: Text | undefined, ctx: StepContext): readonly Prompt[] {
  return madeOnceWhenFixed(promptedOnce, text, ctx, (line) => ({ say: line }));
}

/** What the texts of the flows make, by text: a sentence, or the list of them a flow holds. */
interface MadeOnce<T> {
  sentences: Map<string, readonly T[]>;
  lists: WeakMap<readonly string[], readonly T[]>;
}
const saidOnce: MadeOnce<Action> = { sentences: new Map(), lists: new WeakMap() };
const promptedOnce: MadeOnce<Prompt> = { sentences: new Map(), lists: new WeakMap() };

/**
 * A text with no placeholders is heard alike on every call: what it makes is made once, frozen,
 * and the same objects are given each time, which the renderer knows again without reading them
 * (most of what callers hear is such text). A text with values to fill is made afresh.
 */
function madeOnceWhenFixed<T extends object>(memo: MadeOnce<T>, text: Text | undefined, ctx: StepContext, make: (line: string) => T): readonly T[] {
  if (text === undefined) return [];
  const lines = typeof text === "string" ? [text] : text;
  if (lines.some((line) => line.includes("{"))) return sentences(text, ctx).map(make);
  let made = typeof text === "string" ? memo.sentences.get(text) : memo.lists.get(text);
  if (made === undefined) {
    made = Object.freeze(sentences(text, ctx).map((line) => Object.freeze(make(line))));
    if (typeof text !== "string") memo.lists.set(text, made);
    else {
      // Flows hold a few hundred texts; a bound all the same, for texts that come and go with edits.
      if (memo.sentences.size >= 2_000) memo.sentences.clear();
      memo.sentences.set(text, made);
    }
  }
  return made;
}

/**
 * The caller did not give a usable answer: ask again with the apology for this failure first,
 * or, when they have used their tries, go where the state sends this failure.
 */
export function tryAgain(
  node: Retries,
  ctx: StepContext,
  failure: Failure,
  ask: (sorry: readonly Prompt[]) => readonly Action[],
  extra: { confirming?: boolean; choice?: string } = {},
): Extract<Transition, { kind: "go" | "wait" }> {
  const attempts = ctx.call.attempts + 1;
  if (attempts >= node.attempts) {
    const route = (failure === "noInput" ? node.onNoInput : node.onInvalid) ?? node.onFail;
    return { kind: "go", to: route.next, actions: say(route.say, ctx) };
  }
  return { kind: "wait", attempts, actions: ask(prompts(node[failure], ctx)), ...extra };
}
