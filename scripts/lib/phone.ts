/**
 * A simulated phone: places a call against a running Civic Line server the way Twilio does.
 * It posts Twilio's parameters, signs every request with Twilio's own signature code, runs the
 * TwiML it gets back verb by verb, and asks `answer` whenever the caller has to do something.
 *
 * What it copies from Twilio (see shared/NOTES.md and Twilio's TwiML reference):
 * - `<Gather>` posts `Digits` (up to the finish key or `numDigits`) or `SpeechResult` and
 *   `Confidence`; with no input it falls through to the next verb unless
 *   `actionOnEmptyResult="true"`.
 * - `<Record>` posts `RecordingUrl`, `RecordingDuration` and `Digits`; an empty recording makes
 *   no request and the call goes on with the next verb (`postEmptyRecordings` changes that).
 * - `<Enqueue>` requests its wait URL for each turn of the hold loop; `<Leave>` there, an agent
 *   answering, or the caller hanging up ends the wait with a `QueueResult` posted to `action`.
 * - A document that ends, or `<Hangup/>`, ends the call; then the status callback is posted.
 *
 * Time is simulated: speech, pauses and waits advance a clock that becomes `CallDuration`.
 */
import { randomBytes } from "node:crypto";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import twilio from "twilio";

/** Form parameters of one request, as Twilio posts them. */
export type Params = Record<string, string>;

/** The kinds of input a `<Gather>` listens for. */
export type GatherInput = "dtmf" | "speech";

interface PromptBase {
  /**
   * Why the previous answer to this same prompt could not be used (speech at a prompt that
   * takes only keys, an unknown queue choice); null on the first asking.
   */
  problem: string | null;
}

/** A `<Gather>`: keys (`"1"`, `"4035550123#"`), words, or `""` for silence. */
export interface GatherPrompt extends PromptBase {
  kind: "gather";
  input: GatherInput[];
  numDigits: number | null;
  /** The key that ends the input; `""` when none does. */
  finishOnKey: string;
  /** Seconds of silence Twilio waits for. */
  timeout: number;
  /** Phrases the speech recognizer is told to expect. */
  hints: string[];
  /** True when the gather is part of a queue's hold music (a voicemail offer). */
  onHold: boolean;
}

/** A `<Record>`: the words the caller says into the recording, or `""` for nothing. */
export interface RecordPrompt extends PromptBase {
  kind: "record";
  maxLength: number;
  finishOnKey: string;
}

/** Waiting in an `<Enqueue>` queue: `a` an agent answers, `w` wait 10 minutes, `h` hang up. */
export interface QueuePrompt extends PromptBase {
  kind: "queue";
  queue: string;
  /** Seconds waited so far. */
  waited: number;
}

/** A `<Dial>` transfer: `c` the other end answers, `n` no answer. */
export interface DialPrompt extends PromptBase {
  kind: "dial";
  number: string;
}

/** Something the caller has to answer. */
export type Prompt = GatherPrompt | RecordPrompt | QueuePrompt | DialPrompt;

/** Why a request was made. */
export type RequestPurpose =
  | "start"
  | "gather"
  | "record"
  | "queue-wait"
  | "queue-result"
  | "dial-result"
  | "redirect"
  | "status";

/** One request the phone made, as sent and as answered. */
export interface CallRequest {
  purpose: RequestPurpose;
  /** The URL as the TwiML gave it: the one signed. */
  url: string;
  /** Where the request was actually sent (`baseUrl` + the path and query). */
  sentTo: string;
  params: Params;
  status: number;
  elapsedMs: number;
}

/** How a call ended. */
export type CallEndReason =
  /** The caller hung up: `answer` returned null, or `signal` was aborted. */
  | "caller-hung-up"
  /** The TwiML said `<Hangup/>` (or `<Reject/>`). */
  | "hangup-verb"
  /** A document ran out of verbs, which ends a Twilio call. */
  | "twiml-ended";

export interface CallEnd {
  reason: CallEndReason;
  /** Requests for TwiML (every request but the status callback). */
  steps: number;
  /** The simulated length of the call: the `CallDuration` posted to the status callback. */
  durationSeconds: number;
}

/** Everything that happened on a call. */
export interface CallTranscript {
  callSid: string;
  /** What the caller heard and what happened around them, one line each, in order. */
  heard: string[];
  /** Every request, the status callback last. */
  requests: CallRequest[];
  end: CallEnd;
}

/** How to place a call. */
export interface PlaceCallOptions {
  /** Where the server listens, e.g. `http://localhost:3000`; requests are sent here. */
  baseUrl: string;
  /**
   * The base URL the server signs with (its `PUBLIC_URL`). The first request and the status
   * callback are signed as `publicUrl` + path; later ones as the URL written in the TwiML.
   */
  publicUrl: string;
  authToken: string;
  /** The caller's number, E.164. */
  from: string;
  /** The number called, E.164. */
  to: string;
  /** The caller's answer to a prompt; null hangs up. */
  answer: (prompt: Prompt) => Promise<string | null>;
  /** Each line heard, as it is heard. */
  hear?: (line: string) => void;
  /** Each request, once answered. */
  onRequest?: (request: CallRequest) => void;
  /** Aborting it hangs up at the next verb or prompt. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** @defaultValue a fresh random `CA…` sid */
  callSid?: string;
  /** @defaultValue a random `AC…` sid */
  accountSid?: string;
  /** The `Confidence` posted with speech. @defaultValue 0.9 */
  speechConfidence?: number;
  /** Post an empty recording (`RecordingDuration=0`, no URL) instead of skipping the action as Twilio does. @defaultValue false */
  postEmptyRecordings?: boolean;
  /** Twilio gives up on an answer after 15 s (error 11205). @defaultValue 15000 */
  requestTimeoutMs?: number;
  /** Requests after which the call is taken to be looping. @defaultValue 200 */
  maxRequests?: number;
}

/** The call could not go on. The message says why, for a person. */
export class PhoneError extends Error {
  override readonly name: string = "PhoneError";
}

/** Nothing listens at the base URL. */
export class ServerUnreachableError extends PhoneError {
  override readonly name = "ServerUnreachableError";
}

/** The server answered 403: the signature did not match what it expected. */
export class SignatureRefusedError extends PhoneError {
  override readonly name = "SignatureRefusedError";
}

/** The server answered an HTTP error, or not in time. */
export class HttpStatusError extends PhoneError {
  override readonly name = "HttpStatusError";
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

/** The answer is not TwiML Twilio could run. */
export class TwimlError extends PhoneError {
  override readonly name = "TwimlError";
}

/** One TwiML element: its attributes, child elements, and all the text inside it. */
export interface TwimlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: TwimlElement[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

/**
 * The `<Response>` of a TwiML answer, checked the way Twilio checks it. `where` names the
 * request in error messages.
 */
export function parseTwiml(body: string, contentType: string | null, where: string): TwimlElement {
  const excerpt = body.length > 300 ? `${body.slice(0, 300)}…` : body;
  if (!contentType || !/xml/i.test(contentType)) {
    throw new TwimlError(
      `${where} answered with Content-Type ${contentType ? `"${contentType}"` : "(none)"}, not XML (Twilio error 12300):\n${excerpt}`,
    );
  }
  if (/^\s+<\?xml/.test(body)) {
    throw new TwimlError(`${where} answered with white space before <?xml, which Twilio refuses (error 12100)`);
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new TwimlError(`${where} answered with XML that does not parse (Twilio error 12100): ${msg} at line ${line}, column ${col}:\n${excerpt}`);
  }
  const roots = toElements(parser.parse(body) as unknown[]);
  const [root] = roots;
  if (roots.length !== 1 || root?.name !== "Response") {
    throw new TwimlError(`${where} answered with XML whose root is not <Response> (Twilio error 12102):\n${excerpt}`);
  }
  return root;
}

/** fast-xml-parser's ordered form: `[{ Tag: [...children], ":@": {attributes} }, { "#text": "…" }]`. */
function toElements(nodes: unknown[]): TwimlElement[] {
  const elements: TwimlElement[] = [];
  for (const node of nodes as Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(node)) {
      if (key === ":@" || key === "#text" || key === "#comment" || key.startsWith("?")) continue;
      const children = value as unknown[];
      elements.push({
        name: key,
        attributes: (node[":@"] ?? {}) as Record<string, string>,
        children: toElements(children),
        text: textOf(children),
      });
    }
  }
  return elements;
}

/** All the text inside, SSML tags and all, with white space folded. */
function textOf(nodes: unknown[]): string {
  const parts: string[] = [];
  for (const node of nodes as Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "#text") parts.push(String(value));
      else if (key !== ":@" && key !== "#comment" && !key.startsWith("?")) parts.push(textOf(value as unknown[]));
    }
  }
  return parts.join(" ").replace(/\s+/g, " ").trim();
}

/**
 * Places one call and runs it to its end; resolves with the transcript once the status
 * callback has been answered.
 *
 * @example
 * const transcript = await placeCall({
 *   baseUrl: "http://localhost:3000", publicUrl: "http://localhost:3000", authToken,
 *   from: "+14035550123", to: "+14035550311",
 *   answer: async (prompt) => (prompt.kind === "gather" ? "1" : null),
 *   hear: (line) => console.log(line),
 * });
 */
export async function placeCall(options: PlaceCallOptions): Promise<CallTranscript> {
  return new SimulatedCall(options).run();
}

/** Where the call goes next: another TwiML document, or its end. */
type Next = { type: "request"; url: string; params: Params; purpose: RequestPurpose } | { type: "end"; reason: CallEndReason };

/** How one turn of a queue's hold loop ended. */
type HoldOutcome = "turn-over" | "leave" | "hangup-verb" | "caller-hung-up";

/** Where a gather's or a recording's answer goes; `"fall-through"` to the next verb; null when the caller hung up. */
type Answered = { url: string; params: Params } | "fall-through" | null;

type Interpretation<T> = { ok: true; value: T } | { ok: false; problem: string };

const MEDIA_VERBS = new Set(["Say", "Play", "Pause"]);
const WAIT_MINUTES = 10;
/** Refused answers to one prompt before the phone gives up on the answerer. */
const MAX_REFUSED_ANSWERS = 20;
/** Speech at about 150 words a minute. */
const WORDS_PER_SECOND = 2.5;
/** Nobody knows how long an audio file is without fetching it; a guess keeps CallDuration plausible. */
const PLAY_SECONDS = 10;
const AGENT_CALL_SECONDS = 180;
const TRANSFER_CALL_SECONDS = 60;

class SimulatedCall {
  private readonly baseUrl: string;
  private readonly publicUrl: string;
  private readonly fetch: typeof fetch;
  private readonly callSid: string;
  private readonly baseParams: Params;
  private readonly heard: string[] = [];
  private readonly requests: CallRequest[] = [];
  /** Simulated seconds since the call was answered. */
  private clock = 0;
  /** The caller hung up in the middle of a recording: Twilio still posts it, then the call is over. */
  private hungUpWhileRecording = false;

  constructor(private readonly options: PlaceCallOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.publicUrl = options.publicUrl.replace(/\/+$/, "");
    this.fetch = options.fetch ?? globalThis.fetch;
    this.callSid = options.callSid ?? sid("CA");
    this.baseParams = {
      CallSid: this.callSid,
      AccountSid: options.accountSid ?? sid("AC"),
      From: options.from,
      To: options.to,
      CallStatus: "in-progress",
      Direction: "inbound",
      ApiVersion: "2010-04-01",
    };
  }

  async run(): Promise<CallTranscript> {
    let next: Next = {
      type: "request",
      url: `${this.publicUrl}/twilio/voice`,
      params: { CallStatus: "ringing" },
      purpose: "start",
    };
    try {
      while (next.type === "request") {
        if (this.hungUp) {
          next = { type: "end", reason: "caller-hung-up" };
          break;
        }
        const document = await this.fetchTwiml(next.url, next.params, next.purpose);
        if (this.hungUpWhileRecording) {
          // Twilio posted the recording after the caller hung up; what it answers is played to nobody.
          next = { type: "end", reason: "caller-hung-up" };
          break;
        }
        next = await this.play(document, next.url);
      }
    } catch (error) {
      // Twilio ends a failed call too, and still posts its status; the failure is what matters.
      await this.postStatus().catch(() => undefined);
      throw error;
    }
    const steps = this.requests.length;
    try {
      await this.postStatus();
    } catch (error) {
      if (error instanceof PhoneError) error.message = `The call ended, but its status callback failed.\n${error.message}`;
      throw error;
    }
    return {
      callSid: this.callSid,
      heard: [...this.heard],
      requests: [...this.requests],
      end: { reason: next.reason, steps, durationSeconds: this.duration },
    };
  }

  private get hungUp(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  private get duration(): number {
    return Math.max(1, Math.round(this.clock));
  }

  private hear(line: string): void {
    this.heard.push(line);
    this.options.hear?.(line);
  }

  // ------------------------------------------------------------------ the main document

  private async play(document: TwimlElement, documentUrl: string): Promise<Next> {
    for (const verb of document.children) {
      if (this.hungUp) return { type: "end", reason: "caller-hung-up" };
      switch (verb.name) {
        case "Say":
        case "Play":
        case "Pause":
          this.playMedia(verb);
          break;
        case "Gather": {
          const result = await this.gather(verb, documentUrl, false);
          if (result === null) return { type: "end", reason: "caller-hung-up" };
          if (result === "fall-through") break;
          return { type: "request", ...result, purpose: "gather" };
        }
        case "Record": {
          const result = await this.record(verb, documentUrl);
          if (result === null) return { type: "end", reason: "caller-hung-up" };
          if (result === "fall-through") break;
          return { type: "request", ...result, purpose: "record" };
        }
        case "Enqueue": {
          const next = await this.enqueue(verb, documentUrl);
          if (next === "fall-through") break;
          return next;
        }
        case "Dial": {
          const next = await this.dial(verb, documentUrl);
          if (next === "fall-through") break;
          return next;
        }
        case "Redirect":
          return { type: "request", url: this.resolve(verb.text, documentUrl), params: {}, purpose: "redirect" };
        case "Hangup":
        case "Reject":
          return { type: "end", reason: "hangup-verb" };
        case "Leave":
          // Outside a queue's wait URL there is nothing to leave.
          break;
        default:
          throw new TwimlError(`${this.describe(documentUrl)} has a <${verb.name}> verb, which this phone does not know`);
      }
    }
    return { type: "end", reason: "twiml-ended" };
  }

  private playMedia(verb: TwimlElement): void {
    switch (verb.name) {
      case "Say":
        this.hear(`🔊 ${verb.text}`);
        this.clock += Math.max(1, Math.ceil(wordCount(verb.text) / WORDS_PER_SECOND));
        break;
      case "Play":
        this.hear(`♪ ${verb.text}`);
        this.clock += PLAY_SECONDS;
        break;
      case "Pause": {
        const seconds = numberAttribute(verb, "length", 1);
        this.hear(`… ${seconds} s pause`);
        this.clock += seconds;
        break;
      }
    }
  }

  private async gather(verb: TwimlElement, documentUrl: string, onHold: boolean): Promise<Answered> {
    for (const child of verb.children) {
      if (!MEDIA_VERBS.has(child.name)) {
        throw new TwimlError(`${this.describe(documentUrl)} nests <${child.name}> in <Gather>; only Say, Play and Pause may be nested there`);
      }
      if (this.hungUp) return null;
      this.playMedia(child);
    }
    const input = (verb.attributes["input"] ?? "dtmf")
      .split(/\s+/)
      .filter((mode): mode is GatherInput => mode === "dtmf" || mode === "speech");
    const prompt: GatherPrompt = {
      kind: "gather",
      input: input.length > 0 ? input : ["dtmf"],
      numDigits: verb.attributes["numDigits"] === undefined ? null : numberAttribute(verb, "numDigits", 1),
      finishOnKey: verb.attributes["finishOnKey"] ?? "#",
      timeout: numberAttribute(verb, "timeout", 5),
      hints: (verb.attributes["hints"] ?? "").split(",").map((hint) => hint.trim()).filter(Boolean),
      onHold,
      problem: null,
    };
    const params = await this.ask(prompt, (text) => this.readGather(prompt, text));
    if (params === null) return null;
    if (Object.keys(params).length === 0) {
      this.clock += prompt.timeout;
      if (verb.attributes["actionOnEmptyResult"] !== "true") return "fall-through";
    }
    return { url: this.resolve(verb.attributes["action"] ?? documentUrl, documentUrl), params };
  }

  private readGather(prompt: GatherPrompt, raw: string): Interpretation<Params> {
    const text = raw.trim();
    if (text === "") return { ok: true, value: {} };
    if (/^[0-9*#]+$/.test(text)) {
      if (!prompt.input.includes("dtmf")) {
        return { ok: false, problem: "This prompt listens only for speech: say it in words, not keys." };
      }
      const digits = collectDigits(text, prompt.finishOnKey, prompt.numDigits);
      this.clock += text.length;
      return { ok: true, value: digits ? { Digits: digits } : {} };
    }
    if (!prompt.input.includes("speech")) {
      return { ok: false, problem: "This prompt only takes keys (0-9, * and #); it does not listen for speech." };
    }
    // "Whoop-Up Drive ~0.3": the words, heard with that confidence.
    const unsure = /^(.*?)\s*~\s*(0(?:\.\d+)?|1(?:\.0+)?)$/.exec(text);
    const words = unsure ? unsure[1]! : text;
    if (!words) return { ok: false, problem: "Say something before the ~confidence, e.g. Whoop-Up Drive ~0.4." };
    const confidence = unsure ? Number(unsure[2]) : (this.options.speechConfidence ?? 0.9);
    this.clock += Math.ceil(wordCount(words) / WORDS_PER_SECOND);
    return { ok: true, value: { SpeechResult: words, Confidence: String(confidence) } };
  }

  private async record(verb: TwimlElement, documentUrl: string): Promise<Answered> {
    const maxLength = numberAttribute(verb, "maxLength", 3600);
    const finishOnKey = verb.attributes["finishOnKey"] ?? "1234567890*#";
    if (verb.attributes["playBeep"] !== "false") this.hear("📼 beep (recording)");
    const answer = await this.ask<string>({ kind: "record", maxLength, finishOnKey, problem: null }, (text) => ({
      ok: true,
      value: text.trim(),
    }));
    if (answer === null) return null;
    // "5th and 13th / hangup": the caller says it, then hangs up before pressing anything.
    const hangsUp = /\s*\/\s*hangup$/i.exec(answer);
    const said = hangsUp ? answer.slice(0, hangsUp.index) : answer;
    const url = this.resolve(verb.attributes["action"] ?? documentUrl, documentUrl);
    if (said === "") {
      this.clock += numberAttribute(verb, "timeout", 5);
      if (!this.options.postEmptyRecordings) {
        // Twilio: "if Twilio receives an empty recording, it will not make a request to the action URL".
        this.hear("📼 nothing was recorded: Twilio goes on with the next verb");
        return "fall-through";
      }
      return { url, params: { RecordingDuration: "0" } };
    }
    const duration = Math.min(maxLength, Math.max(1, Math.ceil(wordCount(said) / WORDS_PER_SECOND)));
    this.clock += duration;
    const recordingSid = sid("RE");
    if (hangsUp) {
      this.hear("📴 You hang up while recording; Twilio still posts the recording");
      this.hungUpWhileRecording = true;
    }
    const finishKey = hangsUp ? "hangup" : finishOnKey.includes("#") ? "#" : finishOnKey.charAt(0);
    return {
      url,
      params: {
        RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${this.baseParams["AccountSid"]}/Recordings/${recordingSid}`,
        RecordingSid: recordingSid,
        RecordingDuration: String(duration),
        ...(finishKey ? { Digits: finishKey } : {}),
      },
    };
  }

  // ------------------------------------------------------------------ queues

  private async enqueue(verb: TwimlElement, documentUrl: string): Promise<Next | "fall-through"> {
    const queue = verb.text;
    const queueSid = sid("QU");
    const waitUrl = verb.attributes["waitUrl"] ? this.resolve(verb.attributes["waitUrl"], documentUrl) : null;
    let waited = 0;
    const holdTurn = (): Promise<HoldOutcome> => {
      // A simulated queue holds one caller: this one, first in line.
      const queueParams = {
        QueuePosition: "1",
        QueueTime: String(waited),
        QueueSid: queueSid,
        AvgQueueTime: String(waited),
        CurrentQueueSize: "1",
        MaxQueueSize: "100",
      };
      if (waitUrl) return this.holdTurn(waitUrl, queueParams);
      this.hear("♪ Twilio's default hold music");
      return Promise.resolve("turn-over");
    };

    this.hear(`⏳ In queue "${queue}"`);
    let outcome = await holdTurn();
    let result: "bridged" | "leave" | "hangup" | null = null;
    while (result === null) {
      if (outcome === "leave") {
        this.hear(`⏳ You leave the queue "${queue}"`);
        result = "leave";
      } else if (outcome !== "turn-over") {
        result = "hangup";
      } else {
        const choice = await this.ask<string>(
          { kind: "queue", queue, waited, problem: null },
          readChoice(["a", "w", "h"], "Answer a (an agent answers), w (wait 10 minutes) or h (hang up)."),
        );
        if (choice === null || choice === "h") {
          outcome = "caller-hung-up";
          result = "hangup";
        } else if (choice === "a") {
          this.hear(`👤 An agent answers: you are talking to ${queue}`);
          this.clock += AGENT_CALL_SECONDS;
          result = "bridged";
        } else {
          waited += WAIT_MINUTES * 60;
          this.clock += WAIT_MINUTES * 60;
          this.hear(`⏳ ${WAIT_MINUTES} minutes pass (${waited / 60} minutes in line)`);
          outcome = await holdTurn();
        }
      }
    }

    const action = verb.attributes["action"] ? this.resolve(verb.attributes["action"], documentUrl) : null;
    const params = { QueueResult: result, QueueSid: queueSid, QueueTime: String(waited) };
    if (result === "hangup") {
      // Twilio still tells the action URL; the call is over, so its answer is not played.
      if (action) await this.post(action, params, "queue-result");
      return { type: "end", reason: outcome === "hangup-verb" ? "hangup-verb" : "caller-hung-up" };
    }
    return action ? { type: "request", url: action, params, purpose: "queue-result" } : "fall-through";
  }

  /** One turn of the hold loop: the wait URL's TwiML, and whatever its gather leads to. */
  private async holdTurn(waitUrl: string, queueParams: Params): Promise<HoldOutcome> {
    let url = waitUrl;
    let params = queueParams;
    let purpose: RequestPurpose = "queue-wait";
    for (;;) {
      if (this.hungUp) return "caller-hung-up";
      const document = await this.fetchTwiml(url, params, purpose);
      const next = await this.playHold(document, url, waitUrl);
      if (typeof next === "string") return next;
      ({ url, params, purpose } = next);
    }
  }

  private async playHold(
    document: TwimlElement,
    documentUrl: string,
    waitUrl: string,
  ): Promise<HoldOutcome | { url: string; params: Params; purpose: RequestPurpose }> {
    for (const verb of document.children) {
      if (this.hungUp) return "caller-hung-up";
      switch (verb.name) {
        case "Say":
        case "Play":
        case "Pause":
          this.playMedia(verb);
          break;
        case "Gather": {
          const result = await this.gather(verb, documentUrl, true);
          if (result === null) return "caller-hung-up";
          if (result === "fall-through") break;
          return { ...result, purpose: "gather" };
        }
        case "Redirect": {
          const target = this.resolve(verb.text, documentUrl);
          // Back to the wait URL is the next turn of the loop: the caller decides when that comes.
          if (target === waitUrl) return "turn-over";
          return { url: target, params: {}, purpose: "redirect" };
        }
        case "Leave":
          return "leave";
        case "Hangup":
          return "hangup-verb";
        default:
          throw new TwimlError(
            `${this.describe(documentUrl)} has a <${verb.name}> in a queue's wait TwiML, ` +
              "where Twilio allows only Play, Say, Pause, Gather, Redirect, Leave and Hangup",
          );
      }
    }
    return "turn-over";
  }

  // ------------------------------------------------------------------ transfers

  private async dial(verb: TwimlElement, documentUrl: string): Promise<Next | "fall-through"> {
    const number = verb.text;
    this.hear(`☎ Dialing ${number}`);
    const choice = await this.ask<string>({ kind: "dial", number, problem: null }, readChoice(["c", "n"], "Answer c (connected) or n (no answer)."));
    if (choice === null) return { type: "end", reason: "caller-hung-up" };
    const params: Params = { DialCallSid: sid("CA") };
    if (choice === "c") {
      this.hear(`☎ ${number} answers; after a ${TRANSFER_CALL_SECONDS} s conversation they hang up`);
      this.clock += TRANSFER_CALL_SECONDS;
      Object.assign(params, { DialCallStatus: "completed", DialCallDuration: String(TRANSFER_CALL_SECONDS) });
    } else {
      this.hear(`☎ No answer from ${number}`);
      this.clock += numberAttribute(verb, "timeout", 30);
      Object.assign(params, { DialCallStatus: "no-answer", DialCallDuration: "0" });
    }
    const action = verb.attributes["action"];
    return action ? { type: "request", url: this.resolve(action, documentUrl), params, purpose: "dial-result" } : "fall-through";
  }

  // ------------------------------------------------------------------ the caller

  /** Asks until the answer fits the prompt; null when the caller hangs up. */
  private async ask<T>(prompt: Prompt, interpret: (text: string) => Interpretation<T>): Promise<T | null> {
    let problem: string | null = null;
    for (let refused = 0; ; refused += 1) {
      if (this.hungUp) return null;
      const text = await this.options.answer({ ...prompt, problem });
      if (text === null || this.hungUp) return null;
      const result = interpret(text);
      if (result.ok) return result.value;
      if (refused >= MAX_REFUSED_ANSWERS) throw new PhoneError(`gave up after ${refused + 1} answers that did not fit: ${result.problem}`);
      problem = result.problem;
    }
  }

  // ------------------------------------------------------------------ HTTP

  private async fetchTwiml(url: string, params: Params, purpose: RequestPurpose): Promise<TwimlElement> {
    const response = await this.post(url, params, purpose);
    return parseTwiml(response.body, response.contentType, this.describe(url));
  }

  private async postStatus(): Promise<void> {
    await this.post(`${this.publicUrl}/twilio/voice/status`, { CallStatus: "completed", CallDuration: String(this.duration) }, "status");
  }

  /** Posts one signed request; rejects on anything but a 2xx answer. */
  private async post(url: string, extra: Params, purpose: RequestPurpose): Promise<{ body: string; contentType: string | null }> {
    const maxRequests = this.options.maxRequests ?? 200;
    if (this.requests.length >= maxRequests) {
      throw new PhoneError(`the call made ${maxRequests} requests without ending; is a <Redirect> going round in a loop?`);
    }
    const params = { ...this.baseParams, ...extra };
    const sentTo = this.transportUrl(url);
    const signature = twilio.getExpectedTwilioSignature(this.options.authToken, url, params);
    const started = performance.now();
    let response: Response;
    let body: string;
    try {
      response = await this.fetch(sentTo, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
          "X-Twilio-Signature": signature,
          "User-Agent": "TwilioProxy/1.1 (civic-line phone simulator)",
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
      });
      body = await response.text();
    } catch (error) {
      throw this.fetchError(error, sentTo);
    }
    const request: CallRequest = { purpose, url, sentTo, params, status: response.status, elapsedMs: Math.round(performance.now() - started) };
    this.requests.push(request);
    this.options.onRequest?.(request);

    const excerpt = body.length > 500 ? `${body.slice(0, 500)}…` : body;
    if (response.status === 403) {
      throw new SignatureRefusedError(
        [
          `The server refused the request's signature: 403 for POST ${sentTo}`,
          `  ${excerpt.trim()}`,
          `The signature was computed over ${url} with this shell's auth token.`,
          "TWILIO_AUTH_TOKEN and PUBLIC_URL here must match the server's (the server signs PUBLIC_URL + the path;",
          "in development both default to the development token and http://localhost:$PORT).",
        ].join("\n"),
      );
    }
    if (!response.ok) {
      throw new HttpStatusError(`${this.describe(url)} failed: HTTP ${response.status} ${response.statusText}\n${excerpt}`, response.status, body);
    }
    return { body, contentType: response.headers.get("content-type") };
  }

  private fetchError(error: unknown, sentTo: string): PhoneError {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      const seconds = (this.options.requestTimeoutMs ?? 15_000) / 1000;
      return new HttpStatusError(`POST ${sentTo} got no answer within ${seconds} s; Twilio would have given up (error 11205)`, 0, "");
    }
    const code = errorCode(error);
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ECONNRESET") {
      return new ServerUnreachableError(`No Civic Line server answers at ${this.baseUrl}. Start one with \`npm run dev\`.`);
    }
    return new PhoneError(`POST ${sentTo} failed: ${error instanceof Error ? error.message : String(error)}${code ? ` (${code})` : ""}`);
  }

  /** The same path and query on the base URL: the TwiML's URLs start with the server's public URL. */
  private transportUrl(url: string): string {
    const rest = url.slice(this.publicUrl.length);
    if (url.startsWith(this.publicUrl) && (rest === "" || rest.startsWith("/") || rest.startsWith("?"))) return this.baseUrl + rest;
    const parsed = new URL(url);
    return this.baseUrl + parsed.pathname + parsed.search;
  }

  /** Relative URLs are resolved against the document's; absolute ones are kept exactly, since they are signed as written. */
  private resolve(reference: string, documentUrl: string): string {
    const trimmed = reference.trim();
    return /^https?:\/\//i.test(trimmed) ? trimmed : new URL(trimmed, documentUrl).href;
  }

  private describe(url: string): string {
    return `POST ${this.transportUrl(url)}`;
  }
}

/** A Twilio-style sid: two letters and 32 hex digits. */
function sid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function numberAttribute(element: TwimlElement, name: string, fallback: number): number {
  const value = Number(element.attributes[name]);
  return element.attributes[name] !== undefined && Number.isFinite(value) ? value : fallback;
}

/** The keys Twilio posts: up to the finish key (not included) or the `numDigits`-th key. */
function collectDigits(keys: string, finishOnKey: string, numDigits: number | null): string {
  let digits = "";
  for (const key of keys) {
    if (finishOnKey !== "" && key === finishOnKey) break;
    digits += key;
    if (numDigits !== null && digits.length >= numDigits) break;
  }
  return digits;
}

function readChoice(choices: string[], problem: string): (text: string) => Interpretation<string> {
  return (text) => {
    const choice = text.trim().toLowerCase();
    return choices.includes(choice) ? { ok: true, value: choice } : { ok: false, problem };
  };
}

/** Node's fetch wraps the socket error (`cause`), sometimes one per address tried (`cause.errors`). */
function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | undefined)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
