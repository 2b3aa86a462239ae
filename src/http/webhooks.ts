import type { RequestHandler, Response } from "express";

/**
 * A group of Twilio webhooks, by their full path (`/twilio/voice/step`). The app mounts each as a
 * route of its own, behind the signature check (see `createApp`): a webhook passes one router on
 * its way, not one per path segment.
 */
export type Webhooks = Readonly<Record<string, RequestHandler>>;

/**
 * A webhook's answer: TwiML (or Twilio's messaging XML), always 200 so Twilio plays or sends it.
 *
 * Written with Node's own response methods: express's `res.type().send()` would look the type up,
 * parse and rewrite the Content-Type twice and copy the answer into a Buffer, on every webhook of
 * a storm, for the same headers. The length is set here, in bytes, as express sets it: Node would
 * leave it out for an HTTP/1.0 request (a proxy's, nginx's by default) and close the connection instead.
 */
export function sendXml(res: Response, xml: string): void {
  res.statusCode = 200;
  res.setHeader("Content-Type", "text/xml; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(xml));
  res.end(xml);
}
