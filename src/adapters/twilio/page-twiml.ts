import twilio from "twilio";
import type { UrgentReport } from "../../domain/report.js";
import { pagePressPrompt, pageSpeech } from "../../domain/oncall/messages.js";

const { VoiceResponse } = twilio.twiml;

/** The voice page: the report read aloud, 1 to take it, 2 to hear it again. */
export function renderVoicePage(report: UrgentReport, label: string, zone: string, answerUrl: string): string {
  const response = new VoiceResponse();
  const gather = response.gather({ input: ["dtmf"], numDigits: 1, timeout: 8, action: answerUrl, method: "POST" });
  for (const sentence of pageSpeech(report, label, zone)) gather.say(sentence);
  if (report.recordingUrl) gather.play(report.recordingUrl);
  gather.say(pagePressPrompt);
  response.say("No key was pressed. The page will go on to the next person if nobody takes it. Goodbye.");
  response.hangup();
  return response.toString();
}

/** A short spoken answer that ends the page call. */
export function renderPageNotice(text: string): string {
  const response = new VoiceResponse();
  response.say(text);
  response.hangup();
  return response.toString();
}

/** Back to the page, to hear it again. */
export function renderPageRepeat(pageUrl: string): string {
  const response = new VoiceResponse();
  response.redirect({ method: "POST" }, pageUrl);
  return response.toString();
}
