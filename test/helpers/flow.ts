/**
 * Shared helpers for the flow engine's specification: building flows from YAML, the City's real
 * flow and hours, Lethbridge wall-clock times, and a small driver that plays a caller through
 * `step` one webhook at a time. Nothing here touches the clock: every time is passed in.
 */
import { readFileSync } from "node:fs";
import { DateTime } from "luxon";
import type { Action } from "../../src/domain/flow/actions.js";
import type { CallerReply, CallState } from "../../src/domain/flow/call-state.js";
import { newCall, step, type StepEnvironment, type StepResult } from "../../src/domain/flow/engine.js";
import { parseFlow } from "../../src/domain/flow/parse.js";
import type { Flow } from "../../src/domain/flow/schema.js";
import { parseHours, type EmergencyOverride, type Hours } from "../../src/domain/hours/index.js";

export const ZONE = "America/Edmonton";

/** A local wall-clock time in Lethbridge: `at("2026-12-02T16:29:59")`. */
export function at(isoLocal: string): DateTime {
  const time = DateTime.fromISO(isoLocal, { zone: ZONE });
  if (!time.isValid) throw new Error(`not a local time: ${isoLocal}`);
  return time;
}

/** A flow from YAML text, checked by the real loader. */
export function flowFrom(yamlText: string, name = "test"): Flow {
  return parseFlow(name, yamlText, "test.yaml").flow;
}

/** The City's flow as it is published: `flows/main.yaml`. */
export function mainFlow(): Flow {
  return parseFlow("main", readFileSync("flows/main.yaml", "utf8"), "flows/main.yaml").flow;
}

/** The City's hours as they are published: `flows/hours.yaml`. */
export function cityHours(): Hours {
  return parseHours(readFileSync("flows/hours.yaml", "utf8"), "flows/hours.yaml");
}

/** Weekdays 08:00 to 16:30 in Lethbridge, no holidays: enough for most state tests. */
export function plainHours(): Hours {
  return parseHours(
    [
      `zone: ${ZONE}`,
      "summary: weekdays from 8 to 4:30",
      "weekly:",
      "  - days: [monday, tuesday, wednesday, thursday, friday]",
      '    open: "08:00"',
      '    close: "16:30"',
    ].join("\n"),
    "test-hours.yaml",
  );
}

/** A Wednesday morning in business hours (2026-12-02 10:00, winter: UTC-7). */
export const WEEKDAY_MORNING = "2026-12-02T10:00:00";

export function environment(
  options: { now?: DateTime; hours?: Hours; override?: EmergencyOverride | null } = {},
): StepEnvironment {
  return { now: options.now ?? at(WEEKDAY_MORNING), hours: options.hours ?? plainHours(), override: options.override ?? null };
}

export const CALL_SID = "CA0123456789abcdef0123456789abcdef";
export const CALLER = "+14035550123";

/** A call that has not had its first step yet. */
export function freshCall(flow: Flow, options: { caller?: string; now?: DateTime } = {}): CallState {
  return newCall(flow, { callSid: CALL_SID, caller: options.caller ?? CALLER, now: options.now ?? at(WEEKDAY_MORNING) });
}

/** Freezes an object and everything it holds, so a test can prove nothing writes to it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

/**
 * Everything the caller hears from a set of actions, in order: spoken sentences, and the
 * prompts inside a `<Gather>`.
 */
export function heard(actions: readonly Action[]): string[] {
  return actions.flatMap((action) => {
    if (action.type === "say") return [action.text];
    if (action.type === "gather") return action.prompts.flatMap((prompt) => ("say" in prompt ? [prompt.say] : []));
    return [];
  });
}

/** The one action of a type in a response; fails the test when there is not exactly one. */
export function only<T extends Action["type"]>(actions: readonly Action[], type: T): Extract<Action, { type: T }> {
  const found = actions.filter((action): action is Extract<Action, { type: T }> => action.type === type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type} action, found ${found.length}: ${JSON.stringify(actions)}`);
  return found[0]!;
}

/**
 * A caller on the line: each method is one webhook, answered by `step`. Keeps the last result
 * so a test can look at what was said and where the call is.
 *
 * @example
 * const phone = ring(mainFlow(), environment({ now: at("2026-12-02T10:00:00") }));
 * phone.press("1");
 * expect(phone.call.state).toBe("queue-billing");
 */
export class Caller {
  call: CallState;
  last: StepResult;

  constructor(
    readonly flow: Flow,
    readonly env: StepEnvironment,
    options: { caller?: string } = {},
  ) {
    const first = step(flow, freshCall(flow, { caller: options.caller ?? CALLER, now: env.now }), {}, env);
    this.last = first;
    this.call = first.call;
  }

  /** What the caller heard in the last response. */
  get heard(): string[] {
    return heard(this.last.actions);
  }

  get actions(): Action[] {
    return this.last.actions;
  }

  reply(reply: CallerReply): StepResult {
    this.last = step(this.flow, this.call, reply, this.env);
    this.call = this.last.call;
    return this.last;
  }

  press(digits: string): StepResult {
    return this.reply({ digits });
  }

  say(speech: string, confidence = 0.9): StepResult {
    return this.reply({ speech, confidence });
  }

  silence(): StepResult {
    return this.reply({});
  }

  /** Twilio comes back after a `redirect` with no caller input. */
  followRedirect(): StepResult {
    return this.reply({});
  }
}

/** Answers a new call: the first webhook has already been stepped. */
export function ring(flow: Flow, env: StepEnvironment, options: { caller?: string } = {}): Caller {
  return new Caller(flow, env, options);
}
