/**
 * The documents API as supervisors and the City's scripts use it: flows, hours, on-call rosters
 * and departments share one shape (list, read, check, publish with a stale-version 409, history,
 * rollback), through real HTTP on the real app, with the published documents in the real Redis.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { at, TestLine } from "../helpers/line.js";
import { RecordingPager } from "../helpers/recording-pager.js";

const main = await readFile("flows/main.yaml", "utf8");
const hours = await readFile("flows/hours.yaml", "utf8");
const oncall = await readFile("flows/oncall.yaml", "utf8");
const departments = await readFile("flows/departments.yaml", "utf8");
const GREETING = "Thank you for calling the City of Lethbridge, 3 1 1.";
const withGreeting = (source: string, words: string) => source.replace(GREETING, words);
/** The 1-based line of the first line of `source` containing `text`. */
const lineOf = (source: string, text: string) => source.split("\n").findIndex((line) => line.includes(text)) + 1;

let line: TestLine;
const pager = new RecordingPager();
let supervisor: string;
let viewer: string;
beforeAll(async () => {
  line = await TestLine.start({ console: { changePager: pager } });
  supervisor = await line.addUser("sam-supervisor", "supervisor");
  viewer = await line.addUser("vic-viewer", "viewer");
});
afterAll(async () => {
  await line.close();
});

/** The live version of a document, read through the API. */
async function live(path: string): Promise<{ version: number; source: string }> {
  const answer = await line.api("GET", path, { token: viewer });
  expect(answer.status).toBe(200);
  return answer.body;
}

function publish(path: string, body: Record<string, unknown>) {
  return line.api("PUT", path, { token: supervisor, body });
}

describe("the documents API", () => {
  describe("call flows", () => {
    describe("listing and reading", () => {
      it("lists every flow with its live version, who published it and when", async () => {
        const answer = await line.api("GET", "/api/flows", { token: viewer });
        expect(answer.status).toBe(200);
        expect(answer.body).toContainEqual({ name: "main", version: expect.any(Number), updatedBy: expect.any(String), updatedAt: expect.any(String) });
      });

      it("reads a flow's live source as YAML text, with its version", async () => {
        const answer = await line.api("GET", "/api/flows/main", { token: viewer });
        expect(answer.body).toMatchObject({ name: "main", version: expect.any(Number), source: expect.stringContaining("start: greeting") });
      });

      it("answers 404 for a flow nobody has published", async () => {
        const answer = await line.api("GET", "/api/flows/nothing-here", { token: viewer });
        expect(answer.status).toBe(404);
        expect(answer.body).toEqual({ error: 'flow "nothing-here" has never been published' });
      });

      it("answers 400 for a name no flow could have, saying what a name may be", async () => {
        const answer = await line.api("GET", "/api/flows/Main.yaml", { token: viewer });
        expect(answer.status).toBe(400);
        expect(answer.body.error).toMatch(/lower-case letters, digits and dashes/);
      });

      it("refuses a flow named as another document, whose file it would take in flows/", async () => {
        const answer = await publish("/api/flows/departments", { source: main, message: "a flow by that name" });
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({ error: '"departments" cannot be a flow\'s name: departments.yaml is the list of departments (/api/departments)' });
        expect((await line.api("GET", "/api/flows/hours", { token: viewer })).status).toBe(400);
      });
    });

    describe("checking a draft", () => {
      it("finds nothing wrong with the live source", async () => {
        const answer = await line.api("POST", "/api/flows/main/check", { token: viewer, body: { source: main } });
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ ok: true, errors: [], warnings: [] });
      });

      it("gives a misspelt state its 1-based line, its path, and a did-you-mean hint", async () => {
        const draft = main.replace("next: urgent-menu", "next: urgnet-menu");
        const answer = await line.api("POST", "/api/flows/main/check", { token: viewer, body: { source: draft } });
        expect(answer.status).toBe(200);
        expect(answer.body.ok).toBe(false);
        expect(answer.body.errors).toEqual([
          {
            line: lineOf(draft, "urgnet-menu"),
            path: "states.day-menu.choices[4].next",
            message: 'unknown state "urgnet-menu"',
            hint: 'did you mean "urgent-menu"?',
            document: "main.yaml",
          },
        ]);
      });

      it("suggests the node type meant by a misspelt one", async () => {
        const draft = main.replace("type: hangup\n    text: Thank you for calling the City of Lethbridge. Goodbye.", "type: hangpu\n    text: Thank you for calling the City of Lethbridge. Goodbye.");
        const answer = await line.api("POST", "/api/flows/main/check", { token: viewer, body: { source: draft } });
        expect(answer.body.errors).toEqual([expect.objectContaining({ line: lineOf(draft, "hangpu"), path: "states.goodbye.type", hint: 'did you mean "hangup"?' })]);
      });

      it("puts a YAML syntax error at the line where the text goes wrong", async () => {
        const draft = main.replace("  greeting:\n    type: say\n", "  greeting:\n    type: say\n   bad: [\n");
        const answer = await line.api("POST", "/api/flows/main/check", { token: viewer, body: { source: draft } });
        expect(answer.body.ok).toBe(false);
        expect(answer.body.errors[0]).toMatchObject({ line: lineOf(draft, "bad: ["), message: expect.any(String) });
      });

      it("is open to a viewer and publishes nothing", async () => {
        const before = await live("/api/flows/main");
        await line.api("POST", "/api/flows/main/check", { token: viewer, body: { source: withGreeting(main, "Only checked.") } });
        expect(await live("/api/flows/main")).toEqual(before);
      });
    });

    describe("publishing", () => {
      it("makes the change the live version, one number up, and answers with it", async () => {
        const before = await live("/api/flows/main");
        const answer = await publish("/api/flows/main", { source: withGreeting(main, "Welcome to the City of Lethbridge."), message: "a warmer greeting" });
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ name: "main", version: before.version + 1, unchanged: false, warnings: [] });
        expect((await live("/api/flows/main")).source).toContain("Welcome to the City of Lethbridge.");
      });

      it("shows who published it and why at the top of the history", async () => {
        await publish("/api/flows/main", { source: withGreeting(main, "Hello from the City."), message: "shorter" });
        const history = await line.api("GET", "/api/flows/main/versions", { token: viewer });
        expect(history.status).toBe(200);
        expect(history.body[0]).toEqual({ version: (await live("/api/flows/main")).version, author: "sam-supervisor", at: expect.any(String), message: "shorter" });
      });

      it("publishes nothing when the source is the live one already", async () => {
        const before = await live("/api/flows/main");
        const answer = await publish("/api/flows/main", { source: before.source, message: "again" });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ version: before.version, unchanged: true });
        expect((await line.api("GET", "/api/flows/main/versions", { token: viewer })).body[0].version).toBe(before.version);
      });

      it("publishes a flow under a new name as its version 1", async () => {
        const answer = await publish("/api/flows/storm-line", { source: withGreeting(main, "The storm line."), message: "a line for storms" });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ name: "storm-line", version: 1 });
        expect((await line.api("GET", "/api/flows", { token: viewer })).body.map((flow: { name: string }) => flow.name)).toEqual(["main", "storm-line"]);
      });
    });

    describe("an invalid draft", () => {
      const broken = main.replace("next: urgent-menu", "next: urgnet-menu");

      it("is refused with 400 and each error at its line", async () => {
        const answer = await publish("/api/flows/main", { source: broken, message: "typo" });
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({
          error: 'flow "main" has problems and was not published',
          errors: [{ line: lineOf(broken, "urgnet-menu"), path: "states.day-menu.choices[4].next", message: 'unknown state "urgnet-menu"', hint: 'did you mean "urgent-menu"?' }],
        });
      });

      it("leaves the live version serving, and the history as it was", async () => {
        const before = await live("/api/flows/main");
        const history = (await line.api("GET", "/api/flows/main/versions", { token: viewer })).body;
        await publish("/api/flows/main", { source: broken, message: "typo" });
        expect(await live("/api/flows/main")).toEqual(before);
        expect(line.live!.current().main.version).toBe(before.version);
        expect((await line.api("GET", "/api/flows/main/versions", { token: viewer })).body).toEqual(history);
      });
    });

    // Deleting the state that holds `&hold` leaves `*hold` naming nothing: the supervisor's
    // problem, at the alias's line, never a server error.
    describe("a draft using an alias whose anchor was removed", () => {
      const draft = main.replace("hold: &hold", "hold:");
      const aliasLine = lineOf(draft, "*hold");

      it("is checked as a problem at the alias's line", async () => {
        const answer = await line.api("POST", "/api/flows/main/check", { token: viewer, body: { source: draft } });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ ok: false, errors: [expect.objectContaining({ line: aliasLine, message: expect.stringMatching(/hold/) })] });
      });

      it("is refused with 400, not a server error", async () => {
        const answer = await publish("/api/flows/main", { source: draft, message: "no more anchor" });
        expect(answer.status).toBe(400);
      });
    });

    describe("published on a stale baseVersion", () => {
      it("is refused with 409, naming the live version", async () => {
        const { version } = await live("/api/flows/main");
        const answer = await publish("/api/flows/main", { source: withGreeting(main, "Too late."), message: "late", baseVersion: version - 1 });
        expect(answer.status).toBe(409);
        expect(answer.body).toEqual({ error: `someone published version ${version} of flow "main" meanwhile: reload it, then make your change again`, live: version });
        expect((await live("/api/flows/main")).version).toBe(version);
      });

      it("goes through when baseVersion is the live version", async () => {
        const { version } = await live("/api/flows/main");
        const answer = await publish("/api/flows/main", { source: withGreeting(main, "Just in time."), message: "on time", baseVersion: version });
        expect(answer.status).toBe(200);
        expect(answer.body.version).toBe(version + 1);
      });
    });

    describe("history and rollback", () => {
      it("lists every version newest first, with author, time and message", async () => {
        const answer = await line.api("GET", "/api/flows/main/versions", { token: viewer });
        const versions = answer.body.map((entry: { version: number }) => entry.version);
        expect(versions).toEqual([...versions].sort((a: number, b: number) => b - a));
        expect(answer.body.at(-1)).toEqual({ version: 1, author: "files", at: expect.any(String), message: "First published from flows/" });
      });

      it("reads any version's source", async () => {
        const answer = await line.api("GET", "/api/flows/main/versions/1", { token: viewer });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ name: "main", version: 1, source: main, author: "files" });
      });

      it("answers 404 for a version that does not exist, or is not a number", async () => {
        expect((await line.api("GET", "/api/flows/main/versions/999", { token: viewer })).status).toBe(404);
        expect((await line.api("GET", "/api/flows/main/versions/latest", { token: viewer })).status).toBe(404);
      });

      it("rolls back by publishing the old source as a new version, which the history shows", async () => {
        const { version } = await live("/api/flows/main");
        const answer = await line.api("POST", "/api/flows/main/rollback", { token: supervisor, body: { version: 1 } });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ name: "main", version: version + 1 });
        expect(await live("/api/flows/main")).toMatchObject({ version: version + 1, source: main });
        const history = (await line.api("GET", "/api/flows/main/versions", { token: viewer })).body;
        expect(history[0]).toEqual({ version: version + 1, author: "sam-supervisor", at: expect.any(String), message: "Rolled back to version 1" });
        expect(history[1].version).toBe(version);
      });

      it("takes a message of the supervisor's own for the rollback", async () => {
        await publish("/api/flows/main", { source: withGreeting(main, "Before the rollback."), message: "something to undo" });
        const answer = await line.api("POST", "/api/flows/main/rollback", { token: supervisor, body: { version: 1, message: "the old greeting tested better" } });
        expect(answer.status).toBe(200);
        expect((await line.api("GET", "/api/flows/main/versions", { token: viewer })).body[0].message).toBe("the old greeting tested better");
      });

      it("answers 404 for a rollback to a version that does not exist", async () => {
        const answer = await line.api("POST", "/api/flows/main/rollback", { token: supervisor, body: { version: 999 } });
        expect(answer.status).toBe(404);
        expect(answer.body).toEqual({ error: 'flow "main" has no version 999' });
      });

      it("refuses a rollback on a stale baseVersion with 409", async () => {
        const { version } = await live("/api/flows/main");
        const answer = await line.api("POST", "/api/flows/main/rollback", { token: supervisor, body: { version: 1, baseVersion: version - 1 } });
        expect(answer.status).toBe(409);
        expect(answer.body.live).toBe(version);
      });
    });
  });

  describe("the hours", () => {
    const closure = hours.replace('closures:\n', 'closures:\n  - date: 2026-12-31\n    reason: New Year\'s Eve\n    closes: "12:00"\n');

    it("reads as the flows do, with its source and version", async () => {
      const answer = await line.api("GET", "/api/hours", { token: viewer });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ name: "hours", version: expect.any(Number), source: expect.stringContaining("zone: America/Edmonton") });
    });

    it("checks a draft, a bad time at its line with how to write one", async () => {
      const draft = hours.replace('open: "08:00"', 'open: "8am"');
      const answer = await line.api("POST", "/api/hours/check", { token: viewer, body: { source: draft } });
      expect(answer.body).toEqual({
        ok: false,
        errors: [{ line: lineOf(draft, '"8am"'), path: "weekly[0].open", message: '"8am" is not a time', hint: 'write a 24-hour time like "08:00" or "16:30"', document: "hours.yaml" }],
        warnings: [],
      });
    });

    it("suggests the weekday meant by a misspelt one", async () => {
      const draft = hours.replace("days: [monday,", "days: [mondy,");
      const answer = await line.api("PUT", "/api/hours", { token: supervisor, body: { source: draft, message: "typo" } });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ line: lineOf(draft, "mondy"), path: "weekly[0].days[0]", hint: 'did you mean "monday"?' })]);
    });

    it("publishes a closure, which the next call meets", async () => {
      const before = await live("/api/hours");
      const answer = await publish("/api/hours", { source: closure, message: "closing early on New Year's Eve", baseVersion: before.version });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ name: "hours", version: before.version + 1 });
      await vi.waitFor(() => expect(line.live!.current().versions.hours).toBe(before.version + 1));
      line.now = at("2026-12-31T14:00");
      expect((await line.caller().dial()).says.join(" ")).toMatch(/New Year's Eve/);
    });

    it("refuses a stale baseVersion with 409", async () => {
      const { version } = await live("/api/hours");
      expect((await publish("/api/hours", { source: hours, message: "stale", baseVersion: version - 1 })).status).toBe(409);
    });

    it("keeps a history and rolls back", async () => {
      const { version } = await live("/api/hours");
      const answer = await line.api("POST", "/api/hours/rollback", { token: supervisor, body: { version: 1 } });
      expect(answer.status).toBe(200);
      expect(await live("/api/hours")).toMatchObject({ version: version + 1, source: hours });
      const history = (await line.api("GET", "/api/hours/versions", { token: viewer })).body;
      expect(history.map((entry: { message: string }) => entry.message).slice(0, 2)).toEqual(["Rolled back to version 1", "closing early on New Year's Eve"]);
      expect((await line.api("GET", "/api/hours/versions/1", { token: viewer })).body.source).toBe(hours);
    });
  });

  describe("the on-call rosters", () => {
    it("read as the flows do", async () => {
      const answer = await line.api("GET", "/api/oncall", { token: viewer });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ name: "oncall", source: expect.stringContaining("categories:") });
    });

    it("check a draft, an unknown member at its line with the one meant", async () => {
      const draft = oncall.replace("- { primary: pat, backup: sam }", "- { primary: patt, backup: sam }");
      const answer = await line.api("POST", "/api/oncall/check", { token: viewer, body: { source: draft } });
      expect(answer.body.errors).toEqual([
        { line: lineOf(draft, "patt"), path: "categories.water.rotation.weeks[0].primary", message: 'unknown member "patt"', hint: 'did you mean "pat"?', document: "oncall.yaml" },
      ]);
    });

    describe("a roster that drops a category the main flow dispatches", () => {
      const withoutRoads = oncall.replace(/\n  roads:[\s\S]*$/, "\n");

      it("is refused, the problem named in the flow it would break", async () => {
        const answer = await publish("/api/oncall", { source: withoutRoads, message: "no roads crew" });
        expect(answer.status).toBe(400);
        expect(answer.body.errors).toContainEqual({
          line: null,
          path: "states.urgent-menu.choices[2].set.category",
          message: 'no on-call crew for category "roads"',
          hint: "oncall.yaml has: power, water",
          document: "main.yaml",
        });
      });

      it("leaves the live roster serving", async () => {
        const before = await live("/api/oncall");
        await publish("/api/oncall", { source: withoutRoads, message: "no roads crew" });
        expect(await live("/api/oncall")).toEqual(before);
      });
    });

    it("publishes a category no flow reaches, with a warning saying so", async () => {
      const parks = oncall.replace(
        "\n  roads:\n",
        `\n  parks:\n    label: Parks\n    supervisor: { id: ava, name: Ava Lund, phone: "+14035550130" }\n    members:\n      - { id: ola, name: Ola Berg, phone: "+14035550131" }\n    rotation:\n      handoff: { day: monday, time: "08:00" }\n      start: 2026-11-02\n      weeks:\n        - { primary: ola }\n    overrides: []\n    escalation:\n      steps:\n        - { notify: primary, wait: "10m" }\n        - { notify: supervisor, wait: "15m" }\n      rounds: 1\n\n  roads:\n`,
      );
      const answer = await publish("/api/oncall", { source: parks, message: "a parks crew" });
      expect(answer.status).toBe(200);
      expect(answer.body.warnings).toEqual([expect.objectContaining({ path: "categories.parks", line: lineOf(parks, "  parks:"), message: expect.stringMatching(/never paged/) })]);
      await line.api("POST", "/api/oncall/rollback", { token: supervisor, body: { version: 1 } });
    });

    describe("a published change to who is on call", () => {
      // 2 December 2026 is in the rotation's second week: Sam is the water primary, Lee the backup.
      const patCoversTheWeekend = oncall.replace(
        "overrides:\n      - from: 2026-12-24",
        "overrides:\n      - from: 2026-12-05\n        to: 2026-12-06\n        primary: pat\n        reason: Sam is away\n      - from: 2026-12-24",
      );

      beforeEach(async () => {
        line.now = at("2026-12-02T10:00");
        await setRoster(oncall);
        pager.texts.length = 0;
      });

      it("texts each person whose time on call in the next 14 days changed, once", async () => {
        expect((await publish("/api/oncall", { source: patCoversTheWeekend, message: "Pat covers Sam's weekend" })).status).toBe(200);
        expect(pager.texts.map((text) => text.to).sort()).toEqual(["+14035550111", "+14035550112"]);
        const toPat = pager.texts.find((text) => text.to === "+14035550111")!.body;
        expect(toPat).toMatch(/Sat 5 Dec/);
        expect(toPat).toMatch(/water|Water/);
      });

      it("texts nobody when the change is more than 14 days away", async () => {
        const later = oncall.replace("overrides:\n      - from: 2026-12-24", "overrides:\n      - from: 2027-01-20\n        to: 2027-01-21\n        primary: pat\n        reason: far ahead\n      - from: 2026-12-24");
        expect((await publish("/api/oncall", { source: later, message: "far ahead" })).status).toBe(200);
        expect(pager.texts).toEqual([]);
      });

      it("texts nobody when the roster's words change but nobody's time does", async () => {
        expect((await publish("/api/oncall", { source: oncall.replace("label: Electric", "label: Electrical"), message: "relabel" })).status).toBe(200);
        expect(pager.texts).toEqual([]);
      });
    });
  });

  describe("the departments", () => {
    /** The departments' live source with the services of one department changed. */
    const withServices = (from: string, to: string) => departments.replace(`services: [${from}]`, `services: [${to}]`);

    it("read as the flows do, published from flows/ at the first start", async () => {
      const answer = await line.api("GET", "/api/departments", { token: viewer });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ name: "departments", version: expect.any(Number), source: expect.stringContaining("departments:"), updatedBy: expect.any(String) });
      expect((await line.api("GET", "/api/departments/versions/1", { token: viewer })).body).toMatchObject({ version: 1, source: departments, author: "files" });
    });

    it("check a draft, a service in two departments at its line with how to fix it", async () => {
      const draft = withServices("water", "water, roads");
      const answer = await line.api("POST", "/api/departments/check", { token: viewer, body: { source: draft } });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        ok: false,
        errors: [
          {
            line: lineOf(draft, "[roads, roads-transit]"),
            path: "departments[2].services[0]",
            message: '"roads" is already a service of "Water and Wastewater" (departments[1])',
            hint: "a service goes to one department: remove it from one of them",
            document: "departments.yaml",
          },
        ],
        warnings: [],
      });
    });

    it("refuse a key written in an endpoint, without repeating it", async () => {
      const draft = departments.replace("    services: [water]\n", "    services: [water]\n    endpoint: https://water.example.ca/requests.json?api_key=s3cr3t\n");
      const answer = await publish("/api/departments", { source: draft, message: "deliver water requests" });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ line: lineOf(draft, "api_key"), path: "departments[1].endpoint", message: 'the endpoint\'s address carries "api_key"' })]);
      expect(JSON.stringify(answer.body)).not.toContain("s3cr3t");
    });

    it("publish an endpoint, which the next set serves, and the audit log records with its diff", async () => {
      const before = await live("/api/departments");
      const draft = departments.replace("    services: [water]\n", "    services: [water]\n    endpoint: https://water.example.ca/open311/v2/requests.json\n");
      const answer = await publish("/api/departments", { source: draft, message: "water's work orders take our requests", baseVersion: before.version });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ name: "departments", version: before.version + 1, unchanged: false, warnings: [] });
      await vi.waitFor(() => expect(line.live!.current().versions.departments).toBe(before.version + 1));
      expect(line.live!.current().departments.departments[1]).toEqual({ name: "Water and Wastewater", services: ["water"], endpoint: "https://water.example.ca/open311/v2/requests.json" });
      const audit = (await line.api("GET", "/api/audit?document=departments", { token: viewer })).body;
      expect(audit[0]).toMatchObject({ user: "sam-supervisor", action: "publish", document: "departments", version: before.version + 1, message: "water's work orders take our requests" });
      expect(audit[0].diff).toContain("+    endpoint: https://water.example.ca/open311/v2/requests.json");
    });

    it("publish a change that leaves a queue without a department, with a warning at the list", async () => {
      const draft = withServices("bylaw-parking", "parking");
      const answer = await publish("/api/departments", { source: draft, message: "rename bylaw's service" });
      expect(answer.status).toBe(200);
      expect(answer.body.warnings).toEqual([
        {
          line: draft.split("\n").indexOf("departments:") + 1,
          path: "departments",
          message: 'requests for "bylaw-parking" will be kept without a department: no department lists it in its services',
          hint: '"bylaw-parking" is an agent queue (main.yaml: states.queue-bylaw.queue); add it to the services of the department that handles it',
          document: "departments.yaml",
        },
      ]);
    });

    it("refuse a stale baseVersion with 409", async () => {
      const { version } = await live("/api/departments");
      const answer = await publish("/api/departments", { source: departments, message: "stale", baseVersion: version - 1 });
      expect(answer.status).toBe(409);
      expect(answer.body.error).toBe(`someone published version ${version} of the list of departments meanwhile: reload it, then make your change again`);
    });

    it("keep a history and roll back", async () => {
      const { version } = await live("/api/departments");
      const answer = await line.api("POST", "/api/departments/rollback", { token: supervisor, body: { version: 1 } });
      expect(answer.status).toBe(200);
      expect(await live("/api/departments")).toMatchObject({ version: version + 1, source: departments });
      const history = (await line.api("GET", "/api/departments/versions", { token: viewer })).body;
      expect(history.map((entry: { message: string }) => entry.message).slice(0, 2)).toEqual(["Rolled back to version 1", "rename bylaw's service"]);
    });

    it("may be published by a supervisor only", async () => {
      const answer = await line.api("PUT", "/api/departments", { token: viewer, body: { source: departments, message: "a viewer tries" } });
      expect(answer.status).toBe(403);
    });
  });
});

/** Publishes `source` as the live roster unless it is already. */
async function setRoster(source: string): Promise<void> {
  const answer = await publish("/api/oncall", { source, message: "back to the files' roster" });
  expect(answer.status).toBe(200);
}
