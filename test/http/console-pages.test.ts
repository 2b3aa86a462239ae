/**
 * The console's pages over real HTTP, on the real line with real Redis: signing in and out, the
 * session cookie's attributes, what each role sees, that what supervisors type is escaped, and
 * CSRF on the console's own forms. (The browser's side is test/e2e/console.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { consoleOf, PASSWORD, serveConsole, signIn as signInAt, type ServedConsole, type Session } from "../helpers/console.js";
import { TestLine } from "../helpers/line.js";

let line: TestLine;
let supervisorToken: string;

beforeAll(async () => {
  line = await TestLine.start({ console: {} });
  supervisorToken = await line.addUser("sam", "supervisor");
  await line.addUser("vera", "viewer");
  await line.addUser("ada", "admin");
  await line.addUser("lim", "viewer");
});

afterAll(async () => {
  await line?.close();
});

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

async function postForm(path: string, fields: Record<string, string>, cookie?: string, base = line.url) {
  return fetch(`${base}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
    body: form(fields),
  });
}

async function page(path: string, session?: Session) {
  const response = await fetch(`${line.url}${path}`, { redirect: "manual", headers: session ? { cookie: session.cookie } : {} });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Signs in through the form, as a browser does, and reads the page's CSRF token. */
const signIn = (username: string): Promise<Session> => signInAt(line.url, username);

describe("signing in", () => {
  it("sends someone who is not signed in from any page to the sign-in page, remembering the page", async () => {
    const answer = await page("/console/hours");
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/console/sign-in?next=%2Fconsole%2Fhours");
  });

  it("asks for a username and a password, each labelled, with a Sign in button", async () => {
    const { status, body } = await page("/console/sign-in");
    expect(status).toBe(200);
    expect(body).toMatch(/<label for="username">Username<\/label>\s*<input id="username" name="username"/);
    expect(body).toMatch(/<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/);
    expect(body).toContain('<button type="submit">Sign in</button>');
  });

  it("refuses a wrong password in plain words, keeping the username typed", async () => {
    const response = await postForm("/console/sign-in", { username: "sam", password: "not the password", next: "/console" });
    const body = await response.text();
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(body).toContain("Wrong username or password");
    expect(body).toContain('value="sam"');
  });

  it("says how long to wait once the attempts pile up", async () => {
    let response: Response | undefined;
    for (let attempt = 0; attempt < 6; attempt++) response = await postForm("/console/sign-in", { username: "lim", password: "still wrong, still wrong", next: "/console" });
    const body = await response!.text();
    expect(response!.status).toBe(429);
    expect(body).toMatch(/Too many attempts: try again in \d+ seconds?/);
    expect(Number(response!.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("signs in and goes on to the page asked for, with a cookie that is HttpOnly, SameSite=Strict and Secure over https", async () => {
    const response = await postForm("/console/sign-in", { username: "sam", password: PASSWORD, next: "/console/hours" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console/hours");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^civic_session=[^;]+; Path=\//);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Secure");
  });

  it("refuses a sign-in posted from another site's page, which would sign the browser in as someone else", async () => {
    const response = await fetch(`${line.url}/console/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: form({ username: "sam", password: PASSWORD, next: "/console" }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("refuses one whose page sends no origin (\"null\"), as a page that hides where it is from does", async () => {
    const response = await fetch(`${line.url}/console/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "null" },
      body: form({ username: "sam", password: PASSWORD, next: "/console" }),
    });
    expect(response.status).toBe(403);
  });

  it("takes a sign-in posted from its own page", async () => {
    const response = await fetch(`${line.url}/console/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: line.url },
      body: form({ username: "sam", password: PASSWORD, next: "/console" }),
    });
    expect(response.status).toBe(303);
  });

  it("never sends someone who signed in on to another site", async () => {
    for (const next of ["//evil.example/console", "https://evil.example/", "/\\evil.example"]) {
      const response = await postForm("/console/sign-in", { username: "sam", password: PASSWORD, next });
      expect(response.headers.get("location")).toBe("/console");
    }
  });

  it("signs out from the header's button, and the old cookie then opens nothing", async () => {
    const session = await signIn("sam");
    const overview = await page("/console", session);
    expect(overview.body).toMatch(/<form method="post" action="\/console\/sign-out"><input type="hidden" name="_csrf" value="[^"]+"><button type="submit">Sign out<\/button><\/form>/);
    const out = await postForm("/console/sign-out", { _csrf: session.csrf }, session.cookie);
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/console/sign-in");
    expect(out.headers.get("set-cookie")).toMatch(/civic_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await page("/console", session)).status).toBe(303);
  });
});

describe("the session cookie over plain http", () => {
  let plain: ServedConsole;
  let base: string;

  beforeAll(async () => {
    plain = await serveConsole(consoleOf(line));
    base = plain.url;
  });

  afterAll(async () => {
    await plain.close();
  });

  it("is not Secure when the line is not served over https (PUBLIC_URL http://…)", async () => {
    const response = await postForm("/console/sign-in", { username: "sam", password: PASSWORD, next: "/console" }, undefined, base);
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain("Secure");
  });
});

describe("what each role sees", () => {
  let supervisor: Session;
  let viewer: Session;
  let admin: Session;

  beforeAll(async () => {
    [supervisor, viewer, admin] = await Promise.all([signIn("sam"), signIn("vera"), signIn("ada")]);
  });

  it("serves every page to a supervisor under a strict Content-Security-Policy, never cached", async () => {
    for (const path of ["/console", "/console/flows", "/console/flows/main", "/console/hours", "/console/emergency", "/console/oncall", "/console/audit"]) {
      const answer = await page(path, supervisor);
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get("content-security-policy"), path).toContain("script-src 'self'");
      expect(answer.headers.get("content-security-policy"), path).toContain("style-src 'self'");
      expect(answer.headers.get("cache-control"), path).toBe("no-store");
      expect(answer.body, path).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(answer.body, path).not.toMatch(/\sstyle=/);
    }
  });

  it("links the bundle by a content hash, served for a year", async () => {
    const { body } = await page("/console", supervisor);
    const script = /src="(\/console\/assets\/console-[A-Z0-9]+\.js)"/.exec(body)![1]!;
    const style = /href="(\/console\/assets\/style-[A-Z0-9]+\.css)"/.exec(body)![1]!;
    for (const asset of [script, style]) {
      const response = await fetch(`${line.url}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
    expect((await fetch(`${line.url}/console/assets/console-NOTAHASH.js`)).status).toBe(404);
  });

  it("gives a supervisor Publish, Roll back and the calendar's changes", async () => {
    await line.api("PUT", "/api/flows/main", { token: supervisorToken, body: { source: (await line.api("GET", "/api/flows/main", { token: supervisorToken })).body.source + "\n# a comment\n", message: "A second version" } });
    const flow = await page("/console/flows/main", supervisor);
    expect(flow.body).toContain('<button type="submit">Publish</button>');
    expect(flow.body).toContain("Roll back");
    const hours = await page("/console/hours", supervisor);
    expect(hours.body).toContain("Close this day");
    expect(hours.body).toContain("Shorten this day");
    expect(hours.body).toContain("Remove closure");
    expect((await page("/console/emergency", supervisor)).body).toContain('<button type="submit">Save</button>');
  });

  it("shows a viewer everything, read-only: no Publish, no Roll back, no changes to the calendar, no Save", async () => {
    const flow = await page("/console/flows/main", viewer);
    expect(flow.status).toBe(200);
    expect(flow.body).toContain('data-can-publish="false"');
    expect(flow.body).not.toContain(">Publish</button>");
    expect(flow.body).not.toContain("Roll back");
    const hours = await page("/console/hours", viewer);
    expect(hours.body).not.toContain("Close this day");
    expect(hours.body).not.toContain("Remove closure");
    expect((await page("/console/emergency", viewer)).body).not.toContain(">Save</button>");
  });

  it("refuses a viewer's form posts with 403", async () => {
    const response = await postForm("/console/hours/closures", { _csrf: viewer.csrf, date: "2026-12-29", kind: "close", reason: "none" }, viewer.cookie);
    expect(response.status).toBe(403);
  });

  it("shows Accounts only to an admin", async () => {
    expect((await page("/console", admin)).body).toContain('href="/console/users"');
    expect((await page("/console", supervisor)).body).not.toContain('href="/console/users"');
    expect((await page("/console/users", supervisor)).status).toBe(403);
    const users = await page("/console/users", admin);
    expect(users.status).toBe(200);
    expect(users.body).toContain("vera");
  });

  it("lets an admin add an account, and says why one is refused", async () => {
    const added = await postForm("/console/users", { _csrf: admin.csrf, username: "newbie", role: "viewer", password: "a long enough passphrase" }, admin.cookie);
    expect(added.status).toBe(303);
    expect((await line.accounts!.find("newbie"))?.role).toBe("viewer");
    const refused = await postForm("/console/users", { _csrf: admin.csrf, username: "shorty", role: "viewer", password: "short" }, admin.cookie);
    expect(refused.status).toBe(400);
    const body = await refused.text();
    expect(body).toContain("The account was not added");
    expect(body).toContain('value="shorty"');
    expect(body).not.toContain('value="short"');
  });
});

describe("what supervisors type", () => {
  const PROMPT = `<script>alert("prompt")</script>`;
  const MESSAGE = `<img src=x onerror=alert(1)> "quoted" & more`;
  let supervisor: Session;

  beforeAll(async () => {
    supervisor = await signIn("sam");
    const live = (await line.api("GET", "/api/flows/main", { token: supervisorToken })).body.source as string;
    const source = live.replace("text: Thank you for calling the City of Lethbridge, 3 1 1.", `text: '${PROMPT}'`);
    const published = await line.api("PUT", "/api/flows/main", { token: supervisorToken, body: { source, message: MESSAGE } });
    expect(published.status).toBe(200);
  });

  it("is escaped on the flow page: in the editor's text, the history and the diagram's data", async () => {
    const { body } = await page("/console/flows/main", supervisor);
    expect(body).not.toContain(PROMPT);
    expect(body).not.toContain("<img src=x");
    expect(body).toContain("&lt;script&gt;alert(&quot;prompt&quot;)&lt;/script&gt;");
    expect(body).toContain("&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; more");
  });

  it("is escaped in the audit log and the overview", async () => {
    for (const path of ["/console/audit", "/console"]) {
      const { body } = await page(path, supervisor);
      expect(body, path).not.toContain(PROMPT);
      expect(body, path).not.toContain("<img src=x");
    }
  });
});

describe("the changes in plain words", () => {
  it("answers a draft whose alias names a deleted anchor as a problem to fix, not a server error", async () => {
    const session = await signIn("sam");
    const response = await fetch(`${line.url}/console/changes`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: session.cookie, "x-csrf-token": session.csrf },
      body: JSON.stringify({ document: "hours", before: "zone: America/Edmonton\n", after: "zone: *gone\n" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "fix the problems first" });
  });
});

describe("the console's own forms", () => {
  let supervisor: Session;

  beforeAll(async () => {
    supervisor = await signIn("sam");
  });

  it("refuses a form post without the session's CSRF token, or with another", async () => {
    const fields = { date: "2026-12-29", kind: "close", reason: "staff training" };
    expect((await postForm("/console/hours/closures", fields, supervisor.cookie)).status).toBe(403);
    expect((await postForm("/console/hours/closures", { ...fields, _csrf: "not-the-token" }, supervisor.cookie)).status).toBe(403);
    expect((await postForm("/console/sign-out", {}, supervisor.cookie)).status).toBe(403);
    expect((await page("/console", supervisor)).status).toBe(200);
  });

  it("closes a day from the calendar as a new hours version with a message written for it", async () => {
    const response = await postForm("/console/hours/closures", { _csrf: supervisor.csrf, date: "2026-12-29", kind: "close", reason: "staff training" }, supervisor.cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toMatch(/^\/console\/hours\?published=\d+&try=2026-12-29T10:00#day-2026-12-29$/);
    const history = await line.documents!.history("hours", "hours");
    expect(history[0]).toMatchObject({ author: "sam", message: "Closed all day 29 December: staff training" });
    const after = await page(response.headers.get("location")!.replace(/#.*/, ""), supervisor);
    expect(after.body).toContain("Closed all day 29 December: staff training");
    expect(after.body).toContain("Closed all day: staff training");
  });

  it("removes a closure, saying which", async () => {
    const response = await postForm("/console/hours/closures/remove", { _csrf: supervisor.csrf, date: "2026-12-24" }, supervisor.cookie);
    expect(response.status).toBe(303);
    const history = await line.documents!.history("hours", "hours");
    expect(history[0]!.message).toBe("Removed the closure on 24 December (Christmas Eve)");
  });

  it("says what to fix when a calendar change cannot be made, and publishes nothing", async () => {
    const before = (await line.documents!.history("hours", "hours")).length;
    const response = await postForm("/console/hours/closures", { _csrf: supervisor.csrf, date: "2026-12-31", kind: "shorten", closes: "25:00", reason: "New Year's Eve" }, supervisor.cookie);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Nothing was changed for 31 December");
    expect((await line.documents!.history("hours", "hours")).length).toBe(before);
  });

  it("rolls back from the history as a new version", async () => {
    const live = (await line.documents!.live("hours", "hours"))!;
    const response = await postForm("/console/hours/rollback", { _csrf: supervisor.csrf, version: "1" }, supervisor.cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/console/hours?published=${live.version + 1}`);
    expect((await line.documents!.live("hours", "hours"))!.message).toBe("Rolled back to version 1");
  });
});

describe("the words callers hear, in plain text boxes", () => {
  let supervisor: Session;
  beforeAll(async () => {
    supervisor = await signIn("sam");
  });

  it("shows each text in a labelled box, read-only to a viewer with no Publish", async () => {
    const viewer = await signIn("vera");
    const { body } = await page("/console/flows/main", viewer);
    expect(body).toContain('<label for="words-greeting.text">greeting: what the caller hears</label>');
    expect(body).toMatch(/<textarea id="words-greeting\.text" name="w:greeting\.text" rows="1" readonly>/);
    expect(body).not.toContain("Publish these words");
  });

  it("publishes a new greeting typed by a supervisor, and the next call hears it", async () => {
    const response = await postForm("/console/flows/main/words", { _csrf: supervisor.csrf, "w:greeting.text": "Welcome to 311, the City of Lethbridge.", message: "A warmer greeting" }, supervisor.cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toMatch(/^\/console\/flows\/main\?published=\d+$/);
    await vi.waitFor(async () => expect((await line.caller().dial()).says[0]).toBe("Welcome to 311, the City of Lethbridge."), { timeout: 5_000, interval: 50 });
    const history = await line.api("GET", "/api/flows/main/versions", { token: supervisorToken });
    expect(history.body[0]).toMatchObject({ author: "sam", message: "A warmer greeting" });
  });

  it("refuses an emptied text, saying why, and publishes nothing", async () => {
    const before = (await line.api("GET", "/api/flows/main", { token: supervisorToken })).body.version;
    const response = await postForm("/console/flows/main/words", { _csrf: supervisor.csrf, "w:greeting.text": "  ", message: "oops" }, supervisor.cookie);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("greeting: what the caller hears is empty: callers would hear nothing there");
    expect((await line.api("GET", "/api/flows/main", { token: supervisorToken })).body.version).toBe(before);
  });

  it("refuses a viewer's post", async () => {
    const viewer = await signIn("vera");
    const response = await postForm("/console/flows/main/words", { _csrf: viewer.csrf, "w:greeting.text": "Hijacked.", message: "x" }, viewer.cookie);
    expect(response.status).toBe(403);
  });
});
