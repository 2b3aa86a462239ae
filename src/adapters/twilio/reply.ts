import type { CallerReply } from "../../domain/flow/call-state.js";

/** The longest caller text kept from one request; speech beyond this is noise for a 311 line. */
const MAX_TEXT = 1_000;

/**
 * Caller text made safe to keep and to speak back: characters XML cannot carry and other
 * control characters removed, white space folded, length capped. Escaping of `<` and `&` is
 * TwiML's job and stays with `VoiceResponse`.
 */
export function cleanText(value: unknown, max = MAX_TEXT): string | undefined {
  if (typeof value !== "string") return undefined;
  const cleaned = value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/g, " ")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned.slice(0, max);
}

function number(value: unknown): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Keys only: anything else in `Digits` is dropped, and a flood of keys is cut to what a phone number needs. */
function digits(value: unknown): string | undefined {
  const text = cleanText(value, 64);
  // `hangup` is what <Record> reports when the caller hung up: not keys.
  if (text === undefined || text === "hangup") return undefined;
  return /^[0-9*#]*$/.test(text) ? text : "?";
}

/** The caller's reply in a Twilio request's parameters. */
export function replyFromParams(params: Record<string, unknown>): CallerReply {
  const reply: CallerReply = {};
  const keyed = digits(params.Digits);
  if (keyed) reply.digits = keyed;
  const speech = cleanText(params.SpeechResult);
  if (speech) reply.speech = speech;
  const confidence = number(params.Confidence);
  if (confidence !== undefined) reply.confidence = confidence;
  const recordingUrl = cleanText(params.RecordingUrl, 500);
  if (recordingUrl && /^https?:\/\//.test(recordingUrl)) reply.recordingUrl = recordingUrl;
  const recordingDuration = number(params.RecordingDuration);
  if (recordingDuration !== undefined) reply.recordingDuration = recordingDuration;
  const queueResult = cleanText(params.QueueResult, 40);
  if (queueResult) reply.queueResult = queueResult;
  const queueTime = number(params.QueueTime);
  if (queueTime !== undefined && queueTime >= 0) reply.queueTime = Math.round(queueTime);
  const dialStatus = cleanText(params.DialCallStatus, 40);
  if (dialStatus) reply.dialStatus = dialStatus;
  return reply;
}
