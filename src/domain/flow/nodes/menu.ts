import { z } from "zod";
import type { Action, Prompt } from "../actions.js";
import { defineNodeType, type StepContext } from "../node-type.js";
import { matchSpokenChoice } from "../text.js";
import { failureEdges, prompts, retryFields, StateId, Text, Timeout, tryAgain, VarName } from "./common.js";

const Choice = z.strictObject({
  /** The key to press: 0-9, * or #. */
  key: z.string().regex(/^[0-9*#]$/, "a key is one of 0-9, * or #"),
  /** Words a caller may say instead of pressing the key. */
  keywords: z.array(z.string().trim().min(1).max(60)).max(30).default([]),
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
    /** Tries (silence or a wrong key) before `onFail`, `onNoInput` or `onInvalid`. */
    ...retryFields({ attempts: 3, invalid: "Sorry, that is not one of the choices." }),
  })
  .superRefine((menu, ctx) => {
    const seen = new Set<string>();
    menu.choices.forEach((choice, index) => {
      if (seen.has(choice.key)) {
        ctx.addIssue({ code: "custom", path: ["choices", index, "key"], message: `key "${choice.key}" is used twice` });
      }
      seen.add(choice.key);
    });
  });
export type MenuNode = z.infer<typeof MenuNode>;

function ask(node: MenuNode, ctx: StepContext, before: Prompt[] = []): Action[] {
  const keywords = node.choices.flatMap((choice) => choice.keywords);
  return [
    {
      type: "gather",
      input: keywords.length > 0 ? ["dtmf", "speech"] : ["dtmf"],
      numDigits: 1,
      timeout: node.timeout,
      prompts: [...before, ...prompts(node.prompt, ctx)],
      ...(keywords.length > 0 ? { hints: keywords } : {}),
    },
  ];
}

/** Offers choices by key or by spoken keyword; asks again on silence or a wrong answer. */
export const menuNode = defineNodeType<MenuNode>({
  type: "menu",
  schema: MenuNode,
  waits: true,
  exits: false,
  enter: (node, ctx) => ({ kind: "wait", actions: ask(node, ctx) }),
  reply: (node, reply, ctx) => {
    const digits = reply.digits ?? "";
    const speech = reply.speech ?? "";
    if (!digits && !speech) return tryAgain(node, ctx, "noInput", (sorry) => ask(node, ctx, sorry));
    const choice = digits
      ? node.choices.find((candidate) => candidate.key === digits)
      : matchSpokenChoice(speech, node.choices);
    if (!choice) return tryAgain(node, ctx, "invalid", (sorry) => ask(node, ctx, sorry));
    return { kind: "go", to: choice.next, ...(choice.set ? { vars: choice.set } : {}) };
  },
  edges: (node) => [
    ...node.choices.map((choice, index) => ({ path: `choices[${index}].next`, to: choice.next })),
    ...failureEdges(node),
  ],
});
