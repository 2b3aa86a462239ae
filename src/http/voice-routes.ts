import type { Request, Response } from "express";
import type { DateTime } from "luxon";
import type { Definitions } from "../definitions/live-definitions.js";
import { HoursOutlooks } from "../adapters/hours-outlooks.js";
import {
  renderActions,
  renderFallback,
  renderHoldChoice,
  renderHoldTurn,
  type FallbackRoute,
} from "../adapters/twilio/render.js";
import { commandTimedOut } from "../adapters/redis/outage-log.js";
import { cleanText, replyFromParams } from "../adapters/twilio/reply.js";
import type { ReportDraft } from "../domain/flow/actions.js";
import type { CallState } from "../domain/flow/call-state.js";
import { callRecord, voicemailOf, type CallEnd } from "../domain/flow/call-record.js";
import type { CallRecord } from "../domain/records.js";
import { newCall, step, type StepEnvironment, type StepResult } from "../domain/flow/engine.js";
import { holdTurn } from "../domain/flow/nodes/index.js";
import type { Flow } from "../domain/flow/schema.js";
import { activeOverride, lineStatus, type EmergencyOverride, type MinuteStatus } from "../domain/hours/index.js";
import type { CallStore, OverrideStore, RecordKeeper, ReportQueue } from "../domain/ports.js";
import type { CallObserver } from "../domain/observers.js";
import type { Logger } from "../logger.js";
import { sendXml, type Webhooks } from "./webhooks.js";

export interface VoiceDependencies {
  /** The live flows, hours and rosters, and the versions calls in progress started on. */
  definitions: Definitions;
  calls: CallStore;
  overrides: OverrideStore;
  reports: ReportQueue;
  /** Where a call's record goes when it ends: handed to the worker, which writes the database. */
  records: RecordKeeper;
  /** The only clock the web path asks. */
  clock: () => DateTime;
  publicUrl: string;
  fallbackNumber: string | undefined;
  log: Logger;
  /** Told how each call ended (the operators' metrics). */
  observeCalls?: CallObserver | undefined;
}

type Params = Record<string, unknown>;

/** What the fallback knows of a failed request: the override, if it was read, and whether a report was being filed. */
interface FallbackSituation {
  override?: EmergencyOverride | null;
  urgent?: boolean;
}

/** The hold loop when the queue's own settings cannot be found (the fallback queue, a changed flow). */
const DEFAULT_HOLD_TURN = { announcement: "Thank you for waiting.", offerVoicemail: null, music: null, pause: 20 };

/** Twilio's final call statuses: the call is over and its record can be kept. */
const FINAL_STATUSES = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

/**
 * The voice webhooks. Each handler is thin: load, step the pure engine, carry out effects,
 * save, render. Whatever goes wrong, the caller gets valid TwiML and a way forward.
 */
export function voiceWebhooks(deps: VoiceDependencies): Webhooks {
  const { log, publicUrl } = deps;
  const stepUrl = (n: number) => `${publicUrl}/twilio/voice/step?n=${n}`;
  // The hold loop's URLs name the flow version too: a caller on hold keeps the words they started with.
  const holdQuery = (flow: Flow, state: string) =>
    `flow=${encodeURIComponent(flow.name)}&state=${encodeURIComponent(state)}${flow.version === undefined ? "" : `&v=${flow.version}`}`;
  const waitUrl = (flow: Flow, state: string) => `${publicUrl}/twilio/voice/wait?${holdQuery(flow, state)}`;
  const flowNamed = (name: unknown): Flow => {
    const live = deps.definitions.current();
    return (typeof name === "string" && live.flows.get(name)) || live.main;
  };
  /** The flow a stored call goes on with: the version it started on, when that is still to be had. */
  const flowOf = async (call: CallState | undefined): Promise<Flow> => {
    const live = flowNamed(call?.flow);
    if (call?.flowVersion === undefined || call.flowVersion === live.version || call.flow !== live.name) return live;
    const started = await deps.definitions.flowAt(call.flow, call.flowVersion);
    if (!started) log.warn({ callSid: call.callSid, flow: call.flow, version: call.flowVersion }, "the flow version this call started on is gone: it goes on with the live one");
    return started ?? live;
  };
  // Today's hours planned once a day, and the line's status worked out once a minute, rather than on every call.
  const outlooks = new HoursOutlooks();

  /**
   * What a caller hears when the line itself fails: an apology, then the general queue while the
   * line is open (by the hours and the supervisor's override: as this request read it, or else
   * as this instance last read it), or the fallback number when it is closed. A caller whose
   * urgent report could not be filed goes to the fallback number at any hour: a person must hear
   * it. Needs nothing but memory.
   */
  function fallbackTwiml(now: DateTime, situation: FallbackSituation = {}): string {
    const { main: flow, hours } = deps.definitions.current();
    const override = situation.override !== undefined ? situation.override : activeOverride(deps.overrides.lastRead()?.override, now);
    const open = lineStatus(hours, now, override).open;
    const agents: FallbackRoute = { queue: flow.fallbackQueue, waitUrl: waitUrl(flow, "") };
    const route: FallbackRoute =
      open && !situation.urgent ? agents : deps.fallbackNumber ? { dial: deps.fallbackNumber } : open ? agents : { goodbye: true };
    return renderFallback(route, flow);
  }

  async function answer(req: Request, res: Response, requestedStep: number | null): Promise<void> {
    const params = (req.body ?? {}) as Params;
    const callSid = cleanText(params.CallSid, 64) ?? "";
    const now = deps.clock();
    // What the fallback needs to know, as far as this request got.
    const situation: FallbackSituation = {};
    try {
      if (!/^CA[0-9a-fA-F]{32}$/.test(callSid)) throw new Error("the request has no valid CallSid");
      if (requestedStep === null && (await startedAtOnce(res, params, callSid, now, situation))) return;
      const [stored, override] = await Promise.all([deps.calls.load(callSid), deps.overrides.get()]);
      situation.override = activeOverride(override, now);
      if (stored && (requestedStep === null || requestedStep !== stored.call.step)) {
        // Twilio asked again for a step we already answered (a retry or a timeout): same answer, no new effects.
        log.debug({ callSid, step: requestedStep, at: stored.call.step }, "replayed an answered step");
        sendXml(res, stored.twiml);
        return;
      }

      const flow = await flowOf(stored?.call);
      const caller = cleanText(params.From, 32) ?? "";
      if (!stored) {
        if (requestedStep !== null) log.info({ callSid }, "a mid-call request for an unknown call: starting it afresh");
        else log.info({ callSid, from: caller, to: cleanText(params.To, 32) }, "call started");
      }
      const env = environment(now, situation.override);
      const call = stored?.call ?? begin(flow, callSid, caller, env);
      const result = step(flow, call, stored ? replyFromParams(params) : {}, env);

      for (const action of result.actions) {
        if (action.type !== "dispatch") continue;
        situation.urgent = true;
        const reference = await fileReport(action.report, action.hold, Boolean(call.heldReport));
        result.call.vars.reference = reference;
        situation.urgent = false;
      }

      const twiml = render(result, flow);
      if (!(await deps.calls.save(result.call, call.step, twiml))) {
        // A concurrent retry of this same request saved first: answer as it did.
        const winner = await deps.calls.load(callSid);
        sendXml(res, winner?.twiml ?? twiml);
        return;
      }
      log.debug({ callSid, step: result.call.step, state: result.call.state }, "answered");
      // Twilio posted this answer (a recording, a queue's result) after the status callback: the
      // record handed over then did not have it, so the call's record is handed over again (the
      // caller has gone: nobody waits for this answer).
      if (stored?.end) {
        await recordOf(stored.end, result.call)
          .then((record) => deps.records.keep({ type: "call-ended", call: record }))
          .catch((error: unknown) => log.error({ err: error, callSid }, "could not hand over the call's later record: it is kept as the status callback left it"));
      }
      sendXml(res, twiml);
    } catch (error) {
      // The call's state may be out of reach (Redis down): what the caller said at this step is
      // kept here, so a place named just now is not lost.
      const { speech, recordingUrl } = replyFromParams(params);
      const said = speech || recordingUrl ? { said: { ...(speech ? { speech } : {}), ...(recordingUrl ? { recordingUrl } : {}) } } : {};
      log.error({ err: error, callSid, ...said }, "voice webhook failed; the caller gets the fallback");
      sendXml(res, fallbackTwiml(now, situation));
    }
  }

  /** What the engine knows of the line at `now`: its hours, and their status worked out once a minute. */
  function environment(now: DateTime, override: EmergencyOverride | null): StepEnvironment & { minuteStatus: MinuteStatus } {
    const { hours } = deps.definitions.current();
    return { now, hours, override, minuteStatus: outlooks.status(hours, now, override) };
  }

  function begin(flow: Flow, callSid: string, caller: string, env: { now: DateTime; minuteStatus: MinuteStatus }): CallState {
    return { ...newCall(flow, { callSid, caller, now: env.now }), afterHours: !env.minuteStatus.status.open };
  }

  function render(result: StepResult, flow: Flow): string {
    return renderActions(result.actions, flow, { step: stepUrl(result.call.step), wait: (state) => waitUrl(flow, state) });
  }

  /**
   * A new call answered in one Redis round trip: its first step is worked out with the override
   * this process read last, and saved only if Redis still has no state for the call and still that
   * override. Otherwise (Twilio asking again, a supervisor's change, a first step that files a
   * report, which waits for what Redis says) nothing is saved or done, and false sends the request
   * the usual way: read, then step.
   */
  async function startedAtOnce(res: Response, params: Params, callSid: string, now: DateTime, situation: FallbackSituation): Promise<boolean> {
    const read = deps.overrides.lastRead();
    if (!read) return false;
    const env = environment(now, activeOverride(read.override, now));
    const flow = flowNamed(undefined);
    const caller = cleanText(params.From, 32) ?? "";
    const result = step(flow, begin(flow, callSid, caller, env), {}, env);
    if (result.actions.some((action) => action.type === "dispatch")) return false;
    const twiml = render(result, flow);
    situation.override = env.override;
    if (!(await deps.calls.start(result.call, twiml, read.version))) return false;
    log.info({ callSid, from: caller, to: cleanText(params.To, 32) }, "call started");
    sendXml(res, twiml);
    return true;
  }

  /**
   * Files (or updates and releases) the call's report. When that fails, what the caller said is
   * logged at error level, so a person can act on it, and the failure goes on to the fallback: a
   * person at FALLBACK_NUMBER. `filedBefore`: an earlier step filed it, and it still goes to the
   * crew as it was then.
   */
  async function fileReport(report: ReportDraft, hold: boolean, filedBefore: boolean): Promise<string> {
    try {
      const reference = await deps.reports.dispatch(report, { hold });
      const fields = { callSid: report.callSid, reference, category: report.category };
      if (hold) log.debug(fields, "urgent report filed and held for the caller's next answer");
      else log.info(fields, "urgent report queued for the on-call crew");
      return reference;
    } catch (error) {
      // Redis not answering in time may still run the command: the crew may be paged after all.
      const mayBeFiled = commandTimedOut(error);
      log.error(
        { err: error, callSid: report.callSid, report },
        filedBefore
          ? "urgent report filed earlier could not be brought up to date: it still goes to the crew as it was; what the caller added is in this line"
          : mayBeFiled
            ? "URGENT REPORT NOT FILED, or filed late (Redis did not answer in time): in three minutes (a report is held up to two minutes for the caller's next answer), look for its place and category (in this line) in npm run oncall -- incidents --open; if it is not there, act on it by hand"
            : "URGENT REPORT NOT FILED: act on it by hand (category, place and recording are in this line; look the caller up by CallSid)",
      );
      throw error;
    }
  }

  /** The caller's answer to step `n` (a keypress, speech, a recording, a queue's result). */
  const stepAnswered = (req: Request, res: Response) => {
    const n = Number(req.query.n);
    return answer(req, res, Number.isSafeInteger(n) && n >= 0 ? n : -1);
  };

  /** A turn of the hold loop while the caller waits in an agent queue. */
  async function waiting(req: Request, res: Response): Promise<void> {
    try {
      await holdLoop(req, res);
    } catch (error) {
      log.error({ err: error, callSid: cleanText((req.body as Params | undefined)?.CallSid, 64) }, "hold loop failed");
      sendXml(res, renderHoldTurn(DEFAULT_HOLD_TURN, deps.definitions.current().main, ""));
    }
  }

  /** The flow a hold-loop request names, at the version it names when that can still be had. */
  async function heldFlow(req: Request): Promise<Flow> {
    const live = flowNamed(req.query.flow);
    const version = Number(req.query.v);
    if (!Number.isSafeInteger(version) || version === live.version) return live;
    return (await deps.definitions.flowAt(live.name, version)) ?? live;
  }

  async function holdLoop(req: Request, res: Response): Promise<void> {
    const params = (req.body ?? {}) as Params;
    const flow = await heldFlow(req);
    const node = flow.states[String(req.query.state ?? "")];
    const turn =
      node?.type === "enqueue"
        ? holdTurn(node, wholeNumber(params.QueuePosition, 4), wholeNumber(params.QueueTime, 6) ?? 0)
        : DEFAULT_HOLD_TURN;
    const choiceUrl = `${publicUrl}/twilio/voice/wait/choice?${holdQuery(flow, String(req.query.state ?? ""))}`;
    sendXml(res, renderHoldTurn(turn, flow, choiceUrl));
  }

  /** The key a caller on hold pressed (the voicemail offer). */
  async function holdChoice(req: Request, res: Response): Promise<void> {
    const flow = await heldFlow(req).catch(() => flowNamed(req.query.flow));
    const params = (req.body ?? {}) as Params;
    const state = String(req.query.state ?? "");
    sendXml(res, renderHoldChoice(cleanText(params.Digits, 8), flow, waitUrl(flow, state)));
  }

  /** Twilio's status callback: once the call is over, its record is handed to the worker. */
  async function statusChanged(req: Request, res: Response): Promise<void> {
    const params = (req.body ?? {}) as Params;
    const callSid = cleanText(params.CallSid, 64) ?? "";
    const status = cleanText(params.CallStatus, 32) ?? "";
    if (!FINAL_STATUSES.has(status)) {
      res.status(204).end();
      return;
    }
    try {
      const stored = await deps.calls.load(callSid);
      const call = stored?.call;
      if (call?.heldReport) await releaseReport(callSid, call.vars.reference);
      const end: CallEnd = {
        callSid,
        from: cleanText(params.From, 32) ?? "",
        to: cleanText(params.To, 32) ?? "",
        status,
        durationSeconds: wholeNumber(params.CallDuration, 6),
        endedAt: deps.clock().toISO()!,
      };
      const record = await recordOf(end, call);
      // Counted whether or not the record can be handed over: the call ended this way all the same.
      // Once: a status callback posted again finds the call's end noted by the first.
      if (!stored?.end) deps.observeCalls?.callEnded(record.outcome);
      await deps.records.keep({ type: "call-ended", call: record });
      // An answer Twilio posts after this (the voicemail the caller hung up on) finds the end here.
      if (call) await deps.calls.markEnded(callSid, end);
      log.info({ callSid, status, outcome: record.outcome, duration: end.durationSeconds, reference: record.reference }, "call ended");
      res.status(204).end();
    } catch (error) {
      // Twilio does not retry a status callback, so an error answer would only add noise to its
      // debugger; the loss is said here, where operators look.
      log.error({ err: error, callSid, status }, "could not hand the call's record to the worker: it is not kept");
      res.status(204).end();
    }
  }

  /** The call's record. A voicemail is a promise to call back: it gets a reference, as a report does. */
  async function recordOf(end: CallEnd, call: CallState | undefined): Promise<CallRecord> {
    const flow = await flowOf(call);
    const reference = call && voicemailOf(flow, call) ? await deps.reports.reference(end.callSid) : undefined;
    return callRecord(end, call, flow, reference);
  }

  /**
   * The caller hung up with a report held for their next answer: the crew gets it now, after
   * the short grace for a last answer. Should this fail, the hold runs out and it goes anyway.
   */
  async function releaseReport(callSid: string, reference: string | undefined): Promise<void> {
    try {
      if (await deps.reports.release(callSid)) log.info({ callSid, reference }, "the caller hung up: their held report goes to the crew now");
    } catch (error) {
      log.error({ err: error, callSid, reference }, "could not release the held report: it goes to the crew when its hold runs out");
    }
  }

  /** Twilio's fallback URL: requested when our answer could not be fetched or parsed. Touches no state. */
  function twilioFallback(req: Request, res: Response): void {
    const params = (req.body ?? {}) as Params;
    log.error(
      { callSid: cleanText(params.CallSid, 64), errorCode: cleanText(params.ErrorCode, 16), errorUrl: cleanText(params.ErrorUrl, 300) },
      "Twilio used the fallback URL",
    );
    sendXml(res, fallbackTwiml(deps.clock()));
  }

  return {
    "/twilio/voice": (req, res) => answer(req, res, null),
    "/twilio/voice/step": stepAnswered,
    "/twilio/voice/wait": waiting,
    "/twilio/voice/wait/choice": holdChoice,
    "/twilio/voice/status": statusChanged,
    "/twilio/voice/fallback": twilioFallback,
  };
}

/** A field Twilio sends as a plain whole number (QueuePosition, QueueTime), or null for anything else. */
function wholeNumber(value: unknown, maxDigits: number): number | null {
  return typeof value === "string" && value.length <= maxDigits && /^\d+$/.test(value) ? Number(value) : null;
}
