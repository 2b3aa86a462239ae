/** The baseline for `npm run bench`: express answering fixed TwiML, with no parsing, Redis or flow. */
import express from "express";

const twiml =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you for calling the City of Lethbridge.</Say>' +
  '<Gather input="dtmf" numDigits="1" action="/twilio/voice/step?n=1"><Say>For billing, press 1.</Say></Gather></Response>';

const app = express();
app.post("/twilio/voice", (_req, res) => {
  res.type("text/xml").send(twiml);
});
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === "object" && address ? address.port : ""}\n`);
});
