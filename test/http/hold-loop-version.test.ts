import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCallSid, parseTwiml, TestLine } from "../helpers/line.js";

// A caller on hold keeps hearing the hold words of the flow version their call started on, as
// every other step of their call does, whatever is published while they wait.

const main = readFileSync("flows/main.yaml", "utf8");
const NEW_HOLD = main.replace("hold: &hold\n", "hold: &hold\n      message: New hold words, you are number {position}.\n");

describe("a caller on hold while a new version is published", () => {
  let line: TestLine;
  let token: string;
  beforeAll(async () => {
    line = await TestLine.start({ console: {} });
    token = await line.addUser("sam", "supervisor");
  });
  afterAll(async () => {
    await line.close();
  });

  it("is sent to a hold loop that names the version the call started on", async () => {
    const caller = line.caller();
    await caller.dial();
    const twiml = await caller.press("1");
    expect(twiml.attrs("Enqueue")?.waitUrl).toMatch(/\/twilio\/voice\/wait\?flow=main&state=queue-billing&v=1$/);
  });

  it("hears the old hold words on that loop, while a loop on the new version hears the new ones", async () => {
    const seen = new Promise((resolve) => line.live!.onChange(resolve));
    const published = await line.api("PUT", "/api/flows/main", { token, body: { source: NEW_HOLD, message: "new hold words" } });
    expect(published.status).toBe(200);
    await seen;
    const turn = async (version: number) =>
      parseTwiml((await line.post(`/twilio/voice/wait?flow=main&state=queue-billing&v=${version}`, { CallSid: newCallSid(), QueuePosition: "2", QueueTime: "10" })).body).says[0];
    expect(await turn(1)).toBe("You are number 2 in line. Thank you for waiting.");
    expect(await turn(published.body.version)).toBe("New hold words, you are number 2.");
  });
});
