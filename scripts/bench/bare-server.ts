/**
 * The baseline for `npm run bench`: express reading the same form body the line reads (with the
 * line's limits), then answering fixed TwiML: no signature, Redis or flow.
 */
import express from "express";

const twiml =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you for calling the City of Lethbridge.</Say>' +
  '<Gather input="dtmf" numDigits="1" action="/twilio/voice/step?n=1"><Say>For billing, press 1.</Say></Gather></Response>';

const app = express();
app.use(express.urlencoded({ extended: false, limit: "1mb", parameterLimit: 1000 }));
app.post("/twilio/voice", (req, res) => {
  // Read as the line reads it, so the body's parsing is in the baseline too.
  const callSid = (req.body as Record<string, unknown>).CallSid;
  res.type("text/xml").send(typeof callSid === "string" ? twiml : "<Response/>");
});
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === "object" && address ? address.port : ""}\n`);
});
