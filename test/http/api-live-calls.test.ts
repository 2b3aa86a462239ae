/**
 * Publishing while calls go on, on a line of two web instances: a call in progress finishes on
 * the flow version it started with, on whichever instance its next webhook reaches, while a new
 * call hears the new version; a publish or an emergency message made through one instance is
 * served by the other at once. Two real apps share one Redis prefix, as two `npm start`s share
 * one Redis.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { at, TestCaller, TestLine } from "../helpers/line.js";

const main = await readFile("flows/main.yaml", "utf8");
const GREETING = "Thank you for calling the City of Lethbridge, 3 1 1.";
const BILLING_HOLD = "Please hold for the next customer service specialist for utility billing and accounts.";
const WEDNESDAY_MORNING = at("2026-12-02T10:00");

let first: TestLine;
let second: TestLine | undefined;
let supervisor: string;
beforeAll(async () => {
  first = await TestLine.start({ console: {}, now: WEDNESDAY_MORNING });
  supervisor = await first.addUser("sue", "supervisor");
});
afterAll(async () => {
  await second?.close();
  await first.close();
});

/** Publishes `source` as the main flow through `line`'s API and waits until `served` serves it. */
async function publishMain(line: TestLine, source: string, served: TestLine[] = [line]): Promise<number> {
  const answer = await line.api("PUT", "/api/flows/main", { token: supervisor, body: { source, message: "while calls go on" } });
  expect(answer.status).toBe(200);
  const version: number = answer.body.version;
  for (const instance of served) await vi.waitFor(() => expect(instance.live!.current().main.version).toBe(version), { timeout: 1_000, interval: 5 });
  return version;
}

/** The same call, its next webhook answered by `line` instead. */
function movedTo(line: TestLine, caller: TestCaller): TestCaller {
  const moved = new TestCaller(line, caller.callSid, caller.from);
  moved.last = caller.last;
  return moved;
}

describe("a call in progress when a new version is published", () => {
  it("hears the old prompt at its next step, while a new call hears the new one", async () => {
    const inProgress = first.caller();
    expect((await inProgress.dial()).says.join(" ")).toMatch(/utility billing and accounts, press 1/);

    await publishMain(first, main.replace(BILLING_HOLD, "Please hold, billing has a new team answering today."));

    expect((await inProgress.press("1")).says).toContain(BILLING_HOLD);
    const fresh = first.caller();
    await fresh.dial();
    expect((await fresh.press("1")).says).toContain("Please hold, billing has a new team answering today.");
  });

  it("finishes on its version even when a later one removes the state it is going to", async () => {
    const inProgress = first.caller();
    await inProgress.dial();
    // The day menu's 4 now leads to the general queue; the bylaw queue is gone.
    const withoutBylaw = main.replace(/\n  queue-bylaw:\n(?: {4}.*\n)+/, "\n").replace("next: queue-bylaw", "next: queue-general");
    await publishMain(first, withoutBylaw);
    const twiml = await inProgress.press("4");
    expect(twiml.text("Enqueue")).toBe("bylaw-parking");
    const fresh = first.caller();
    await fresh.dial();
    expect((await fresh.press("4")).text("Enqueue")).toBe("general");
    await publishMain(first, main);
  });
});

describe("a second web instance of the line", () => {
  beforeAll(async () => {
    second = await TestLine.start({ console: {}, prefix: first.prefix, now: WEDNESDAY_MORNING });
  });

  it("serves what was published before it started, publishing nothing itself", async () => {
    const history = await second!.api("GET", "/api/flows/main/versions", { token: supervisor });
    expect(history.status).toBe(200);
    expect(second!.live!.current().main.version).toBe(history.body[0].version);
    expect(history.body.filter((entry: { author: string }) => entry.author === "files")).toHaveLength(1);
  });

  // How fast is measured by npm run bench:publish (p99 about a tenth of a second), not here.
  it("serves a publish made through the first without a restart: its next call hears it", async () => {
    const answer = await first.api("PUT", "/api/flows/main", { token: supervisor, body: { source: main.replace(GREETING, "Hello from both instances."), message: "new greeting" } });
    expect(answer.status).toBe(200);
    await vi.waitFor(
      async () => {
        expect((await second!.caller().dial()).says[0]).toBe("Hello from both instances.");
      },
      { timeout: 10_000, interval: 20 },
    );
  });

  it("serves a rollback made through it to the first", async () => {
    const answer = await second!.api("POST", "/api/flows/main/rollback", { token: supervisor, body: { version: 1 } });
    expect(answer.status).toBe(200);
    await vi.waitFor(() => expect(first.live!.current().main.version).toBe(answer.body.version), { timeout: 1_000, interval: 5 });
    expect((await first.caller().dial()).says[0]).toBe(GREETING);
  });

  it("plays an emergency message set through the first to its very next call", async () => {
    const set = await first.api("PUT", "/api/emergency", { token: supervisor, body: { mode: "message", message: "Water is off in West Lethbridge until 6 p.m." } });
    expect(set.status).toBe(200);
    expect((await second!.caller().dial()).says).toContain("Water is off in West Lethbridge until 6 p.m.");
    await first.api("PUT", "/api/emergency", { token: supervisor, body: { mode: "normal" } });
    expect((await second!.caller().dial()).says).not.toContain("Water is off in West Lethbridge until 6 p.m.");
  });

  it("takes over a call started on the first, on the version the call started with", async () => {
    const onFirst = first.caller();
    await onFirst.dial();
    await publishMain(first, main.replace(BILLING_HOLD, "Please hold, these are the second instance's billing words."), [first, second!]);
    const onSecond = movedTo(second!, onFirst);
    expect((await onSecond.press("1")).says).toContain(BILLING_HOLD);
  });

  it("that starts after a publish can still finish a call started before it", async () => {
    await publishMain(first, main.replace(BILLING_HOLD, "Please hold, these are the words this call started with."));
    const onFirst = first.caller();
    await onFirst.dial();
    await publishMain(first, main.replace(BILLING_HOLD, "Please hold, these are newer words."));
    // A third instance that has only ever served the newest version.
    const late = await TestLine.start({ console: {}, prefix: first.prefix, now: WEDNESDAY_MORNING });
    try {
      expect((await movedTo(late, onFirst).press("1")).says).toContain("Please hold, these are the words this call started with.");
    } finally {
      await late.close();
    }
  });
});
