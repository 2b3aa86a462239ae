/**
 * Who may use which route of the real API, and how it answers a body it cannot use: 401 without
 * credentials, 403 for a role too low, 400 with a clear message for a bad body, 413 past the
 * limit, never a stack trace. (The middleware itself, sessions, CSRF tokens and sign-in limits
 * are tested on their own in auth.test.ts; here they are seen from the API's routes.)
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSRF_HEADER, SESSION_COOKIE } from "../../src/http/auth.js";
import { TestLine } from "../helpers/line.js";

const main = await readFile("flows/main.yaml", "utf8");
const hours = await readFile("flows/hours.yaml", "utf8");
const oncall = await readFile("flows/oncall.yaml", "utf8");
const PASSWORD = "correct horse battery staple";

let line: TestLine;
const tokens = { viewer: "", supervisor: "", admin: "" };
beforeAll(async () => {
  line = await TestLine.start({ console: {} });
  tokens.viewer = await line.addUser("vic", "viewer");
  tokens.supervisor = await line.addUser("sue", "supervisor");
  tokens.admin = await line.addUser("ada", "admin");
});
afterAll(async () => {
  await line.close();
});

interface Route {
  method: string;
  path: string;
  body?: unknown;
}

/** What every signed-in person may do: read, check drafts, try calls and preview a moment. */
const READS: Route[] = [
  { method: "GET", path: "/api/flows" },
  { method: "GET", path: "/api/flows/main" },
  { method: "POST", path: "/api/flows/main/check", body: { source: main } },
  { method: "GET", path: "/api/flows/main/versions" },
  { method: "GET", path: "/api/flows/main/versions/1" },
  { method: "GET", path: "/api/hours" },
  { method: "POST", path: "/api/hours/check", body: { source: hours } },
  { method: "GET", path: "/api/hours/versions" },
  { method: "GET", path: "/api/hours/versions/1" },
  { method: "GET", path: "/api/oncall" },
  { method: "POST", path: "/api/oncall/check", body: { source: oncall } },
  { method: "GET", path: "/api/oncall/versions" },
  { method: "GET", path: "/api/oncall/versions/1" },
  { method: "POST", path: "/api/try", body: { at: "2026-12-05T02:00", replies: ["2"] } },
  { method: "GET", path: "/api/preview?at=2026-12-25T10:00" },
  { method: "GET", path: "/api/emergency" },
  { method: "GET", path: "/api/audit" },
];

/** What changes what callers meet: supervisors and admins. Each body would succeed. */
const EDITS: Route[] = [
  { method: "PUT", path: "/api/flows/main", body: { source: main, message: "same again" } },
  { method: "POST", path: "/api/flows/main/rollback", body: { version: 1 } },
  { method: "PUT", path: "/api/hours", body: { source: hours, message: "same again" } },
  { method: "POST", path: "/api/hours/rollback", body: { version: 1 } },
  { method: "PUT", path: "/api/oncall", body: { source: oncall, message: "same again" } },
  { method: "POST", path: "/api/oncall/rollback", body: { version: 1 } },
  { method: "PUT", path: "/api/emergency", body: { mode: "normal" } },
];

/** Accounts: admins only. */
const ACCOUNTS: Route[] = [
  { method: "GET", path: "/api/users" },
  { method: "POST", path: "/api/users", body: { username: "newcomer", role: "viewer", password: PASSWORD } },
  { method: "DELETE", path: "/api/users/newcomer" },
];

const named = (routes: Route[]) => routes.map((route) => [`${route.method} ${route.path}`, route] as const);

describe("the API's guards", () => {
  describe("without credentials", () => {
    it.each(named([...READS, ...EDITS, ...ACCOUNTS]))("%s answers 401, saying how to sign in", async (_name, route) => {
      const answer = await line.api(route.method, route.path, { body: route.body });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: "sign in first, or send an API token as Authorization: Bearer <token>" });
    });

    it("reads no body: one that is not even JSON is answered 401 too", async () => {
      const answer = await line.api("PUT", "/api/flows/main", { body: "{ not json" });
      expect(answer.status).toBe(401);
    });

    it("reads no body: one past the size limit is answered 401 too", async () => {
      const answer = await line.api("PUT", "/api/flows/main", { body: { source: "x".repeat(600 * 1024), message: "big" } });
      expect(answer.status).toBe(401);
    });
  });

  describe("with a token nobody was given", () => {
    it.each(named([...READS.slice(0, 3), ...EDITS.slice(0, 2)]))("%s answers 401", async (_name, route) => {
      const answer = await line.api(route.method, route.path, { token: "civic_0000000000000000000000000000000000000000000", body: route.body });
      expect(answer.status).toBe(401);
    });
  });

  describe("a viewer", () => {
    it.each(named(READS))("may %s", async (_name, route) => {
      expect((await line.api(route.method, route.path, { token: tokens.viewer, body: route.body })).status).toBe(200);
    });

    it.each(named([...EDITS, ...ACCOUNTS]))("is refused %s with 403 and why", async (_name, route) => {
      const answer = await line.api(route.method, route.path, { token: tokens.viewer, body: route.body });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatch(/^vic is a viewer: this needs the (supervisor|admin) role or above$/);
    });

    it("changes nothing by trying: no new version, no emergency message", async () => {
      const before = (await line.api("GET", "/api/flows/main/versions", { token: tokens.viewer })).body;
      await line.api("PUT", "/api/flows/main", { token: tokens.viewer, body: { source: main.replace("3 1 1.", "three one one."), message: "sneaky" } });
      await line.api("PUT", "/api/emergency", { token: tokens.viewer, body: { mode: "closed", message: "Closed by a viewer." } });
      expect((await line.api("GET", "/api/flows/main/versions", { token: tokens.viewer })).body).toEqual(before);
      expect((await line.api("GET", "/api/emergency", { token: tokens.viewer })).body).toEqual({ mode: "normal" });
    });
  });

  describe("a supervisor", () => {
    it.each(named(EDITS))("may %s", async (_name, route) => {
      expect((await line.api(route.method, route.path, { token: tokens.supervisor, body: route.body })).status).toBe(200);
    });

    it.each(named(ACCOUNTS))("is refused %s with 403", async (_name, route) => {
      expect((await line.api(route.method, route.path, { token: tokens.supervisor, body: route.body })).status).toBe(403);
    });
  });

  describe("an admin", () => {
    it("may edit as a supervisor does", async () => {
      expect((await line.api("PUT", "/api/emergency", { token: tokens.admin, body: { mode: "normal" } })).status).toBe(200);
    });

    it("lists the accounts, with no hash of a password or token", async () => {
      const answer = await line.api("GET", "/api/users", { token: tokens.admin });
      expect(answer.status).toBe(200);
      expect(answer.body).toContainEqual({ username: "vic", role: "viewer", tokens: 1, createdAt: expect.any(String) });
      expect(JSON.stringify(answer.body)).not.toMatch(/scrypt|hash|password/i);
    });

    it("adds an account, which can then be given a token and read", async () => {
      const answer = await line.api("POST", "/api/users", { token: tokens.admin, body: { username: "Nadia", role: "supervisor", password: PASSWORD } });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ username: "nadia", role: "supervisor", tokens: 0, createdAt: expect.any(String) });
      const token = await line.accounts!.newToken({ username: "nadia", by: "test" });
      expect((await line.api("GET", "/api/flows", { token })).status).toBe(200);
    });

    it("is told why an account cannot be added: a short password, a taken name, an unknown role", async () => {
      const short = await line.api("POST", "/api/users", { token: tokens.admin, body: { username: "omar", role: "viewer", password: "short" } });
      expect(short.status).toBe(400);
      expect(short.body.error).toMatch(/at least 12/);
      const taken = await line.api("POST", "/api/users", { token: tokens.admin, body: { username: "vic", role: "viewer", password: PASSWORD } });
      expect(taken).toMatchObject({ status: 400, body: { error: 'there is already an account "vic"' } });
      const role = await line.api("POST", "/api/users", { token: tokens.admin, body: { username: "omar", role: "boss", password: PASSWORD } });
      expect(role.status).toBe(400);
      expect(role.body.error).toMatch(/viewer.*supervisor.*admin/);
    });

    it("removes an account, whose token stops working at once", async () => {
      await line.accounts!.add({ username: "leaving", role: "supervisor", password: PASSWORD, by: "test" });
      const token = await line.accounts!.newToken({ username: "leaving", by: "test" });
      expect((await line.api("GET", "/api/flows", { token })).status).toBe(200);
      expect((await line.api("DELETE", "/api/users/leaving", { token: tokens.admin })).status).toBe(204);
      expect((await line.api("GET", "/api/flows", { token })).status).toBe(401);
    });

    it("cannot remove the only admin, so someone can still manage accounts", async () => {
      const answer = await line.api("DELETE", "/api/users/ada", { token: tokens.admin });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/only admin/);
    });
  });

  describe("with the console's session cookie", () => {
    let cookie: string;
    let csrfToken: string;
    beforeAll(async () => {
      const signedIn = await line.accounts!.signIn("sue", PASSWORD, "127.0.0.1");
      if (signedIn.outcome !== "signed-in") throw new Error("could not sign in");
      cookie = `${SESSION_COOKIE}=${signedIn.session.id}`;
      csrfToken = signedIn.session.csrfToken;
    });

    it("reads", async () => {
      expect((await line.api("GET", "/api/flows", { headers: { cookie } })).status).toBe(200);
    });

    it("refuses a change without the session's CSRF token", async () => {
      const answer = await line.api("PUT", "/api/emergency", { headers: { cookie }, body: { mode: "normal" } });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatch(/CSRF token is missing/);
    });

    it("makes a change with it", async () => {
      expect((await line.api("PUT", "/api/emergency", { headers: { cookie, [CSRF_HEADER]: csrfToken }, body: { mode: "normal" } })).status).toBe(200);
    });
  });

  it("sends security headers with every answer", async () => {
    const answer = await line.api("GET", "/api/flows", { token: tokens.viewer });
    expect(answer.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("a body the API cannot use", () => {
  /** Asserts a 4xx JSON answer with only a message: no stack, no file of ours, no library's. */
  function expectPlainRefusal(answer: { status: number; body: unknown }, status: number, message: string | RegExp) {
    expect(answer.status).toBe(status);
    expect(Object.keys(answer.body as object)).toEqual(["error"]);
    expect((answer.body as { error: string }).error).toMatch(message);
    expect(JSON.stringify(answer.body)).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|\.js:\d+|Error:/);
  }
  const put = (body: unknown, path = "/api/flows/main") => line.api("PUT", path, { token: tokens.supervisor, body });

  describe("publishing", () => {
    // Left out, the message is asked for in words that say what it is for, not "must be text".
    it("without a message says to give one", async () => {
      expectPlainRefusal(await put({ source: main }), 400, "message: say in a few words what changed and why (message)");
    });

    it("with an empty message says what a message is for", async () => {
      expectPlainRefusal(await put({ source: main, message: "  " }), 400, "message: say in a few words what changed and why (message)");
    });

    it("without a source says what the source is", async () => {
      expectPlainRefusal(await put({ message: "x" }), 400, "source: source must be the document's YAML text");
    });

    it("with a source that is not text says what it must be", async () => {
      expectPlainRefusal(await put({ source: 42, message: "x" }), 400, "source: source must be the document's YAML text");
    });

    it("with a baseVersion that is not a whole number says so", async () => {
      expectPlainRefusal(await put({ source: main, message: "x", baseVersion: "3" }), 400, "baseVersion: baseVersion must be a whole number");
    });

    it("with a field the API does not know names it", async () => {
      expectPlainRefusal(await put({ source: main, message: "x", author: "someone else" }), 400, /author/);
    });

    it("that is a list, not an object, is refused", async () => {
      expectPlainRefusal(await put([main]), 400, /.+/);
    });
  });

  it("that is not valid JSON is answered 400, saying so", async () => {
    expectPlainRefusal(await put("{ source: 'yaml' "), 400, "the body is not valid JSON");
  });

  it("past the size limit is answered 413, unread", async () => {
    const huge = { source: "x".repeat(600 * 1024), message: "too big" };
    expectPlainRefusal(await put(huge), 413, "the body is larger than 512kb");
  });

  it("under the limit but past the longest source is refused with the limit in words", async () => {
    expectPlainRefusal(await put({ source: `# ${"x".repeat(400_001)}`, message: "long" }), 400, "source: source is longer than 400,000 characters");
  });

  it("a rollback to a version that is not a number says so", async () => {
    expectPlainRefusal(await line.api("POST", "/api/flows/main/rollback", { token: tokens.supervisor, body: { version: "one" } }), 400, "version: version must be a whole number");
  });

  it("an emergency message in an unknown mode names the modes", async () => {
    expectPlainRefusal(await put({ mode: "panic" }, "/api/emergency"), 400, 'mode: mode must be "normal", "message", "closed" or "open"');
  });

  it("a test call at a moment that is no date says how to write one", async () => {
    const answer = await line.api("POST", "/api/try", { token: tokens.viewer, body: { at: "next Tuesday" } });
    expectPlainRefusal(answer, 400, /at: "next Tuesday" is not a date and time; write it like 2026-12-25T10:00/);
  });

  it("a route that does not exist is answered 404 in JSON", async () => {
    expectPlainRefusal(await line.api("GET", "/api/nothing", { token: tokens.viewer }), 404, /no such API route/);
  });
});
