import type { DateTime } from "luxon";
import { activeOverride, hoursOutlook, type EmergencyOverride, type Hours } from "../hours/index.js";
import { chainStep, everySupervisor, type Member, type Roster } from "../oncall/roster/index.js";
import type { Action, ReportDraft } from "./actions.js";
import type { CallerReply, CallState } from "./call-state.js";
import { newCall, step, type StepEnvironment } from "./engine.js";
import { holdTurn } from "./nodes/index.js";
import type { Flow, FlowNode } from "./schema.js";

/**
 * What the caller does on one turn of the test phone. A turn answers what the line last asked:
 * keys or words for a menu or a question, a recording after the tone, `1` for the voicemail a
 * queue offers, or hanging up.
 */
export interface TryReply {
  /** Keys pressed: `1`, `4035550123` (a trailing `#` ends the number, as on a phone). */
  digits?: string;
  /** What the caller says, as speech recognition would hear it. */
  speech?: string;
  /** How sure speech recognition is, 0 to 1; left out, the words are taken as heard. */
  confidence?: number;
  /** After the tone: `true` records something, a URL names the recording, `false` records nothing. */
  recording?: boolean | string;
  /** The caller hangs up. */
  hangup?: boolean;
}

/** What the line is listening for at the end of a turn. */
export type ListeningFor = "keys" | "speech" | "keys or speech" | "a recording";

/** One turn of a tried call: the caller's reply (none for the answer), and what they heard back. */
export interface TryTurn {
  reply?: TryReply;
  /** What the caller hears, in order: the words said, `(a recording is played)`, `(beep)`, `(music)`. */
  heard: string[];
  /** What the line waits for now, when it waits for the caller. */
  listeningFor?: ListeningFor;
  /** The state the call is in after the turn. */
  state: string;
}

export interface TryCallResult {
  turns: TryTurn[];
  /** Every state the call went through, in order: what lights up on the diagram. */
  path: string[];
  /** The call is over: it hung up, the caller hung up, or an agent or a transfer ended it. */
  ended: boolean;
  /** How the call would be counted (`urgent-report`, `voicemail`, `abandoned`, ...), once known. */
  outcome?: string;
  /** What would have happened and did not, in plain words: reports filed, people paged, queues, transfers. */
  effects: string[];
  /** When the call goes on: what it waits for (an answer in a state, an agent, a transfer). */
  awaiting?: string;
  /** Replies left over when the call ended or stopped before they were used. */
  unusedReplies: number;
}

export interface TryCallInput {
  flow: Flow;
  hours: Hours;
  /** The emergency override as stored; whether it applies at `at` is worked out as for a real call. */
  override: EmergencyOverride | null;
  roster: Roster;
  /** The moment the call is made, in any zone; the hours' zone decides the local time. */
  at: DateTime;
  /** The caller's number, as Twilio would give it. */
  from: string;
  replies: readonly TryReply[];
}

/** The test phone's call: a CallSid no real call can have (all zeros). */
export const TRY_CALL_SID = "CA00000000000000000000000000000000";
/** The reference a test phone's report is read back with, clearly a sample. */
export const TRY_REFERENCE = "123456";
/** A recording the caller made on the test phone, when they did not name one. */
export const TRY_RECORDING_URL = "https://test-phone.invalid/recording.wav";
/** Webhooks a tried call may take before the test phone gives up on it. */
export const MAX_TRY_TURNS = 50;

/**
 * The console's test phone: runs a call through the engine exactly as the voice webhook does
 * (`newCall`, then one `step` per request, with the hours, the override as it applies at `at`
 * and the day's hours outlook), feeding one reply per turn, and follows the redirects Twilio
 * would follow. It files no report, pages nobody and touches no live call: the effects are
 * described instead, naming who would be paged first. Stops when the replies run out, the call
 * ends or waits for a person (an agent, a transfer), or after {@link MAX_TRY_TURNS} webhooks.
 * The time stays `at` for the whole call. Pure.
 *
 * @throws the engine's errors (UnknownStateError, FlowLoopError) for a flow the loader would refuse
 * @example tryCall({ flow, hours, override: null, roster, at: local("2026-12-05T02:00"), from: "+14035550123", replies: [{ digits: "2" }] })
 *   // { turns: [{ heard: ["Thank you for calling ...", ...], listeningFor: "keys or speech", state: "urgent-menu" }, { reply: { digits: "2" }, ... }], ... }
 */
export function tryCall(input: TryCallInput): TryCallResult {
  const { flow, hours, roster, at } = input;
  const env: StepEnvironment = {
    now: at,
    hours,
    override: activeOverride(input.override, at),
    outlook: hoursOutlook(hours, at.setZone(hours.zone).toISODate()!),
  };
  const effects: string[] = [];
  const turns: TryTurn[] = [];
  let webhooks = 0;
  let held = false;
  let lastReport: ReportDraft | undefined;
  let call: CallState = newCall(flow, { callSid: TRY_CALL_SID, caller: input.from, now: at });
  let last: Action[] = [];

  /** One webhook, and the redirects that follow it at once, as one turn the caller hears. */
  const turn = (reply: CallerReply, given?: TryReply) => {
    const heard: string[] = [];
    for (let request = reply; webhooks < MAX_TRY_TURNS; request = {}) {
      webhooks++;
      const result = step(flow, call, request, env);
      call = result.call;
      for (const action of result.actions) {
        if (action.type !== "dispatch") continue;
        // As the webhook does: the report's reference is the call's from then on.
        call.vars.reference = TRY_REFERENCE;
        lastReport = action.report;
        if (!action.hold) effects.push(reportSent(action.report, roster, at));
        else if (!held) effects.push(reportHeld(action.report, call));
        held = action.hold;
      }
      heard.push(...whatIsHeard(result.actions, flow));
      effects.push(...handedOver(result.actions));
      last = result.actions;
      if (call.ended || !result.actions.some((action) => action.type === "redirect")) break;
    }
    turns.push({ ...(given ? { reply: given } : {}), heard, ...listening(last), state: call.state });
  };

  turn({});
  let used = 0;
  for (const reply of input.replies) {
    if (call.ended || webhooks >= MAX_TRY_TURNS) break;
    if (reply.hangup) {
      used++;
      call = { ...call, ended: true, outcome: call.outcome ?? "abandoned" };
      // The status callback releases a held report at once.
      if (held && lastReport) effects.push(`The caller hung up: ${lowerFirst(reportSent(lastReport, roster, at))}`);
      turns.push({ reply, heard: [], state: call.state });
      break;
    }
    const request = callerReply(flow.states[call.state], last, reply);
    if (request === null) break;
    used++;
    turn(request, reply);
  }

  return {
    turns,
    path: call.path,
    ended: call.ended,
    ...(call.outcome ? { outcome: call.outcome } : {}),
    effects,
    ...awaiting(call, last, webhooks),
    unusedReplies: input.replies.length - used,
  };
}

/**
 * The request Twilio would send for the caller's reply to the state waiting now; null when the
 * reply cannot be given there (a caller holding for an agent, a transfer ringing).
 */
function callerReply(node: FlowNode | undefined, last: readonly Action[], reply: TryReply): CallerReply | null {
  if (node?.type === "record") {
    if (reply.recording === undefined || reply.recording === false) return {};
    const url = typeof reply.recording === "string" && /^https?:\/\//.test(reply.recording) ? reply.recording : TRY_RECORDING_URL;
    return { recordingUrl: url, recordingDuration: 5 };
  }
  if (node?.type === "enqueue") {
    // The hold loop's voicemail offer: 1 leaves the queue.
    return reply.digits === "1" && node.voicemail !== undefined && node.maxWait !== undefined ? { queueResult: "leave" } : null;
  }
  if (node?.type === "transfer") return null;
  const gather = last.find((action): action is Extract<Action, { type: "gather" }> => action.type === "gather");
  const request: CallerReply = {};
  const digits = keysPressed(reply.digits, gather);
  if (digits) request.digits = digits;
  if (reply.speech?.trim()) request.speech = reply.speech.trim();
  if (reply.confidence !== undefined) request.confidence = reply.confidence;
  return request;
}

/** The keys as Twilio reports them: up to the gather's number of digits, the finishing key left off. */
function keysPressed(digits: string | undefined, gather: Extract<Action, { type: "gather" }> | undefined): string | undefined {
  if (!digits) return undefined;
  if (!/^[0-9*#]+$/.test(digits)) return "?";
  let keys = digits;
  if (gather?.finishOnKey && keys.includes(gather.finishOnKey)) keys = keys.slice(0, keys.indexOf(gather.finishOnKey));
  if (gather?.numDigits) keys = keys.slice(0, gather.numDigits);
  return keys || undefined;
}

/** What the caller hears from a response, in order, as text. */
function whatIsHeard(actions: readonly Action[], flow: Flow): string[] {
  return actions.flatMap((action): string[] => {
    switch (action.type) {
      case "say":
        return [action.text];
      case "play":
        return ["(a recording is played)"];
      case "gather":
        return action.prompts.flatMap((prompt) => ("say" in prompt ? [prompt.say] : "play" in prompt ? ["(a recording is played)"] : []));
      case "record":
        return action.playBeep ? ["(beep)"] : [];
      case "enqueue": {
        // The hold loop's first turn, as the wait URL would answer it for the first in line.
        const node = flow.states[action.state];
        if (node?.type !== "enqueue") return [];
        const hold = holdTurn(node, 1, 0);
        return [hold.announcement, ...(hold.music ? ["(music)"] : [])];
      }
      default:
        return [];
    }
  });
}

/** A caller handed to a person, which the test phone cannot follow. */
function handedOver(actions: readonly Action[]): string[] {
  return actions.flatMap((action) => {
    if (action.type === "enqueue") return [`The caller would be put in the queue "${action.queue}" for an agent`];
    if (action.type === "dial") return [`The call would be transferred to ${action.number}`];
    return [];
  });
}

function listening(actions: readonly Action[]): { listeningFor?: ListeningFor } {
  for (const action of actions) {
    if (action.type === "record") return { listeningFor: "a recording" };
    if (action.type === "gather") {
      const keys = action.input.includes("dtmf");
      const speech = action.input.includes("speech");
      return { listeningFor: keys && speech ? "keys or speech" : speech ? "speech" : "keys" };
    }
  }
  return {};
}

function awaiting(call: CallState, last: readonly Action[], webhooks: number): { awaiting?: string } {
  if (call.ended) return {};
  if (webhooks >= MAX_TRY_TURNS) return { awaiting: `nothing more: the test phone stopped after ${MAX_TRY_TURNS} turns` };
  const enqueue = last.find((action) => action.type === "enqueue");
  if (enqueue) return { awaiting: `an agent: the caller holds in the queue "${enqueue.queue}"` };
  const dial = last.find((action) => action.type === "dial");
  if (dial) return { awaiting: `the transfer to ${dial.number} to be answered` };
  const { listeningFor } = listening(last);
  return listeningFor ? { awaiting: `${listeningFor} in "${call.state}"` } : {};
}

/** A report filed early, held while the caller goes on answering. */
function reportHeld(report: ReportDraft, call: CallState): string {
  const dispatch = call.heldReport ? ` when the call reaches "${call.heldReport}" or the caller hangs up` : "";
  return `A report for ${report.category} ${place(report)} would be filed now and held while the caller answers; it would go to the crew${dispatch}`;
}

/** A report sent to the crew, and whom the worker would page first. */
function reportSent(report: ReportDraft, roster: Roster, at: DateTime): string {
  const what = report.pageSupervisor ? `The caller's recorded report${report.category === "general" ? "" : ` (${report.category})`}` : `A report for ${report.category} ${place(report)}`;
  const callback = report.callbackNumber ? `, call back on ${report.callbackNumber},` : ", no number to call back,";
  return `${what}${callback} would be filed as ${TRY_REFERENCE} and ${paged(roster, report, at)}`;
}

function place(report: ReportDraft): string {
  if (report.location === "(not given)") return "with no place given";
  if (report.recordingUrl && !report.locationUnsure && !report.locationConfirmed && report.location.startsWith("(recorded")) return "at a place the caller recorded";
  const how = report.locationConfirmed ? " (caller confirmed)" : report.locationUnsure ? " (heard unsure, with the caller's recording)" : "";
  return `at "${report.location}"${how}`;
}

/**
 * Who the worker would page first for a report filed at `at`: the first step of the category's
 * chain that someone holds (the supervisor alone for a recorded report), or every supervisor at
 * once for a category the roster does not have. The same `chainStep` the worker runs.
 */
function paged(roster: Roster, report: ReportDraft, at: DateTime): string {
  if (!Object.hasOwn(roster.categories, report.category)) {
    const supervisors = everySupervisor(roster);
    return `every supervisor paged at once (no crew for "${report.category}"): ${supervisors.map((member) => member.name).join(", ")}`;
  }
  const options = report.pageSupervisor ? { supervisorsOnly: true } : {};
  for (let index = 0; ; index++) {
    const next = chainStep(roster, report.category, index, at, null, options);
    if (next.kind === "page") return `${next.step.member.name} (${next.step.role}) paged ${byChannels(next.step.member)}`;
    if (next.kind === "end") return "nobody paged: the chain is empty";
  }
}

function byChannels(member: Member): string {
  const ways = member.channels.map((channel) => (channel === "sms" ? "SMS" : "a voice call"));
  return `by ${ways.join(" and ")}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
