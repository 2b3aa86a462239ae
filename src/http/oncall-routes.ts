import { Router, type Response } from "express";
import twilio from "twilio";
import { renderPageNotice, renderPageRepeat, renderVoicePage } from "../adapters/twilio/page-twiml.js";
import { cleanText } from "../adapters/twilio/reply.js";
import type { IncidentStore } from "../domain/ports.js";
import { spellDigits } from "../domain/phone.js";
import type { Roster } from "../domain/oncall/roster/index.js";
import type { Logger } from "../logger.js";
import type { CrewDesk } from "../oncall/crew-desk.js";

export interface OncallRouteDependencies {
  desk: CrewDesk;
  incidents: IncidentStore;
  roster: Roster;
  publicUrl: string;
  log: Logger;
}

type Params = Record<string, unknown>;

const sendXml = (res: Response, xml: string) => res.status(200).type("text/xml").send(xml);

/** The inbound SMS webhook: crew replies (ACK, DONE, HELP), answered with MessagingResponse. */
export function smsRoutes(deps: OncallRouteDependencies): Router {
  const router = Router();
  router.post("/", async (req, res) => {
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
  });
  return router;
}

/** The voice page placed to a crew member: the report read aloud, and their keypress. */
export function voicePageRoutes(deps: OncallRouteDependencies): Router {
  const router = Router();
  const query = (value: unknown) => (typeof value === "string" ? value : "");
  const pageUrl = (reference: string, step: number) => `${deps.publicUrl}/twilio/page?ref=${reference}&step=${step}`;

  router.post("/", async (req, res) => {
    const reference = query(req.query.ref);
    try {
      const incident = /^\d{4,12}$/.test(reference) ? await deps.incidents.get(reference) : null;
      if (!incident) return sendXml(res, renderPageNotice("This page is no longer active. Goodbye."));
      if (incident.status !== "open") {
        return sendXml(
          res,
          renderPageNotice(`Reference ${spellDigits(reference)} has already been taken${incident.acknowledgedBy ? ` by ${incident.acknowledgedBy}` : ""}. Thank you. Goodbye.`),
        );
      }
      const step = Number(req.query.step);
      if (!Number.isInteger(step) || step < 0) return sendXml(res, renderPageNotice("This page is no longer active. Goodbye."));
      const label = deps.roster.categories[incident.category]?.label ?? incident.category;
      const answerUrl = `${deps.publicUrl}/twilio/page/answer?ref=${reference}&step=${step}`;
      sendXml(res, renderVoicePage(incident.reports[0]!, label, deps.roster.zone, answerUrl));
    } catch (error) {
      deps.log.error({ err: error, reference }, "voice page failed");
      sendXml(res, renderPageNotice("The City's paging system is having trouble. Please check your text messages. Goodbye."));
    }
  });

  router.post("/answer", async (req, res) => {
    const reference = query(req.query.ref);
    const step = Number(req.query.step);
    // The step names who was called; without it a keypress cannot say who takes the incident.
    if (!/^\d{4,12}$/.test(reference) || !Number.isInteger(step) || step < 0) {
      return sendXml(res, renderPageNotice("This page is no longer active. Goodbye."));
    }
    const digits = cleanText(((req.body ?? {}) as Params).Digits, 8);
    if (digits !== "1") return sendXml(res, renderPageRepeat(pageUrl(reference, step)));
    try {
      const result = await deps.desk.takeByKeypress(reference, step);
      const spoken = spellDigits(reference);
      if (!result) return sendXml(res, renderPageNotice("This page is no longer active. Goodbye."));
      const text = {
        taken: `Thank you, ${result.name}. Reference ${spoken} is yours. Text DONE ${spoken} when it is fixed. Goodbye.`,
        "already-yours": `Reference ${spoken} is already yours. Goodbye.`,
        "taken-by": `Reference ${spoken} was already taken${"by" in result.taken ? ` by ${result.taken.by}` : ""}. Goodbye.`,
        resolved: `Reference ${spoken} is already resolved. Goodbye.`,
        "not-found": "This page is no longer active. Goodbye.",
      }[result.taken.outcome];
      sendXml(res, renderPageNotice(text));
    } catch (error) {
      deps.log.error({ err: error, reference }, "voice page keypress failed");
      sendXml(res, renderPageNotice("Sorry, that could not be recorded. Please reply ACK by text. Goodbye."));
    }
  });
  return router;
}
