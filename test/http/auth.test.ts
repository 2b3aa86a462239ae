/**
 * Who may use the API and the console pages, through real HTTP on a small express app with the
 * middleware mounted as the console will mount it, and real Redis behind it: 401 without
 * credentials, 403 for a role too low, API tokens and the session cookie, CSRF tokens, sessions
 * lapsing, and the growing wait after failed sign-ins.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import express from "express";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountService } from "../../src/accounts/accounts.js";
import { createRedisAccountService, type RedisAccountServiceOptions } from "../../src/accounts/redis-account-service.js";
import {
  authenticate,
  clearSessionCookie,
  localPath,
  parseCookies,
  requireCsrf,
  requireRole,
  SESSION_COOKIE,
  setSessionCookie,
  signedInUser,
} from "../../src/http/auth.js";
import { REDIS_URL } from "../helpers/line.js";

const PASSWORD = "correct horse battery staple";
const FAST = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };
const SIGN_IN_PAGE = "/console/sign-in";
const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
const servers: Server[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

interface TestApp {
  url: string;
  accounts: AccountService;
}

/**
 * The middleware as the console will use it: a sign-in route, an API router (viewer to read,
 * supervisor to edit, admin for accounts, CSRF for the session cookie), and console pages that
 * send people to the sign-in page.
 */
async function startApp(options: RedisAccountServiceOptions & { secureCookies?: boolean } = {}): Promise<TestApp> {
  const prefix = `test-${randomBytes(4).toString("hex")}:`;
  prefixes.push(prefix);
  const { accounts } = createRedisAccountService(redis, { prefix, passwordHashing: FAST, ...options });
  const cookies = { secureCookies: options.secureCookies ?? false };
  const app = express();

  app.post("/sign-in", express.json(), async (req, res) => {
    const body = req.body as { username: string; password: string; address?: string };
    const result = await accounts.signIn(body.username, body.password, body.address ?? req.ip ?? "");
    if (result.outcome === "signed-in") {
      setSessionCookie(res, result.session.id, cookies);
      res.json({ csrfToken: result.session.csrfToken });
    } else if (result.retryAfterSeconds) {
      res.status(429).set("Retry-After", String(result.retryAfterSeconds)).json({ error: "too many attempts", retryAfterSeconds: result.retryAfterSeconds });
    } else {
      res.status(401).json({ error: "wrong username or password" });
    }
  });

  const api = express.Router();
  api.use(authenticate({ accounts }));
  api.use(requireRole("viewer"));
  api.use(express.json(), express.urlencoded({ extended: false }));
  api.use(requireCsrf());
  api.get("/flows", (_req, res) => {
    res.json({ user: signedInUser(res) });
  });
  api.put("/flows/main", requireRole("supervisor"), (_req, res) => {
    res.json({ published: true });
  });
  api.post("/accounts", requireRole("admin"), (_req, res) => {
    res.json({ added: true });
  });
  api.post("/sign-out", async (_req, res) => {
    const sessionId = signedInUser(res)?.sessionId;
    if (sessionId) await accounts.signOut(sessionId);
    clearSessionCookie(res, cookies);
    res.status(204).end();
  });
  app.use("/api", api);

  const pages = express.Router();
  pages.use(authenticate({ accounts }));
  pages.get("/flows", requireRole("viewer", { signInPath: SIGN_IN_PAGE }), (_req, res) => {
    res.type("text/html").send("<h1>Call flows</h1>");
  });
  pages.get("/accounts", requireRole("admin", { signInPath: SIGN_IN_PAGE }), (_req, res) => {
    res.type("text/html").send("<h1>Accounts</h1>");
  });
  app.use("/console", pages);

  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accounts };
}

/** Signs in through the route and returns the cookie to send and the page's CSRF token. */
async function signIn(app: TestApp, username: string): Promise<{ cookie: string; csrfToken: string; setCookie: string }> {
  const response = await fetch(`${app.url}/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password: PASSWORD }) });
  expect(response.status).toBe(200);
  const setCookie = response.headers.getSetCookie()[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie: setCookie.split(";")[0]!, csrfToken, setCookie };
}

describe("the API", () => {
  let app: TestApp;
  const tokens: Record<"viewer" | "supervisor" | "admin", string> = { viewer: "", supervisor: "", admin: "" };
  beforeAll(async () => {
    app = await startApp();
    for (const role of ["viewer", "supervisor", "admin"] as const) {
      await app.accounts.add({ username: `a-${role}`, role, password: PASSWORD, by: "cli" });
      tokens[role] = await app.accounts.newToken({ username: `a-${role}`, by: "cli" });
    }
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${app.url}${path}`, { method, headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers }, ...(body ? { body } : {}) });
  const bearer = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });

  describe("without credentials", () => {
    it("answers 401 with a JSON error saying how to sign in", async () => {
      const response = await call("GET", "/api/flows");
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toEqual({ error: "sign in first, or send an API token as Authorization: Bearer <token>" });
    });

    it("answers 401 to a state-changing request too, before anything else", async () => {
      expect((await call("PUT", "/api/flows/main", {}, "{}")).status).toBe(401);
    });
  });

  describe("with an API token", () => {
    it("lets a viewer read, as who they are", async () => {
      const response = await call("GET", "/api/flows", bearer("viewer"));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ user: { username: "a-viewer", role: "viewer", via: "token" } });
    });

    it("refuses a viewer an edit with 403 and why", async () => {
      const response = await call("PUT", "/api/flows/main", bearer("viewer"), "{}");
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: "a-viewer is a viewer: this needs the supervisor role or above" });
    });

    it("lets a supervisor edit, with no CSRF token: no other site's page can send a bearer token", async () => {
      expect((await call("PUT", "/api/flows/main", bearer("supervisor"), "{}")).status).toBe(200);
    });

    it("refuses a supervisor the accounts, and lets an admin in", async () => {
      expect((await call("POST", "/api/accounts", bearer("supervisor"), "{}")).status).toBe(403);
      expect((await call("POST", "/api/accounts", bearer("admin"), "{}")).status).toBe(200);
    });

    it("takes the scheme in any case", async () => {
      expect((await call("GET", "/api/flows", { authorization: `bearer ${tokens.viewer}` })).status).toBe(200);
    });

    it("answers 401 to a token that was never made", async () => {
      expect((await call("GET", "/api/flows", { authorization: "Bearer civic_nottherightone" })).status).toBe(401);
    });

    it("answers 401 to another kind of Authorization", async () => {
      expect((await call("GET", "/api/flows", { authorization: `Basic ${Buffer.from("a-admin:x").toString("base64")}` })).status).toBe(401);
    });
  });

  describe("with the session cookie", () => {
    let session: { cookie: string; csrfToken: string; setCookie: string };
    beforeAll(async () => {
      session = await signIn(app, "a-supervisor");
    });

    it("is set HttpOnly, SameSite=Strict, on the whole site, and not Secure over plain http", () => {
      expect(session.setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w-]{43};`));
      expect(session.setCookie).toContain("Path=/");
      expect(session.setCookie).toContain("HttpOnly");
      expect(session.setCookie).toContain("SameSite=Strict");
      expect(session.setCookie).not.toContain("Secure");
    });

    it("reads, with the session's CSRF token for the page", async () => {
      const response = await call("GET", "/api/flows", { cookie: session.cookie });
      expect(await response.json()).toEqual({ user: { username: "a-supervisor", role: "supervisor", via: "session", csrfToken: session.csrfToken, sessionId: expect.any(String) } });
    });

    it("refuses a change without the CSRF token", async () => {
      const response = await call("PUT", "/api/flows/main", { cookie: session.cookie }, "{}");
      expect(response.status).toBe(403);
      expect((await response.json()) as { error: string }).toEqual({ error: expect.stringMatching(/^the CSRF token is missing/) });
    });

    it("refuses a change with another CSRF token", async () => {
      const response = await call("PUT", "/api/flows/main", { cookie: session.cookie, "x-csrf-token": "x".repeat(43) }, "{}");
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: "the CSRF token is not this session's: reload the page and try again" });
    });

    it("refuses a change with the CSRF token of another session", async () => {
      const other = await signIn(app, "a-admin");
      expect((await call("PUT", "/api/flows/main", { cookie: session.cookie, "x-csrf-token": other.csrfToken }, "{}")).status).toBe(403);
    });

    it("makes a change with the right CSRF token in the header", async () => {
      expect((await call("PUT", "/api/flows/main", { cookie: session.cookie, "x-csrf-token": session.csrfToken }, "{}")).status).toBe(200);
    });

    it("makes a change with the right CSRF token in a form's _csrf field", async () => {
      const response = await fetch(`${app.url}/api/flows/main`, {
        method: "PUT",
        headers: { cookie: session.cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: session.csrfToken, message: "x" }).toString(),
      });
      expect(response.status).toBe(200);
    });

    it("still answers 403 to a role too low, CSRF token or not", async () => {
      expect((await call("POST", "/api/accounts", { cookie: session.cookie, "x-csrf-token": session.csrfToken }, "{}")).status).toBe(403);
    });

    it("is not used when a bearer token is sent, even a wrong one", async () => {
      expect((await call("GET", "/api/flows", { cookie: session.cookie, authorization: "Bearer civic_revoked" })).status).toBe(401);
    });

    it("of a session that does not exist is no credential", async () => {
      expect((await call("GET", "/api/flows", { cookie: `${SESSION_COOKIE}=${"A".repeat(43)}` })).status).toBe(401);
    });
  });

  describe("signing out", () => {
    it("ends the session on the server and clears the cookie", async () => {
      const session = await signIn(app, "a-viewer");
      const response = await call("POST", "/api/sign-out", { cookie: session.cookie, "x-csrf-token": session.csrfToken });
      expect(response.status).toBe(204);
      expect(response.headers.getSetCookie()[0]).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`));
      expect((await call("GET", "/api/flows", { cookie: session.cookie })).status).toBe(401);
    });
  });
});

describe("a console page", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
    await app.accounts.add({ username: "pat", role: "supervisor", password: PASSWORD, by: "cli" });
  });

  it("sends someone not signed in to the sign-in page, to come back after", async () => {
    const response = await fetch(`${app.url}/console/flows?tab=history`, { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${SIGN_IN_PAGE}?next=${encodeURIComponent("/console/flows?tab=history")}`);
  });

  it("is shown to someone signed in", async () => {
    const { cookie } = await signIn(app, "pat");
    const response = await fetch(`${app.url}/console/flows`, { headers: { cookie } });
    expect([response.status, await response.text()]).toEqual([200, "<h1>Call flows</h1>"]);
  });

  it("refuses a role too low in plain words, not JSON", async () => {
    const { cookie } = await signIn(app, "pat");
    const response = await fetch(`${app.url}/console/accounts`, { headers: { cookie } });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("pat is a supervisor: this needs the admin role or above\n");
  });
});

describe("a line served over https", () => {
  it("marks the session cookie Secure", async () => {
    const app = await startApp({ secureCookies: true });
    await app.accounts.add({ username: "quinn", role: "viewer", password: PASSWORD, by: "cli" });
    expect((await signIn(app, "quinn")).setCookie).toMatch(/; Secure/);
  });
});

describe("a session left unused", () => {
  it("no longer signs in once the idle time has passed", async () => {
    const app = await startApp({ sessions: { idleMs: 300 } });
    await app.accounts.add({ username: "rae", role: "viewer", password: PASSWORD, by: "cli" });
    const { cookie } = await signIn(app, "rae");
    expect((await fetch(`${app.url}/api/flows`, { headers: { cookie } })).status).toBe(200);
    await sleep(450);
    expect((await fetch(`${app.url}/api/flows`, { headers: { cookie } })).status).toBe(401);
  });

  it("is kept alive by use", async () => {
    const app = await startApp({ sessions: { idleMs: 400 } });
    await app.accounts.add({ username: "sam", role: "viewer", password: PASSWORD, by: "cli" });
    const { cookie } = await signIn(app, "sam");
    for (let use = 0; use < 3; use++) {
      await sleep(250);
      expect((await fetch(`${app.url}/api/flows`, { headers: { cookie } })).status).toBe(200);
    }
  });
});

describe("failed sign-ins", () => {
  let app: TestApp;
  const attempt = (password: string, address = "203.0.113.50") =>
    fetch(`${app.url}/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "tess", password, address }) });
  beforeAll(async () => {
    app = await startApp({
      signInLimits: {
        perAccountAndAddress: { freeFailures: 2, firstDelaySeconds: 1, maxDelaySeconds: 60, windowSeconds: 600 },
        perAddress: { freeFailures: 50, firstDelaySeconds: 1, maxDelaySeconds: 60, windowSeconds: 600 },
      },
    });
    await app.accounts.add({ username: "tess", role: "viewer", password: PASSWORD, by: "cli" });
  });

  it("are answered as wrong, with no wait, while free", async () => {
    expect((await attempt("wrong password one")).status).toBe(401);
    expect((await attempt("wrong password two")).status).toBe(401);
  });

  it("then say when to try again, in seconds", async () => {
    const response = await attempt("wrong password three");
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: "too many attempts", retryAfterSeconds: 1 });
  });

  it("refuse the right password while the wait lasts", async () => {
    expect((await attempt(PASSWORD)).status).toBe(429);
  });

  it("wait longer after each failure", async () => {
    await sleep(1100);
    const response = await attempt("wrong password four");
    expect(response.headers.get("retry-after")).toBe("2");
  });

  it("are forgotten once the right password gets through", async () => {
    await sleep(2100);
    expect((await attempt(PASSWORD)).status).toBe(200);
    expect((await attempt("wrong password five")).status).toBe(401);
  });
});

describe("parseCookies", () => {
  it("reads each cookie of the header by name", () => {
    expect(parseCookies(`theme=dark; ${SESSION_COOKIE}=abc-123; other=a%20b`)).toEqual({ theme: "dark", [SESSION_COOKIE]: "abc-123", other: "a b" });
  });

  it("keeps the first of two cookies of one name", () => {
    expect(parseCookies("a=1; a=2")).toEqual({ a: "1" });
  });

  it("takes a value that is not valid percent-encoding as it is, and skips pairs without '='", () => {
    expect(parseCookies("a=%E0%A4%A; junk; b=2")).toEqual({ a: "%E0%A4%A", b: "2" });
  });

  it("reads nothing from no header", () => {
    expect(parseCookies(undefined)).toEqual({});
  });
});

describe("localPath, for where to go after signing in", () => {
  it.each(["/console", "/console/flows?tab=history"])("keeps %j, a path on this site", (path) => {
    expect(localPath(path)).toBe(path);
  });

  it.each(["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example", "console", undefined, 42])(
    "turns %j into the console's front page",
    (next) => {
      expect(localPath(next)).toBe("/console");
    },
  );
});
