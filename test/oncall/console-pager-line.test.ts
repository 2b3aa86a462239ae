import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsolePager, readOutbox } from "../../src/adapters/console-pager.js";
import { parseRoster, whoIsOnCall } from "../../src/domain/oncall/roster/index.js";
import { createLogger } from "../../src/logger.js";
import { at, TestLine } from "../helpers/line.js";

// What `npm run dev` does without Twilio credentials: the console pager keeps every page in Redis.
const roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const NIGHT = at("2026-12-05T02:00");

describe("an urgent call on a line without Twilio credentials", () => {
  let line: TestLine;
  beforeAll(async () => {
    line = await TestLine.start({ roster, now: NIGHT });
    line.startWorker(new ConsolePager({ redis: line.redis, logger: createLogger({ level: "silent" }), keyPrefix: line.prefix }));
  });
  afterAll(async () => {
    await line.close();
  });

  it("shows the page in the outbox, and an ACK by SMS stops the escalation", async () => {
    const caller = line.caller("+14035550123");
    await caller.dial();
    await caller.press("2");
    await caller.say("Stafford Drive and 3rd Avenue South");
    await caller.press("1"); // the place, as read back
    let done = await caller.press("1"); // the callback number: the caller ID
    while (done.verbs.includes("Redirect")) done = await caller.follow();
    const reference = /reference number is ([\d ,]+)\./.exec(done.says.join(" "))![1]!.replace(/\D/g, "");

    const primary = whoIsOnCall(roster, "water", NIGHT).primary!;
    let outbox = await readOutbox(line.redis, line.prefix, 50);
    for (let waited = 0; !outbox.some((entry) => entry.body?.includes(reference)) && waited < 5_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      outbox = await readOutbox(line.redis, line.prefix, 50);
    }
    expect(outbox.find((entry) => entry.body?.includes(reference))).toMatchObject({ kind: "sms", to: primary.phone });

    const reply = await line.post("/twilio/sms", { From: primary.phone, To: "+14035550311", Body: `ACK ${reference}`, MessageSid: "SM0" });
    expect(reply.body).toContain(`#${reference} is yours`);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // past the test roster's 2 s wait
    const sent = (await readOutbox(line.redis, line.prefix, 50)).filter((entry) => (entry.body ?? entry.url ?? "").includes(reference));
    expect(sent.filter((entry) => entry.to !== primary.phone)).toEqual([
      expect.objectContaining({ to: "+14035550123", body: expect.stringContaining("received by the on-call crew") }),
    ]);
    expect((await line.incidents.get(reference))!.status).toBe("acknowledged");
  });
});
