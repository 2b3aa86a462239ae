/**
 * `GET /api/audit`: who changed what and when. Each change below is made through the API (or,
 * for a refused sign-in, the account service the console signs in with), then read back.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestLine } from "../helpers/line.js";

const main = await readFile("flows/main.yaml", "utf8");
const GREETING = "Thank you for calling the City of Lethbridge, 3 1 1.";
const STORM = "Because of the storm, garbage collection is one day late this week.";

interface Entry {
  id: string;
  at: string;
  user: string;
  action: string;
  document?: string;
  version?: number;
  message?: string;
  diff?: string;
  detail?: string;
}

let line: TestLine;
let sue: string;
let ada: string;
let vic: string;
beforeAll(async () => {
  line = await TestLine.start({ console: {} });
  sue = await line.addUser("sue", "supervisor");
  ada = await line.addUser("ada", "admin");
  vic = await line.addUser("vic", "viewer");
  const steps = [
    await line.api("PUT", "/api/flows/main", { token: sue, body: { source: main.replace(GREETING, "Welcome to the City of Lethbridge."), message: "a warmer greeting" } }),
    await line.api("POST", "/api/flows/main/rollback", { token: ada, body: { version: 1 } }),
    await line.api("PUT", "/api/emergency", { token: sue, body: { mode: "message", message: STORM } }),
    await line.api("POST", "/api/users", { token: ada, body: { username: "newbie", role: "viewer", password: "correct horse battery staple" } }),
  ];
  for (const step of steps) expect(step.status).toBeLessThan(300);
  await line.accounts!.signIn("sue", "not her password at all", "203.0.113.9");
});
afterAll(async () => {
  await line.close();
});

async function audit(query = ""): Promise<Entry[]> {
  const answer = await line.api("GET", `/api/audit${query}`, { token: vic });
  expect(answer.status).toBe(200);
  return answer.body;
}

describe("the audit log", () => {
  it("shows a publish with who, the document, the version, the message and the diff", async () => {
    const entry = (await audit()).find((candidate) => candidate.action === "publish");
    expect(entry).toMatchObject({ user: "sue", document: "flow:main", version: 2, message: "a warmer greeting" });
    expect(entry!.diff).toContain(`-    text: ${GREETING}`);
    expect(entry!.diff).toContain("+    text: Welcome to the City of Lethbridge.");
  });

  it("shows a rollback as one, with the diff back", async () => {
    const entry = (await audit()).find((candidate) => candidate.action === "rollback");
    expect(entry).toMatchObject({ user: "ada", document: "flow:main", version: 3, message: "Rolled back to version 1" });
    expect(entry!.diff).toContain(`+    text: ${GREETING}`);
  });

  it("shows the emergency message, before and after", async () => {
    const entry = (await audit()).find((candidate) => candidate.action === "emergency");
    expect(entry).toMatchObject({ user: "sue", document: "emergency", detail: `normal → message: "${STORM}"` });
  });

  it("shows account changes with the admin who made them", async () => {
    expect(await audit()).toContainEqual(expect.objectContaining({ user: "ada", action: "account-added", document: "account:newbie", detail: "role viewer" }));
  });

  it("shows a refused sign-in with the address it came from", async () => {
    const entry = (await audit()).find((candidate) => candidate.action === "sign-in-refused");
    expect(entry).toMatchObject({ user: "sue", document: "account:sue" });
    expect(entry!.detail).toContain("203.0.113.9");
  });

  it("lists the newest first", async () => {
    const ids = (await audit()).map((entry) => Number(entry.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  describe("filtered", () => {
    it("by person, shows only what they did", async () => {
      const entries = await audit("?user=ada");
      expect(entries.map((entry) => entry.action)).toEqual(expect.arrayContaining(["rollback", "account-added"]));
      expect(entries.every((entry) => entry.user === "ada")).toBe(true);
    });

    it("by document, shows only its changes", async () => {
      const entries = await audit("?document=flow:main");
      expect(entries.map((entry) => `${entry.action} by ${entry.user}`)).toEqual(["rollback by ada", "publish by sue"]);
    });

    it("by both, shows what one person did to one document", async () => {
      expect((await audit("?user=sue&document=flow:main")).map((entry) => entry.action)).toEqual(["publish"]);
    });

    it("to nobody's changes, is empty", async () => {
      expect(await audit("?user=nobody")).toEqual([]);
    });
  });
});
