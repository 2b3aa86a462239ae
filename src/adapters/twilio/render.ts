import twilio from "twilio";
import type VoiceResponseType from "twilio/lib/twiml/VoiceResponse.js";
import type { Action, Prompt } from "../../domain/flow/actions.js";
import type { HoldTurn } from "../../domain/flow/nodes/index.js";

const { VoiceResponse } = twilio.twiml;
type Say = VoiceResponseType.SayAttributes;

/** How spoken text sounds, from the flow. */
export interface VoiceSettings {
  voice?: string | undefined;
  language: string;
}

/** Where the caller's answers go: every action URL carries the step it answers. */
export interface CallUrls {
  step: string;
  wait: (state: string) => string;
}

/** The flow's voice and language are checked by the flow schema; Twilio's types list every value. */
export function sayAttributes(voice: VoiceSettings): Say {
  return { language: voice.language, ...(voice.voice ? { voice: voice.voice } : {}) } as Say;
}

/**
 * Renders the engine's actions as TwiML with Twilio's own `VoiceResponse`, which escapes all
 * text. Effects (`dispatch`) have no TwiML and are skipped.
 */
export function renderActions(actions: readonly Action[], voice: VoiceSettings, urls: CallUrls): string {
  // Most answers repeat (every new call's greeting and menu, every re-prompt): building the XML
  // costs thirty times more than recognising that it was built before.
  const key = JSON.stringify([actions.map(knownAs), voice.voice, voice.language, urls.step, urls.wait("")]);
  const known = recentlyRendered.get(key);
  if (known !== undefined) return known;
  const twiml = buildTwiml(actions, voice, urls);
  // A hit is only read, never moved: the map is written only when something new is rendered.
  // Past the bound, the oldest answer goes, even a common one: it is rendered again once.
  if (recentlyRendered.size >= MAX_REMEMBERED) recentlyRendered.delete(recentlyRendered.keys().next().value!);
  recentlyRendered.set(key, twiml);
  return twiml;
}

/**
 * A frozen action by a short name of its own; any other as it is. The engine gives a flow's fixed
 * words as the same frozen objects on every call: naming them spares reading them whole (the
 * greeting and menu are most of a new call's answer). Frozen, an action cannot change under its name.
 */
function knownAs(action: Action): Action | string {
  if (!Object.isFrozen(action)) return action;
  let name = actionNames.get(action);
  if (name === undefined) actionNames.set(action, (name = `#${namesGiven++}`));
  return name;
}
const actionNames = new WeakMap<Action, string>();
let namesGiven = 0;

/** Answers rendered lately, oldest first. */
const recentlyRendered = new Map<string, string>();
const MAX_REMEMBERED = 500;

function buildTwiml(actions: readonly Action[], voice: VoiceSettings, urls: CallUrls): string {
  const response = new VoiceResponse();
  const sayAs = sayAttributes(voice);
  for (const action of actions) {
    switch (action.type) {
      case "say":
        response.say(sayAs, action.text);
        break;
      case "play":
        response.play(action.url);
        break;
      case "pause":
        response.pause({ length: action.seconds });
        break;
      case "gather": {
        const gather = response.gather({
          input: [...action.input],
          action: urls.step,
          method: "POST",
          timeout: action.timeout,
          actionOnEmptyResult: true,
          language: voice.language as NonNullable<VoiceResponseType.GatherAttributes["language"]>,
          ...(action.input.includes("speech") ? { speechTimeout: "auto" } : {}),
          ...(action.numDigits ? { numDigits: action.numDigits } : {}),
          ...(action.finishOnKey ? { finishOnKey: action.finishOnKey } : {}),
          ...(action.hints?.length ? { hints: action.hints.join(", ") } : {}),
        });
        for (const prompt of action.prompts) renderPrompt(gather, prompt, sayAs);
        break;
      }
      case "record":
        response.record({
          action: urls.step,
          method: "POST",
          maxLength: action.maxLength,
          timeout: action.timeout,
          finishOnKey: action.finishOnKey,
          playBeep: action.playBeep,
        });
        // Twilio skips the action when nothing was recorded and runs the next verb instead.
        response.redirect({ method: "POST" }, urls.step);
        break;
      case "enqueue":
        response.enqueue(
          { action: urls.step, method: "POST", waitUrl: urls.wait(action.state), waitUrlMethod: "POST" },
          action.queue,
        );
        break;
      case "dial":
        response.dial({ action: urls.step, method: "POST", timeout: action.timeout }, action.number);
        break;
      case "redirect":
        response.redirect({ method: "POST" }, urls.step);
        break;
      case "hangup":
        response.hangup();
        break;
      case "dispatch":
        break;
    }
  }
  return response.toString();
}

type PromptTarget = Pick<InstanceType<typeof VoiceResponse>, "say" | "play" | "pause">;

function renderPrompt(target: PromptTarget, prompt: Prompt, sayAs: Say): void {
  if ("say" in prompt) target.say(sayAs, prompt.say);
  else if ("play" in prompt) target.play(prompt.play);
  else target.pause({ length: prompt.pause });
}

/**
 * One turn of the hold loop for a caller waiting in an agent queue. When the TwiML runs out,
 * Twilio requests the wait URL again for the next turn.
 */
export function renderHoldTurn(turn: HoldTurn, voice: VoiceSettings, choiceUrl: string): string {
  const response = new VoiceResponse();
  const sayAs = sayAttributes(voice);
  response.say(sayAs, turn.announcement);
  if (turn.offerVoicemail) {
    const gather = response.gather({ input: ["dtmf"], numDigits: 1, timeout: 5, action: choiceUrl, method: "POST" });
    gather.say(sayAs, turn.offerVoicemail);
  }
  if (turn.music) response.play(turn.music);
  else response.pause({ length: turn.pause });
  return response.toString();
}

/** The caller's answer to the voicemail offer: 1 leaves the queue (its action takes the voicemail). */
export function renderHoldChoice(digits: string | undefined, voice: VoiceSettings, waitUrl: string): string {
  const response = new VoiceResponse();
  if (digits === "1") {
    response.leave();
  } else {
    response.say(sayAttributes(voice), "Thank you. Please stay on the line.");
    response.redirect({ method: "POST" }, waitUrl);
  }
  return response.toString();
}

/** Where a caller goes when the line itself is failing. */
export type FallbackRoute = { queue: string; waitUrl: string } | { dial: string } | { goodbye: true };

/** The apology and the way forward when the line itself fails. */
export function renderFallback(route: FallbackRoute, voice: VoiceSettings): string {
  const response = new VoiceResponse();
  const sayAs = sayAttributes(voice);
  response.say(sayAs, "We're sorry, the City's phone system is having trouble.");
  if ("queue" in route) {
    response.say(sayAs, "Please hold while we connect you to the next available agent.");
    response.enqueue({ waitUrl: route.waitUrl, waitUrlMethod: "POST" }, route.queue);
  } else if ("dial" in route) {
    response.say(sayAs, "Please hold while we connect you.");
    response.dial({ timeout: 30 }, route.dial);
  } else {
    response.say(
      sayAs,
      "Please call again in a few minutes. If this is a life-threatening emergency, hang up and dial 9-1-1.",
    );
  }
  response.hangup();
  return response.toString();
}
