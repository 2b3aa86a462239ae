import { readFileSync } from "node:fs";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConsolePager } from "../../src/adapters/console-pager.js";
import { parseRoster, whoIsOnCall, type Member } from "../../src/domain/oncall/roster/index.js";
import { createLogger } from "../../src/logger.js";
import { AUTH_TOKEN, at, newCallSid, parseTwiml, PUBLIC_URL, TestLine, type Answer } from "../helpers/line.js";

// The crew's routes answer with Twilio's signature as the only proof of who is asking: a forged
// request must be refused before it reads or writes anything, or anyone could take or read an
// incident. These tests watch every command the line sends Redis while each forged request is
// answered, so "nothing read" is observed rather than inferred; they live apart from the route
// tests for that.

const roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const NIGHT = at("2026-12-05T02:00"); // a Saturday: the trouble line
const LINE_NUMBER = "+14035550311";
const ACCOUNT_SID = `AC${"ab".repeat(16)}`;

/** What Twilio posts for the voice page call it placed to the crew member. */
function voicePageParams(): Record<string, string> {
  return {
    CallSid: newCallSid(),
    AccountSid: ACCOUNT_SID,
    From: LINE_NUMBER,
    To: voiceIncident.crew.phone,
    CallStatus: "in-progress",
    Direction: "outbound-api",
    ApiVersion: "2010-04-01",
  };
}

let line: TestLine;
let watch: RedisWatch;
/** An open incident whose page went by SMS and voice to `smsCrew`; acknowledged only by the positive checks. */
let smsIncident: { reference: string; crew: Member };
/** An open incident whose voice page the forged `/twilio/page` requests name. */
let voiceIncident: { reference: string; crew: Member };

/** Every Redis command that names this file's keys or queue, seen while an action runs. */
interface RedisWatch {
  /** Runs `action` and returns the commands Redis ran for this line meanwhile. */
  during(action: () => Promise<unknown>): Promise<string[][]>;
  close(): void;
}

async function watchRedis(names: string[]): Promise<RedisWatch> {
  // Every command the line's web path sends goes through its connection: watched there, calling
  // through. (MONITOR saw them too, but ioredis could break on monitor lines that came with its
  // OK or after its close, failing the file now and then under load.)
  const sent = vi.spyOn(line.redis, "sendCommand");
  return {
    async during(action) {
      const from = sent.mock.calls.length;
      await action();
      return sent.mock.calls
        .slice(from)
        .map(([command]) => [command.name, ...command.args.map(String)])
        .filter((words) => words.some((word) => names.some((name) => word.includes(name))));
    },
    close() {
      sent.mockRestore();
    },
  };
}

/** Every key of this line (its own prefix and its BullMQ queue), with its serialized value. */
async function snapshot(): Promise<Record<string, string>> {
  const keys = [...(await line.redis.keys(`${line.prefix}*`)), ...(await line.redis.keys(`bull:${line.queueName}:*`))];
  const entries = await Promise.all(
    keys.map(async (key) => [key, (await line.redis.dumpBuffer(key))?.toString("base64") ?? "gone"] as const),
  );
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** Files a report as the voice webhook does and waits until its first step has been paged. */
async function pagedIncident(category: string, location: string): Promise<{ reference: string; crew: Member }> {
  const reference = await line.reports.dispatch({
    category,
    location,
    callbackNumber: "+14035550123",
    callSid: newCallSid(),
    receivedAt: NIGHT.toISO()!,
  });
  const crew = whoIsOnCall(roster, category, NIGHT).primary!;
  for (let waited = 0; waited < 10_000; waited += 100) {
    const incident = await line.incidents.get(reference);
    const paged = incident?.events.filter((event) => event.kind === "paged" && event.step === 0) ?? [];
    if (incident && paged.length === incident.plan[0]!.channels.length) return { reference, crew };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`incident ${reference} was never paged`);
}

beforeAll(async () => {
  line = await TestLine.start({ roster, now: NIGHT });
  line.startWorker(new ConsolePager({ redis: line.redis, logger: createLogger({ level: "silent" }), keyPrefix: line.prefix }));
  smsIncident = await pagedIncident("water", "5th Avenue and 13th Street South");
  voiceIncident = await pagedIncident("power", "Whoop-Up Drive near the bridge");
  // From here nothing but the web app may touch this line's keys: the next escalation steps
  // wait in BullMQ with no worker to run them.
  await line.stopWorker();
  watch = await watchRedis([line.prefix, line.queueName]);
}, 30_000);

afterAll(async () => {
  watch?.close();
  await line?.close();
});

/** One crew-facing webhook, as Twilio would request it. */
interface Route {
  name: string;
  path: () => string;
  params: () => Record<string, string>;
  /** The same request for another URL Twilio might really have signed (another step, another incident). */
  otherPath: () => string;
  /** What the request would change if it were let through. */
  untouched: () => Promise<void>;
}

const ROUTES: Route[] = [
  {
    name: "POST /twilio/sms (ACK <reference>)",
    path: () => "/twilio/sms",
    params: () => ({
      MessageSid: `SM${"0".repeat(32)}`,
      AccountSid: ACCOUNT_SID,
      From: smsIncident.crew.phone,
      To: LINE_NUMBER,
      Body: `ACK ${smsIncident.reference}`,
      NumMedia: "0",
      NumSegments: "1",
    }),
    otherPath: () => "/twilio/voice",
    untouched: async () => {
      const incident = await line.incidents.get(smsIncident.reference);
      expect(incident!.status).toBe("open");
      expect(incident!.acknowledgedBy).toBeUndefined();
      expect(incident!.events.map((event) => event.kind)).not.toContain("acknowledged");
    },
  },
  {
    name: "POST /twilio/page (the voice page's TwiML)",
    path: () => `/twilio/page?ref=${voiceIncident.reference}&step=0`,
    params: () => voicePageParams(),
    otherPath: () => `/twilio/page?ref=${voiceIncident.reference}&step=1`,
    untouched: async () => {
      expect((await line.incidents.get(voiceIncident.reference))!.status).toBe("open");
    },
  },
  {
    name: "POST /twilio/page/answer (pressing 1 takes the incident)",
    path: () => `/twilio/page/answer?ref=${voiceIncident.reference}&step=0`,
    params: () => ({ ...voicePageParams(), Digits: "1" }),
    otherPath: () => `/twilio/page/answer?ref=${voiceIncident.reference}&step=1`,
    untouched: async () => {
      const incident = await line.incidents.get(voiceIncident.reference);
      expect(incident!.status).toBe("open");
      expect(incident!.acknowledgedBy).toBeUndefined();
    },
  },
];

const sign = (url: string, params: Record<string, string>, token = AUTH_TOKEN) =>
  twilio.getExpectedTwilioSignature(token, url, params);

/** A request as Twilio would make it on a route: path with query, and form parameters. */
interface Request {
  route: Route;
  path: string;
  params: Record<string, string>;
}

/** Ways a request can claim to come from Twilio without being the request Twilio signed. */
const FORGERIES: [string, (request: Request) => Promise<Answer>][] = [
  ["no X-Twilio-Signature at all", ({ path, params }) => line.post(path, params, { signature: null })],
  ["an empty X-Twilio-Signature", ({ path, params }) => line.post(path, params, { signature: "" })],
  ["a signature that is not one", ({ path, params }) => line.post(path, params, { signature: "bm90IGEgc2lnbmF0dXJl" })],
  ["a signature made with another account's auth token", ({ path, params }) => line.post(path, params, { token: "another-accounts-auth-token" })],
  [
    "a signature made for another host",
    ({ path, params }) => line.post(path, params, { signature: sign(`https://elsewhere.example.com${path}`, params) }),
  ],
  [
    "a signature made for plain http",
    ({ path, params }) => line.post(path, params, { signature: sign(`http://line.example.org${path}`, params) }),
  ],
  [
    "a signature Twilio made for another URL of this line, replayed",
    ({ route, path, params }) => line.post(path, params, { signature: sign(PUBLIC_URL + route.otherPath(), params) }),
  ],
  [
    "a signature over the URL with another query string",
    ({ path, params }) => {
      const [bare, query] = path.split("?");
      const signedUrl = PUBLIC_URL + (query ? bare! : `${bare!}?ref=100000`);
      return line.post(path, params, { signature: sign(signedUrl, params) });
    },
  ],
  [
    "a body altered after signing",
    ({ path, params }) => {
      const signed = { ...params, ...("Body" in params ? { Body: "HELP" } : {}), ...("Digits" in params ? { Digits: "2" } : { To: "+14035550999" }) };
      return line.post(path, params, { signature: sign(PUBLIC_URL + path, signed) });
    },
  ],
  [
    "a parameter added after signing",
    ({ path, params }) => line.post(path, { ...params, Extra: "1" }, { signature: sign(PUBLIC_URL + path, params) }),
  ],
];

describe.each(ROUTES)("$name", (route) => {
  describe.each(FORGERIES)("with %s", (_, forge) => {
    it("answers 403 without reading or writing any state", async () => {
      const before = await snapshot();
      let answer: Answer | undefined;
      const commands = await watch.during(async () => {
        answer = await forge({ route, path: route.path(), params: route.params() });
      });

      expect(answer!.status).toBe(403);
      expect(answer!.body).not.toContain("<Response");
      expect(commands).toEqual([]);
      expect(await snapshot()).toEqual(before);
      await route.untouched();
    });
  });
});

// The same requests, correctly signed, are let through: the refusals above are the signature's
// doing, and the watch sees a request that does reach Redis.
describe("the same requests signed by Twilio", () => {
  it("reads the incident for the voice page and answers with its TwiML", async () => {
    const route = ROUTES[1]!;
    let answer: Answer | undefined;
    const commands = await watch.during(async () => {
      answer = await line.post(route.path(), route.params());
    });
    expect(answer!.status).toBe(200);
    expect(commands.some((args) => args.some((arg) => arg.includes(`incident:${voiceIncident.reference}`)))).toBe(true);
    expect(parseTwiml(answer!.body).attrs("Gather")!.action).toBe(
      `${PUBLIC_URL}/twilio/page/answer?ref=${voiceIncident.reference}&step=0`,
    );
  });

  it("takes the incident when the crew member presses 1", async () => {
    const route = ROUTES[2]!;
    expect((await line.post(route.path(), route.params())).status).toBe(200);
    expect(await line.incidents.get(voiceIncident.reference)).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: voiceIncident.crew.name,
    });
  });

  it("acknowledges the incident named in an SMS ACK", async () => {
    const route = ROUTES[0]!;
    const answer = await line.post(route.path(), route.params());
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`#${smsIncident.reference} is yours`);
    expect(await line.incidents.get(smsIncident.reference)).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: smsIncident.crew.name,
    });
  });
});
