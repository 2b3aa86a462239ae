import { z } from "zod";
import type { Action, Prompt } from "../actions.js";
import { defineNodeType, type StepContext, type Transition } from "../node-type.js";
import { CONFIRMATION_HINTS, confirmation, matchSpokenChoice, normaliseSpeech, spokenKey } from "../text.js";
import { failureEdges, prompts, retryFields, StateId, Text, Timeout, tryAgain, VarName } from "./common.js";

const Key = z.string().regex(/^[0-9*#]$/, "a key is one of 0-9, * or #");

const Choice = z.strictObject({
  /** The key to press: 0-9, * or #. */
  key: Key,
  /** Words a caller may say instead of pressing the key. */
  keywords: z.array(z.string().trim().min(1).max(60)).max(30).default([]),
  /**
   * Asked when the choice was heard by speech rather than pressed, before the call moves on:
   * "A watermain or sewer problem, is that right? Say yes or press 1." Yes or 1 takes the
   * choice; no or 2 asks the menu again.
   */
  confirm: Text.optional(),
  /** Values to remember when this choice is taken (`category: power`). */
  set: z.record(VarName, z.string().max(200)).optional(),
  next: StateId,
});

export const MenuNode = z
  .strictObject({
    type: z.literal("menu"),
    prompt: Text,
    choices: z.array(Choice).min(1, "a menu needs at least one choice").max(12),
    timeout: Timeout.default(5),
    /** The key that says the choices again (and the words "repeat", "say that again"); `none` for no key. @defaultValue "*" */
    repeatKey: z.union([Key, z.literal("none")]).default("*"),
    /** Said when the caller's words name more than one choice, before the choices are asked again. */
    unclear: Text.default("Sorry, I wasn't sure which one you meant."),
    /** Tries (silence or a wrong answer) before `onFail`, `onNoInput` or `onInvalid`. */
    ...retryFields({ attempts: 3, invalid: "Sorry, that is not one of the choices." }),
  })
  .superRefine((menu, ctx) => {
    const seen = new Set<string>();
    menu.choices.forEach((choice, index) => {
      if (seen.has(choice.key)) {
        ctx.addIssue({ code: "custom", path: ["choices", index, "key"], message: `key "${choice.key}" is used twice` });
      }
      if (choice.key === menu.repeatKey) {
        ctx.addIssue({
          code: "custom",
          path: ["choices", index, "key"],
          message: `key "${choice.key}" is the menu's repeat key`,
        });
      }
      seen.add(choice.key);
    });
  });
export type MenuNode = z.infer<typeof MenuNode>;
type Choice = MenuNode["choices"][number];

const REPEAT_WORDS = ["repeat", "say that again", "say it again", "again please", "what are the choices", "what were the choices", "start over", "come again", "pardon", "sorry what"];

/** Every keyword of a menu's choices: what Twilio is told to listen for. */
function keywordsOf(node: MenuNode): readonly string[] {
  let keywords = menuKeywords.get(node);
  // Frozen: it is in the gather every call is given (see ask).
  if (!keywords) menuKeywords.set(node, (keywords = Object.freeze(node.choices.flatMap((choice) => choice.keywords))));
  return keywords;
}
// Worked out once per menu of a loaded flow, rather than on every call that hears it.
const menuKeywords = new WeakMap<MenuNode, readonly string[]>();

function ask(node: MenuNode, ctx: StepContext, before: readonly Prompt[] = []): readonly Action[] {
  const spoken = prompts(node.prompt, ctx);
  // The menu as most callers hear it (no apology first, no value in its words) is made once.
  const fixed = before.length === 0 && Object.isFrozen(spoken);
  const known = fixed ? asked.get(node) : undefined;
  if (known) return known;
  const keywords = keywordsOf(node);
  const gather: Action = {
    type: "gather",
    input: keywords.length > 0 ? ["dtmf", "speech"] : ["dtmf"],
    numDigits: 1,
    timeout: node.timeout,
    prompts: [...before, ...spoken],
    ...(keywords.length > 0 ? { hints: keywords } : {}),
  };
  if (!fixed) return [gather];
  const made = Object.freeze([Object.freeze({ ...gather, input: Object.freeze(gather.input), prompts: Object.freeze(gather.prompts) })]);
  asked.set(node, made);
  return made;
}
const asked = new WeakMap<MenuNode, readonly Action[]>();

function askToConfirm(node: MenuNode, choice: Choice, ctx: StepContext, before: readonly Prompt[] = []): readonly Action[] {
  return [
    {
      type: "gather",
      input: ["dtmf", "speech"],
      numDigits: 1,
      timeout: node.timeout,
      prompts: [...before, ...prompts(choice.confirm, ctx)],
      hints: [...CONFIRMATION_HINTS, ...node.choices.flatMap((other) => other.keywords)],
    },
  ];
}

function take(choice: Choice): Transition {
  return { kind: "go", to: choice.next, ...(choice.set ? { vars: choice.set } : {}) };
}

function wantsRepeat(node: MenuNode, digits: string, speech: string): boolean {
  if (node.repeatKey !== "none" && digits === node.repeatKey) return true;
  const said = ` ${normaliseSpeech(speech)} `;
  return !digits && REPEAT_WORDS.some((phrase) => said.includes(` ${phrase} `));
}

/** A choice heard: taken at once when pressed, or asked to be confirmed when it was spoken and has a `confirm`. */
function chosen(node: MenuNode, choice: Choice, bySpeech: boolean, ctx: StepContext): Transition {
  if (!bySpeech || !choice.confirm) return take(choice);
  return { kind: "wait", confirming: true, choice: choice.key, attempts: ctx.call.attempts, actions: askToConfirm(node, choice, ctx) };
}

function replyWhileConfirming(node: MenuNode, choice: Choice, digits: string, speech: string, ctx: StepContext): Transition {
  // Words that name another choice ("no, it's the water") are asked about instead; a key, pressed
  // or said ("two"), is only ever a yes or a no here.
  const other = digits || spokenKey(speech) ? undefined : matchSpokenChoice(speech, node.choices);
  if (other?.kind === "one" && other.choice !== choice) return chosen(node, other.choice, true, ctx);
  const answer = confirmation(digits, speech);
  if (answer === "yes") return take(choice);
  const again = (sorry: readonly Prompt[]) => askToConfirm(node, choice, ctx, sorry);
  if (!digits && !speech) return tryAgain(node, ctx, "noInput", again, { confirming: true, choice: choice.key });
  // A no asks the choices again (and counts as a try, so nobody loops for ever).
  if (answer === "no") return tryAgain(node, ctx, "invalid", () => ask(node, ctx));
  return tryAgain(node, ctx, "invalid", again, { confirming: true, choice: choice.key });
}

/**
 * Offers choices by key or by spoken keyword; asks again on silence or a wrong answer, says the
 * choices again on the repeat key, asks which one when the words name several, and confirms a
 * spoken choice that has a `confirm`.
 */
export const menuNode = defineNodeType<MenuNode>({
  type: "menu",
  schema: MenuNode,
  waits: true,
  exits: false,
  enter: (node, ctx) => ({ kind: "wait", actions: ask(node, ctx) }),
  reply: (node, reply, ctx) => {
    const digits = reply.digits ?? "";
    const speech = reply.speech ?? "";
    const pending = ctx.call.confirming ? node.choices.find((choice) => choice.key === ctx.call.choice) : undefined;
    if (pending) return replyWhileConfirming(node, pending, digits, speech, ctx);
    if (!digits && !speech) return tryAgain(node, ctx, "noInput", (sorry) => ask(node, ctx, sorry));
    if (digits) {
      const pressed = node.choices.find((candidate) => candidate.key === digits);
      if (pressed) return take(pressed);
      if (wantsRepeat(node, digits, speech)) return { kind: "wait", attempts: ctx.call.attempts, actions: ask(node, ctx) };
      return tryAgain(node, ctx, "invalid", (sorry) => ask(node, ctx, sorry));
    }
    const heard = matchSpokenChoice(speech, node.choices);
    if (heard.kind === "one") return chosen(node, heard.choice, true, ctx);
    if (heard.kind === "several") return tryAgain(node, ctx, "invalid", () => ask(node, ctx, prompts(node.unclear, ctx)));
    if (wantsRepeat(node, digits, speech)) return { kind: "wait", attempts: ctx.call.attempts, actions: ask(node, ctx) };
    return tryAgain(node, ctx, "invalid", (sorry) => ask(node, ctx, sorry));
  },
  edges: (node) => [
    ...node.choices.map((choice, index) => ({ path: `choices[${index}].next`, to: choice.next })),
    ...failureEdges(node),
  ],
});
