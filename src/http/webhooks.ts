import type { RequestHandler, Response } from "express";

/**
 * A group of Twilio webhooks, by their full path (`/twilio/voice/step`). The app mounts each as a
 * route of its own, behind the signature check (see `createApp`): a webhook passes one router on
 * its way, not one per path segment.
 */
export type Webhooks = Readonly<Record<string, RequestHandler>>;

/** A webhook's answer: TwiML (or Twilio's messaging XML), always 200 so Twilio plays or sends it. */
export function sendXml(res: Response, xml: string): void {
  res.status(200).type("text/xml").send(xml);
}
