import { z } from "zod";
import type { Action, Prompt } from "../actions.js";
import type { StepContext, Transition } from "../node-type.js";
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

/** Seconds to wait for the caller. */
export const Timeout = z.number().int().min(1).max(60);

/** The sentences of a text with the call's values filled in. */
export function sentences(text: Text | undefined, ctx: StepContext): string[] {
  if (text === undefined) return [];
  const lines = typeof text === "string" ? [text] : text;
  return lines.map((line) => fillTemplate(line, ctx.call.vars)).filter(Boolean);
}

export function say(text: Text | undefined, ctx: StepContext): Action[] {
  return sentences(text, ctx).map((line) => ({ type: "say", text: line }));
}

export function prompts(text: Text | undefined, ctx: StepContext): Prompt[] {
  return sentences(text, ctx).map((line) => ({ say: line }));
}

/**
 * The caller did not give a usable answer: ask again with `sorry` first, or, when they have
 * used their tries, go where the state sends failures.
 */
export function tryAgain(
  node: { attempts: number; onFail: z.infer<typeof OnFail> },
  ctx: StepContext,
  sorry: Text,
  ask: (sorry: Prompt[]) => Action[],
  extra: { confirming?: boolean } = {},
): Transition {
  const attempts = ctx.call.attempts + 1;
  if (attempts >= node.attempts) {
    return { kind: "go", to: node.onFail.next, actions: say(node.onFail.say, ctx) };
  }
  return { kind: "wait", attempts, actions: ask(prompts(sorry, ctx)), ...extra };
}
