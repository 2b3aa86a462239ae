import type { RequestHandler } from "express";
import twilio from "twilio";
import type { Logger } from "../../logger.js";

/**
 * Refuses (403) any request not signed by Twilio with our auth token, before anything reads or
 * writes state. The URL signed is `PUBLIC_URL` + the path and query Twilio requested.
 */
export function requireTwilioSignature(options: { authToken: string; publicUrl: string; log: Logger }): RequestHandler {
  return (req, res, next) => {
    const signature = req.header("X-Twilio-Signature");
    const url = options.publicUrl + req.originalUrl;
    const params = (req.body ?? {}) as Record<string, string>;
    if (signature && twilio.validateRequest(options.authToken, signature, url, params)) {
      next();
      return;
    }
    options.log.warn({ path: req.path, signed: Boolean(signature) }, "refused a request without a valid Twilio signature");
    res.status(403).type("text/plain").send("Forbidden: missing or invalid X-Twilio-Signature\n");
  };
}
