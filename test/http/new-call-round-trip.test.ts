import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { at, REDIS_URL, TestLine } from "../helpers/line.js";

// A new call's first answer is worked out before anything is read, and saved with one Redis
// command that checks what it assumed. These are the cases where an assumption is wrong.

let line: TestLine;
/** Another web instance of the same line, as a supervisor's change reaches Redis from elsewhere. */
let elsewhere: RedisOverrideStore;
let other: Redis;
beforeAll(async () => {
  line = await TestLine.start({ now: at("2026-12-02T10:00") });
  other = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  elsewhere = new RedisOverrideStore(other, line.prefix);
});
afterAll(async () => {
  await elsewhere.clear();
  await other.quit();
  await line.close();
});

/**
 * The commands the line's web connection sent Redis on this line's keys while `act` ran, as the
 * connection wrote them (a spy that calls through: Redis still answers every one).
 */
async function commandsDuring(act: () => Promise<unknown>): Promise<string[][]> {
  const sent = vi.spyOn(line.redis, "sendCommand");
  try {
    await act();
    return sent.mock.calls
      .map(([command]) => [command.name, ...command.args.map(String)])
      .filter((args) => args.some((arg) => arg.startsWith(line.prefix)));
  } finally {
    sent.mockRestore();
  }
}

describe("a new call's first answer", () => {
  it("costs Redis one command: the save, which checks the call is new and the override unchanged", async () => {
    await line.caller().dial();
    const commands = await commandsDuring(() => line.caller().dial());
    expect(commands).toHaveLength(1);
    // The script by its SHA, or its text the first time this connection runs it.
    expect(["evalsha", "eval"]).toContain(commands[0]![0]!.toLowerCase());
  });

  it("is the greeting however many callers ring at once, each call saved once", async () => {
    const callers = Array.from({ length: 20 }, () => line.caller());
    const answers = await Promise.all(callers.map((caller) => caller.dial()));
    expect(new Set(answers.map((answer) => answer.xml)).size).toBe(1);
    for (const caller of callers) expect((await line.calls.load(caller.callSid))?.call.step).toBe(1);
  });

  it("speaks an emergency message another instance set since this one last read the override", async () => {
    await line.caller().dial();
    await elsewhere.set({ message: "Due to the storm, crews are working on outages across the city." });
    try {
      const twiml = await line.caller().dial();
      expect(twiml.says).toContain("Due to the storm, crews are working on outages across the city.");
      // And every caller after, without reading again: the line now knows this override.
      expect((await line.caller().dial()).says).toContain("Due to the storm, crews are working on outages across the city.");
    } finally {
      await elsewhere.clear();
    }
    expect((await line.caller().dial()).says.join(" ")).not.toMatch(/storm/);
  });

  it("sends callers to the trouble line at once when another instance closes the line", async () => {
    await line.caller().dial();
    await elsewhere.set({ mode: "closed" });
    try {
      expect((await line.caller().dial()).says.join(" ")).toMatch(/closed right now.*power outage, press 1/);
    } finally {
      await elsewhere.clear();
    }
  });

  it("answers Twilio's retry of the first request as it answered the first, starting nothing twice", async () => {
    const caller = line.caller();
    const first = await caller.dial();
    const commands = await commandsDuring(() => caller.dial());
    // The one-trip start refused (the call is known), then the call read and its answer replayed: nothing saved.
    const names = commands.map((args) => args[0]!.toLowerCase().replace(/^eval$/, "evalsha"));
    expect(names).toEqual(["evalsha", "hmget", "get"]);
    expect((await caller.dial()).xml).toBe(first.xml);
    expect((await line.calls.load(caller.callSid))?.call.step).toBe(1);
  });
});
