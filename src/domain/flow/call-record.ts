import { callerNumber, toE164 } from "../phone.js";
import type { CallRecord } from "../records.js";
import type { CallState } from "./call-state.js";
import type { Flow } from "./schema.js";

/** What Twilio's status callback says about a call that ended. */
export interface CallEnd {
  callSid: string;
  from: string;
  to: string;
  /** The final CallStatus. */
  status: string;
  durationSeconds: number | null;
  /** ISO 8601. */
  endedAt: string;
}

/**
 * The voicemail the call left: the recording of the flow's voicemail state (a `record` state
 * with `outcome: voicemail`) it went through last. Null when it left none.
 */
export function voicemailOf(flow: Flow, call: CallState): { recordingUrl: string } | null {
  if (call.outcome !== "voicemail") return null;
  for (const state of [...call.path].reverse()) {
    const node = flow.states[state];
    if (node?.type !== "record" || node.outcome !== "voicemail") continue;
    const recordingUrl = call.vars[node.into];
    if (recordingUrl) return { recordingUrl };
  }
  return null;
}

/**
 * The record the City keeps of a call that ended. `call` is the line's state of it (undefined
 * when the caller hung up before the line answered, or it has expired), `flow` the flow it ran
 * on, and `reference` the voicemail's reference when it left one.
 */
export function callRecord(end: CallEnd, call: CallState | undefined, flow: Flow, reference?: string): CallRecord {
  const voicemail = call ? voicemailOf(flow, call) : null;
  const keyed = call?.vars.callbackNumber ? toE164(call.vars.callbackNumber) : null;
  return {
    callSid: end.callSid,
    from: end.from || call?.caller || "",
    to: end.to,
    status: end.status,
    startedAt: call?.startedAt ?? end.endedAt,
    endedAt: end.endedAt,
    durationSeconds: end.durationSeconds,
    afterHours: call?.afterHours ?? false,
    // A call that ended before the line learnt how (a hang-up mid-menu) was abandoned.
    outcome: call?.outcome ?? "abandoned",
    path: call?.path ?? [],
    flow: call?.flow ?? null,
    flowVersion: call?.flowVersion ?? null,
    queue: call?.queue ? { name: call.queue.name, waitSeconds: call.queue.waitSeconds ?? null, result: call.queue.result ?? null } : null,
    reference: (voicemail ? reference : call?.vars.reference) ?? null,
    category: call?.vars.category ?? null,
    recordingUrl: voicemail?.recordingUrl ?? null,
    callbackNumber: keyed ?? callerNumber(end.from || call?.caller || ""),
    revision: call?.step ?? 0,
  };
}
