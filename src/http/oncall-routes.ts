import type { Request, Response } from "express";
import twilio from "twilio";
import { renderPageNotice, renderPageRepeat, renderRecording, renderVoicePage } from "../adapters/twilio/page-twiml.js";
import type { VoiceSettings } from "../adapters/twilio/render.js";
import { cleanText } from "../adapters/twilio/reply.js";
import type { IncidentStore } from "../domain/ports.js";
import { keypressReplies } from "../domain/oncall/messages.js";
import type { Roster } from "../domain/oncall/roster/index.js";
import type { Definitions } from "../definitions/live-definitions.js";
import type { Logger } from "../logger.js";
import type { CrewDesk, TakeOutcome } from "../oncall/crew-desk.js";
import { categoryLabel } from "../oncall/labels.js";
import { voicePageAnswerUrl, voicePageUrl } from "../oncall/voice-page-urls.js";
import { sendXml, type Webhooks } from "./webhooks.js";

export interface OncallRouteDependencies {
  desk: CrewDesk;
  incidents: IncidentStore;
  /** The live rosters, and the main flow whose voice and language the voice page speaks in, as callers hear the line. */
  definitions: Definitions;
  publicUrl: string;
  log: Logger;
}

/** How the voice page sounds, and the roster it reads labels from, as they are live now. */
function liveSettings(deps: OncallRouteDependencies): { roster: Roster; voice: VoiceSettings } {
  const { roster, main } = deps.definitions.current();
  return { roster, voice: { voice: main.voice, language: main.language } };
}

type Params = Record<string, unknown>;

/** The inbound SMS webhook: crew replies (ACK, DONE, HELP), answered with MessagingResponse. */
export function smsWebhooks(deps: OncallRouteDependencies): Webhooks {
  async function textReceived(req: Request, res: Response): Promise<void> {
    const params = (req.body ?? {}) as Params;
    const from = cleanText(params.From, 32) ?? "";
    const response = new twilio.twiml.MessagingResponse();
    try {
      response.message(await deps.desk.textFrom(from, cleanText(params.Body, 2_000) ?? ""));
    } catch (error) {
      deps.log.error({ err: error, from, messageSid: cleanText(params.MessageSid, 64) }, "crew SMS failed");
      response.message("Sorry, that could not be handled just now. Please try again in a minute.");
    }
    sendXml(res, response.toString());
  }
  return { "/twilio/sms": textReceived };
}

/** The voice page placed to a crew member: the report read aloud, and their keypress. */
export function voicePageWebhooks(deps: OncallRouteDependencies): Webhooks {
  const query = (value: unknown) => (typeof value === "string" ? value : "");

  async function pageAnswered(req: Request, res: Response): Promise<void> {
    const reference = query(req.query.ref);
    const { roster, voice } = liveSettings(deps);
    try {
      const incident = /^\d{4,12}$/.test(reference) ? await deps.incidents.get(reference) : null;
      if (!incident) return sendXml(res, renderPageNotice(keypressReplies.inactive, voice));
      const step = Number(req.query.step);
      const answerUrl = voicePageAnswerUrl(deps.publicUrl, reference, step);
      const stepKnown = Number.isInteger(step) && step >= 0;
      if (incident.status !== "open") {
        // Whoever took it may still need the caller's own words to find the place.
        const recordingAt = stepKnown && incident.reports[0]?.recordingUrl ? answerUrl : undefined;
        return sendXml(res, renderPageNotice(keypressReplies.takenBy(reference, incident.acknowledgedBy), voice, recordingAt));
      }
      if (!stepKnown) return sendXml(res, renderPageNotice(keypressReplies.inactive, voice));
      const label = categoryLabel(roster, incident.category);
      sendXml(res, renderVoicePage(incident.reports[0]!, label, roster.zone, answerUrl, voice));
    } catch (error) {
      deps.log.error({ err: error, reference }, "voice page failed");
      sendXml(res, renderPageNotice("The City's paging system is having trouble. Please check your text messages. Goodbye.", voice));
    }
  }

  async function keypressed(req: Request, res: Response): Promise<void> {
    const reference = query(req.query.ref);
    const { voice } = liveSettings(deps);
    const step = Number(req.query.step);
    // The step names who was called; without it a keypress cannot say who takes the incident.
    if (!/^\d{4,12}$/.test(reference) || !Number.isInteger(step) || step < 0) {
      return sendXml(res, renderPageNotice(keypressReplies.inactive, voice));
    }
    const digits = cleanText(((req.body ?? {}) as Params).Digits, 8);
    const answerUrl = voicePageAnswerUrl(deps.publicUrl, reference, step);
    if (digits !== "1" && digits !== "3") return sendXml(res, renderPageRepeat(voicePageUrl(deps.publicUrl, reference, step)));
    try {
      const recordingUrl = (await deps.incidents.get(reference))?.reports[0]?.recordingUrl;
      if (digits === "3") {
        return sendXml(res, recordingUrl ? renderRecording(recordingUrl, answerUrl, voice) : renderPageRepeat(voicePageUrl(deps.publicUrl, reference, step)));
      }
      const result = await deps.desk.takeByKeypress(reference, step);
      if (!result) return sendXml(res, renderPageNotice(keypressReplies.inactive, voice));
      const text = spokenOutcome(result.taken, result.name, reference);
      sendXml(res, renderPageNotice(text, voice, recordingUrl ? answerUrl : undefined));
    } catch (error) {
      deps.log.error({ err: error, reference }, "voice page keypress failed");
      sendXml(res, renderPageNotice("Sorry, that could not be recorded. Please reply ACK by text. Goodbye.", voice));
    }
  }
  return { "/twilio/page": pageAnswered, "/twilio/page/answer": keypressed };
}

/** What the crew member hears after pressing 1 (3 plays the caller's recording). */
function spokenOutcome(taken: TakeOutcome, name: string, reference: string): string {
  switch (taken.outcome) {
    case "taken":
      return keypressReplies.taken(name, reference);
    case "already-yours":
      return keypressReplies.alreadyYours(reference);
    case "taken-by":
      return keypressReplies.takenBy(reference, taken.by);
    case "resolved":
      return keypressReplies.resolved(reference);
    case "not-found":
      return keypressReplies.inactive;
  }
}
