/**
 * The console's Departments page over real HTTP, on the real line (Redis, the published documents)
 * with the real delivery queue and worker posting to stand-in departments' systems, and the
 * requests' notes in a records database (PostgreSQL and PGlite): each department with its services
 * said as what they are, where its requests go (never an endpoint's query), how its deliveries
 * stand (a department whose system fails stands out, with what to do), the services no department
 * has, everything a supervisor typed escaped, read-only for viewers, and Roll back.
 * (The browser's side is test/e2e/departments.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml } from "../../src/http/console/html.js";
import { getPage, postForm, signIn, type Session } from "../helpers/console.js";
import { DATABASE_KINDS } from "../helpers/database.js";
import { DOWN_ANSWER, MARKUP_NAME, startDepartmentsConsole, type DepartmentsConsole } from "../helpers/departments-console.js";

describe.each(DATABASE_KINDS)("the console's Departments page, the notes on %s", { timeout: 60_000 }, (kind) => {
  let site: DepartmentsConsole;

  beforeAll(async () => {
    site = await startDepartmentsConsole(kind);
  }, 60_000);
  afterAll(() => site?.close());

  const get = (path: string, session?: Session, base = site.base) => getPage(`${base}${path}`, session);
  const post = (path: string, fields: Record<string, string>, session: Session) => postForm(`${site.base}${path}`, fields, session);

  /** The table row of a department, by its name as the page writes it. */
  function row(body: string, name: string): string {
    return new RegExp(`<tr(?: class="gap")?>\\s*<th scope="row">${escapeRegExp(escapeHtml(name))}[\\s\\S]*?</tr>`).exec(body)?.[0] ?? "";
  }

  describe("for anyone signed in", () => {
    let page: string;
    beforeAll(async () => {
      page = (await get("/console/departments", await signIn(site.base, "vera"))).body;
    });

    it("sends someone not signed in to the sign-in page", async () => {
      const answer = await get("/console/departments");
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toBe("/console/sign-in?next=%2Fconsole%2Fdepartments");
    });

    it("is in the navigation, and the overview says which version is live", async () => {
      const { body } = await get("/console", await signIn(site.base, "vera"));
      expect(body).toContain('<a href="/console/departments">Departments</a>');
      expect(body).toContain('<li><a href="/console/departments">Departments</a>: version 2</li>');
      expect(page).toContain('<a href="/console/departments" aria-current="page">Departments</a>');
    });

    it("lists every department of the live version, in its order", () => {
      const names = [...page.matchAll(/<tr(?: class="gap")?>\s*<th scope="row">([^<]+)/g)].map((match) => match[1]);
      expect(names).toEqual(["Electric Utility", "Water and Wastewater", "Transportation / Public Works", "Utility Billing", "Waste and Recycling", "Bylaw and Parking", escapeHtml(MARKUP_NAME)]);
    });

    it("says what each service is: the urgent category's label, an agent queue, voicemails, or online requests only", () => {
      expect(row(page, "Electric Utility")).toContain('<li><code>power</code> <span class="muted">Electric: urgent reports</span></li>');
      expect(row(page, "Transportation / Public Works")).toContain('<li><code>roads</code> <span class="muted">Roads and traffic signals: urgent reports</span></li>');
      expect(row(page, "Transportation / Public Works")).toContain('<li><code>roads-transit</code> <span class="muted">agent queue</span></li>');
      expect(row(page, MARKUP_NAME)).toContain('<li><code>callback</code> <span class="muted">voicemails</span></li>');
      expect(row(page, "Bylaw and Parking")).toContain('<li><code>animal-control</code> <span class="muted">online requests only</span></li>');
    });

    it("shows each endpoint as scheme, host and path, never its query", () => {
      expect(row(page, "Utility Billing")).toMatch(/<code class="endpoint">http:\/\/127\.0\.0\.1:\d+\/billing\/requests\.json<\/code>/);
      expect(row(page, "Bylaw and Parking")).toMatch(/<code class="endpoint">http:\/\/127\.0\.0\.1:\d+\/bylaw\/requests\.json<\/code>/);
      // The document's text, in the editor, is the supervisor's as written; the table shows no query.
      const table = /<table class="departments">[\s\S]*?<\/table>/.exec(page)![0];
      expect(table).not.toContain("jurisdiction_id");
      expect(table).not.toContain("format=json");
    });

    it("says a department without an endpoint keeps its requests here", () => {
      expect(row(page, "Electric Utility")).toContain('<span class="muted">kept here only</span>');
      expect(row(page, "Electric Utility")).toContain("nothing to deliver");
    });

    it("says when a department's system last took a request", () => {
      expect(row(page, "Utility Billing")).toContain("Last delivered ");
      expect(row(page, "Utility Billing")).not.toContain("Needs attention");
    });

    describe("a department whose system is down", () => {
      it("stands out, at the top of the page and on its row", () => {
        expect(page).toMatch(/<div class="notice error" role="alert">Requests are not reaching 2 departments: <strong>Waste and Recycling<\/strong>, <strong>Bylaw and Parking<\/strong>\./);
        expect(row(page, "Bylaw and Parking")).toMatch(/^<tr class="gap">/);
        expect(row(page, "Bylaw and Parking")).toContain('<span class="badge badge-overdue">Needs attention</span>');
      });

      it("says what its system answered, that nothing is lost, and what to do", () => {
        const bylaw = row(page, "Bylaw and Parking");
        expect(bylaw).toContain("Its system is not taking requests.");
        expect(bylaw).toContain(`failed: Bylaw and Parking answered HTTP 503: ${escapeHtml(DOWN_ANSWER)}.`);
        expect(bylaw).toContain("Nothing has been delivered yet.");
        expect(bylaw).toContain("1 request waits and is tried again, at most a quarter of an hour apart, for at least two days");
        expect(bylaw).toContain("nothing is lost meanwhile");
        expect(bylaw).toContain("What to do:</strong> tell the department that its system is refusing the line's requests, with the error above.");
      });
    });

    describe("a department whose system refused a request", () => {
      it("says it was not delivered, for good, and to hand it over another way", () => {
        const waste = row(page, "Waste and Recycling");
        expect(waste).toMatch(/^<tr class="gap">/);
        expect(waste).toContain("1 request was not delivered, for good.");
        expect(waste).toContain("The last error, on ");
        expect(waste).toContain(": Waste and Recycling refused it: HTTP 400: service_code waste-recycling is not one of ours.");
        expect(waste).toContain("hand it to the department another way");
        expect(waste).toContain('<code>npm run requests -- list --department "Waste and Recycling"</code>');
      });
    });

    it("lists the services the line files that no department has", () => {
      const box = /<section class="card notice warn" aria-labelledby="unhandled-title">[\s\S]*?<\/section>/.exec(page)?.[0] ?? "";
      expect(box).toContain("Services without a department");
      expect(box).toContain('requests for &quot;general&quot; will be kept without a department: no department lists it in its services');
      expect(box).not.toContain("callback");
    });

    it("escapes what supervisors and departments' systems wrote", () => {
      expect(page).toContain(escapeHtml(MARKUP_NAME));
      expect(page).not.toContain("<Spaces>");
      expect(page).not.toContain("<b>Down</b>");
    });

    it("shows the document and its history", () => {
      expect(page).toContain('data-document="departments" data-api="/api/departments" data-version="2"');
      expect(page).toMatch(/<td>Billing, waste and bylaw take requests in their own systems<\/td>/);
    });
  });

  describe("a viewer", () => {
    let page: string;
    beforeAll(async () => {
      page = (await get("/console/departments", await signIn(site.base, "vera"))).body;
    });

    it("reads the document, and cannot publish or roll back", () => {
      expect(page).toContain("Read the list of departments");
      expect(page).toContain('data-can-publish="false"');
      expect(page).not.toContain("Publish</button>");
      expect(page).not.toContain('action="/console/departments/rollback"');
    });

    it("is refused a rollback posted anyway, and nothing changes", async () => {
      const viewer = await signIn(site.base, "vera");
      const answer = await post("/console/departments/rollback", { _csrf: viewer.csrf, version: "1" }, viewer);
      expect(answer.status).toBe(403);
      expect(site.line.live!.current().versions.departments).toBe(2);
    });
  });

  describe("a console that cannot read the delivery queue", () => {
    it("says the deliveries' state is unknown", async () => {
      const { body } = await get("/console/departments", await signIn(site.withoutDeliveries, "vera"), site.withoutDeliveries);
      expect(row(body, "Bylaw and Parking")).toContain("unknown: this console cannot read the delivery queue");
      expect(body).not.toContain("Needs attention");
    });
  });

  describe("a line that never published departments", () => {
    it("says requests are kept without one", async () => {
      const { status, body } = await get("/console/departments", await signIn(site.neverPublished, "sam"), site.neverPublished);
      expect(status).toBe(200);
      expect(body).toContain("No departments yet: requests are kept without one.");
      expect(body).not.toContain("data-editor");
    });
  });

  describe("a supervisor rolling back", () => {
    let supervisor: Session;
    let page: string;
    beforeAll(async () => {
      supervisor = await signIn(site.base, "sam");
      page = (await get("/console/departments", supervisor)).body;
    });

    it("has the editor to publish, and Roll back on every version but the live one", () => {
      expect(page).toContain("Edit the list of departments");
      expect(page).toContain('placeholder="e.g. Animal control requests go to Bylaw and Parking"');
      expect(page).toContain('<button type="submit" class="secondary" aria-label="Roll back to version 1">Roll back</button>');
      expect(page).not.toContain('aria-label="Roll back to version 2"');
    });

    it("gets a draft's changes said in words", async () => {
      const live = site.line.live!.current().departments;
      const before = "departments:\n  - name: Electric Utility\n    services: [power]\n";
      const after = "departments:\n  - name: Electric Utility\n    services: [power, streetlights]\n";
      const response = await fetch(`${site.base}/console/changes`, {
        method: "POST",
        headers: { cookie: supervisor.cookie, "x-csrf-token": supervisor.csrf, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ document: "departments", before, after }),
      });
      expect(response.status).toBe(200);
      expect(JSON.stringify(await response.json())).toContain("streetlights");
      expect(site.line.live!.current().departments).toBe(live);
    });

    it("is refused without the page's CSRF token", async () => {
      const answer = await post("/console/departments/rollback", { version: "1" }, supervisor);
      expect(answer.status).toBe(403);
      expect(site.line.live!.current().versions.departments).toBe(2);
    });

    describe("to version 1", () => {
      let answer: Awaited<ReturnType<typeof post>>;
      beforeAll(async () => {
        answer = await post("/console/departments/rollback", { _csrf: supervisor.csrf, version: "1" }, supervisor);
      });

      it("publishes it again as version 3, and the page says so", async () => {
        expect(answer.status).toBe(303);
        expect(answer.headers.get("location")).toBe("/console/departments?published=3");
        const { body } = await get(answer.headers.get("location")!, supervisor);
        expect(body).toContain("Published: version 3 of the list of departments is live for every new call. “Rolled back to version 1”");
        expect(body).toContain('data-version="3"');
      });

      it("lists the departments as they were, without endpoints, and general has its department again", async () => {
        const { body } = await get("/console/departments", supervisor);
        expect(row(body, "311 Customer Service")).toContain("<code>general</code>");
        expect(body).not.toContain('<code class="endpoint">');
        expect(body).not.toContain("Services without a department");
      });

      it("still shows the deliveries queued before, for a department that now keeps its requests here", async () => {
        const bylaw = row((await get("/console/departments", supervisor)).body, "Bylaw and Parking");
        expect(bylaw).toContain('<span class="muted">kept here only</span>');
        expect(bylaw).toContain("Its system is not taking requests.");
      });

      it("is in the audit log, which can be filtered to the departments", async () => {
        const { body } = await get("/console/audit?document=departments", supervisor);
        expect(body).toContain('<option value="departments" selected>departments</option>');
        expect(body).toContain("Rolled back to version 1");
        expect(body).toContain('<a href="/console/departments">departments</a>');
      });
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
