import type { DateTime } from "luxon";
import type { EmergencyOverride, Hours, HoursOutlook, MinuteStatus } from "../hours/index.js";
import type { Action } from "./actions.js";
import type { CallerReply, CallState } from "./call-state.js";
import type { StepContext, Transition } from "./node-type.js";
import { reportDraft } from "./nodes/dispatch.js";
import { nodeTypeOf } from "./nodes/index.js";
import type { Flow, FlowNode } from "./schema.js";

/** What the engine needs to know about the world besides the call: the moment and the hours. */
export interface StepEnvironment {
  now: DateTime;
  hours: Hours;
  override: EmergencyOverride | null;
  /** Today's `hoursOutlook`, worked out beforehand by the shell; without it an hours state plans the days itself. */
  outlook?: HoursOutlook;
  /**
   * The line's status this minute, when the shell worked it out beforehand (see
   * `HoursOutlooks.status`): an hours state reads it when it is for these hours, this override
   * and the minute of `now`, and works the status out otherwise.
   */
  minuteStatus?: MinuteStatus;
}

export interface StepResult {
  call: CallState;
  actions: Action[];
}

/** States entered in one step before the engine decides the flow is looping. */
const MAX_STATES_PER_STEP = 32;

/** The call is in a state its flow no longer has (the flow changed under a live call). */
export class UnknownStateError extends Error {
  override readonly name = "UnknownStateError";
  constructor(readonly flow: string, readonly state: string) {
    super(`flow "${flow}" has no state "${state}"`);
  }
}

/** The flow went round without ever waiting for the caller. The flow checks refuse such flows. */
export class FlowLoopError extends Error {
  override readonly name = "FlowLoopError";
  constructor(readonly flow: string, readonly path: readonly string[]) {
    super(`flow "${flow}" entered ${MAX_STATES_PER_STEP} states without waiting for the caller: ${path.join(" > ")}`);
  }
}

/** A new call, before its first step. */
export function newCall(flow: Flow, init: { callSid: string; caller: string; now: DateTime }): CallState {
  return {
    callSid: init.callSid,
    flow: flow.name,
    ...(flow.version === undefined ? {} : { flowVersion: flow.version }),
    state: flow.start,
    entering: true,
    step: 0,
    attempts: 0,
    confirming: false,
    vars: {},
    path: [],
    caller: init.caller,
    startedAt: init.now.toISO()!,
    ended: false,
  };
}

/**
 * Advances a call by one webhook: enters the waiting state or hands it the caller's reply, then
 * follows transitions until a state waits, the call ends, or an effect needs a round trip.
 * Pure: the same flow, call, reply and environment always give the same result, and nothing
 * outside is touched.
 *
 * @example
 * const first = step(flow, newCall(flow, { callSid, caller, now }), {}, env);
 * render(first.actions); // greeting, then the menu's <Gather>
 * const second = step(flow, first.call, { digits: "1" }, env);
 */
export function step(flow: Flow, call: CallState, reply: CallerReply, env: StepEnvironment): StepResult {
  let current: CallState = { ...call, step: call.step + 1, vars: { ...call.vars }, path: [...call.path] };
  if (current.ended) return { call: current, actions: [{ type: "hangup" }] };

  const actions: Action[] = [];
  const context = (): StepContext => ({ call: current, now: env.now, hours: env.hours, override: env.override, outlook: env.outlook, minuteStatus: env.minuteStatus });
  const enter = (): Transition => {
    current.entering = false;
    current.path.push(current.state);
    const node = stateOf(flow, current.state);
    return nodeTypeOf(node).enter(node, context());
  };

  let transition: Transition;
  if (current.entering) {
    transition = enter();
  } else {
    const node = stateOf(flow, current.state);
    const type = nodeTypeOf(node);
    // A state that does not wait has no reply to take (a stale request); enter it afresh.
    transition = type.reply ? type.reply(node, reply, context()) : enter();
  }

  for (let entered = 1; ; entered++) {
    if (transition.actions) actions.push(...transition.actions);
    current = withTransition(current, transition);
    if (transition.kind === "wait") break;
    if (transition.kind === "end") {
      actions.push({ type: "hangup" });
      break;
    }
    if (transition.pause) {
      actions.push({ type: "redirect" });
      break;
    }
    if (entered >= MAX_STATES_PER_STEP) throw new FlowLoopError(flow.name, current.path.slice(-MAX_STATES_PER_STEP));
    transition = enter();
  }
  return withHeldReport(flow, current, actions, env);
}

/**
 * While a report is held, every step files it again with what the call knows now (a confirmed
 * place, the callback number), which also keeps it held while the caller is still answering.
 * When the call ends before its dispatch state, the report is released as it is. The dispatch
 * state itself files the final one.
 */
function withHeldReport(flow: Flow, call: CallState, actions: Action[], env: StepEnvironment): StepResult {
  if (!call.heldReport) return { call, actions };
  const { heldReport, ...released } = call;
  if (actions.some((action) => action.type === "dispatch" && !action.hold)) return { call: released, actions };
  const node = stateOf(flow, heldReport);
  if (node.type !== "dispatch") throw new Error(`state "${heldReport}" is not a dispatch state`);
  const report = reportDraft(node, { call, now: env.now, hours: env.hours, override: env.override });
  if (!call.ended) return { call, actions: [...actions, { type: "dispatch", report, hold: true }] };
  return { call: released, actions: [...actions, { type: "dispatch", report, hold: false }] };
}

function withTransition(call: CallState, transition: Transition): CallState {
  // One copy per transition, filled in below: a new call goes through half a dozen of them.
  // A choice waiting for a yes, and a follow-up asked, last only until the next transition.
  const { choice: _choice, followedUp: _followedUp, ...rest } = call;
  const next: CallState = rest;
  if ("vars" in transition && transition.vars) next.vars = { ...call.vars, ...transition.vars };
  const holdReport = "holdReport" in transition ? transition.holdReport : undefined;
  if (holdReport) next.outcome = "urgent-report";
  else if ("outcome" in transition && transition.outcome) next.outcome = transition.outcome;
  if (holdReport && !call.heldReport) next.heldReport = holdReport;
  if ("queue" in transition && transition.queue) next.queue = transition.queue;
  switch (transition.kind) {
    case "go":
      next.state = transition.to;
      next.entering = true;
      next.attempts = 0;
      next.confirming = false;
      return next;
    case "wait":
      next.attempts = transition.attempts ?? 0;
      next.confirming = transition.confirming ?? false;
      if (transition.choice) next.choice = transition.choice;
      if (transition.followedUp) next.followedUp = true;
      return next;
    case "end":
      next.ended = true;
      return next;
  }
}

function stateOf(flow: Flow, id: string): FlowNode {
  const node = flow.states[id];
  if (!node) throw new UnknownStateError(flow.name, id);
  return node;
}
