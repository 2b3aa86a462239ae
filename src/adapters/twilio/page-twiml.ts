import twilio from "twilio";
import type { UrgentReport } from "../../domain/report.js";
import { keypressReplies, pagePressPrompt, pageSpeech } from "../../domain/oncall/messages.js";
import { sayAttributes, type VoiceSettings } from "./render.js";

const { VoiceResponse } = twilio.twiml;

const NO_KEY = "No key was pressed. The page will go on to the next person if nobody takes it. Goodbye.";

/** The voice page: the report read aloud; 1 to take it, 2 to hear it again, 3 for the caller's recording. */
export function renderVoicePage(report: UrgentReport, label: string, zone: string, answerUrl: string, voice: VoiceSettings): string {
  const sayAs = sayAttributes(voice);
  const response = new VoiceResponse();
  const gather = response.gather({ input: ["dtmf"], numDigits: 1, timeout: 8, action: answerUrl, method: "POST" });
  for (const sentence of pageSpeech(report, label, zone)) gather.say(sayAs, sentence);
  gather.say(sayAs, pagePressPrompt(Boolean(report.recordingUrl)));
  response.say(sayAs, NO_KEY);
  response.hangup();
  return response.toString();
}

/**
 * The caller's own recording, then the page's keys again: the crew member can take the page
 * while it plays, or after.
 */
export function renderRecording(recordingUrl: string, answerUrl: string, voice: VoiceSettings): string {
  const sayAs = sayAttributes(voice);
  const response = new VoiceResponse();
  const gather = response.gather({ input: ["dtmf"], numDigits: 1, timeout: 8, action: answerUrl, method: "POST" });
  gather.say(sayAs, keypressReplies.recording);
  gather.play(recordingUrl);
  gather.say(sayAs, pagePressPrompt(true));
  response.say(sayAs, NO_KEY);
  response.hangup();
  return response.toString();
}

/**
 * A short spoken answer that ends the page call; with `recordingAt` (the answer URL of a page
 * whose caller was recorded), the recording stays one key away first.
 */
export function renderPageNotice(text: string, voice: VoiceSettings, recordingAt?: string): string {
  const sayAs = sayAttributes(voice);
  const response = new VoiceResponse();
  if (recordingAt) {
    const gather = response.gather({ input: ["dtmf"], numDigits: 1, timeout: 5, action: recordingAt, method: "POST" });
    gather.say(sayAs, `${text.replace(/\s*Goodbye\.$/, "")} To hear the caller's words, press 3.`);
    response.say(sayAs, "Goodbye.");
  } else {
    response.say(sayAs, text);
  }
  response.hangup();
  return response.toString();
}

/** Back to the page, to hear it again. */
export function renderPageRepeat(pageUrl: string): string {
  const response = new VoiceResponse();
  response.redirect({ method: "POST" }, pageUrl);
  return response.toString();
}
