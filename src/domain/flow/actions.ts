/**
 * What the engine asks the shell to do. Actions are plain data: the engine returns them and
 * runs none. The Twilio adapter renders the spoken ones as TwiML; the shell carries out the
 * effects (`dispatch`) before it answers.
 */

/** Something the caller hears while a `<Gather>` listens. */
export type Prompt = { readonly say: string } | { readonly play: string } | { readonly pause: number };

export type GatherInput = "dtmf" | "speech";

/**
 * Read-only: a flow's fixed words are given to every call as the same frozen actions (see
 * `madeOnceWhenFixed`), so nothing may write to one.
 */
export type Action = Readonly<
  | { type: "say"; text: string }
  | { type: "play"; url: string }
  | { type: "pause"; seconds: number }
  | {
      type: "gather";
      input: readonly GatherInput[];
      prompts: readonly Prompt[];
      /** Seconds of silence before the gather gives up. */
      timeout: number;
      numDigits?: number;
      finishOnKey?: string;
      /** Words that help speech recognition (menu keywords, place names). */
      hints?: readonly string[];
    }
  | { type: "record"; maxLength: number; timeout: number; finishOnKey: string; playBeep: boolean }
  /** Put the caller in a Twilio queue; the hold music comes from the enqueue state named here. */
  | { type: "enqueue"; queue: string; state: string }
  | { type: "dial"; number: string; timeout: number }
  /**
   * File the urgent report. `hold`: the call goes on, so keep it back a little for what the
   * caller is still adding (and send it anyway if they hang up); otherwise send it now.
   */
  | { type: "dispatch"; report: ReportDraft; hold: boolean }
  /** Answer now and come straight back for the rest of the flow (after an effect whose result the flow needs). */
  | { type: "redirect" }
  | { type: "hangup" }
>;

/** An urgent report as the engine knows it; the shell adds the reference when it queues it. */
export interface ReportDraft {
  category: string;
  location: string;
  locationConfirmed?: boolean;
  locationUnsure?: boolean;
  recordingUrl?: string;
  pageSupervisor?: boolean;
  callbackNumber: string | null;
  callSid: string;
  receivedAt: string;
  /** The line was closed when the call started (the call's own `afterHours`). */
  afterHours?: boolean;
}
