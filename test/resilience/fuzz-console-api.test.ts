/**
 * Whatever a supervisor's script or a confused client sends the console's API, it answers with
 * what was asked or a clean 4xx saying what to change: never a 5xx, never a trace of the code.
 * Property-based (fast-check): random methods, paths, query strings and bodies (JSON of any
 * shape, and text that is not JSON) with an admin's token, on the real line with real Redis.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestLine } from "../helpers/line.js";

const RUNS = Number(process.env.FUZZ_RUNS) || 150;

const DOCUMENTS = ["flows/main", "flows/nope", "hours", "oncall", "departments", "emergency"] as const;
const segment = fc.oneof(
  fc.constantFrom(...DOCUMENTS, "flows", "try", "preview", "audit", "users", "reports", "versions", "check", "rollback"),
  fc.string({ maxLength: 12 }).map((text) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "?"))),
  fc.integer({ min: -5, max: 1e12 }).map(String),
);
const path = fc.oneof(
  fc.tuple(fc.constantFrom(...DOCUMENTS), fc.constantFrom("", "/check", "/versions", "/versions/1", "/versions/0", "/versions/x", "/versions/99999999999", "/rollback")).map(([document, rest]) => `/api/${document}${rest}`),
  fc.constantFrom("/api/try", "/api/preview", "/api/audit", "/api/users", "/api/reports", "/api/flows"),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/api/${parts.join("/")}`),
);
const query = fc.dictionary(fc.constantFrom("at", "from", "to", "by", "user", "document", "format", "limit", "x"), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("2026-12-05T02:00", "0000-01-01", "2026-12-01", "csv", "week")), { maxKeys: 4 });
/** Any JSON a client could send, shaped like the API's bodies some of the time. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ source: fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom("start: x\n", "{{{", "- - -\n:", "states: {}\n")), message: fc.string({ maxLength: 40 }) }, { requiredKeys: [] }),
  fc.record({ version: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)) }),
  fc.record({ at: fc.string({ maxLength: 30 }), replies: fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }) }, { requiredKeys: [] }),
  fc.record({ mode: fc.constantFrom("normal", "open", "closed", "x"), message: fc.string({ maxLength: 60 }), until: fc.string({ maxLength: 30 }) }, { requiredKeys: [] }),
  fc.record({ username: fc.string({ maxLength: 20 }), role: fc.constantFrom("viewer", "supervisor", "admin", "root"), password: fc.string({ maxLength: 30 }) }, { requiredKeys: [] }),
);

describe("the console's API, fuzzed", { timeout: 120_000 }, () => {
  let line: TestLine;
  let token: string;

  beforeAll(async () => {
    line = await TestLine.start({ console: {} });
    token = await line.addUser("ada", "admin");
  }, 30_000);
  afterAll(async () => {
    await line?.close();
  });

  it("answers any method, path, query and body with what was asked or a clean 4xx", async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"), path, query, fc.oneof(body.map((json) => JSON.stringify(json)), fc.string({ maxLength: 80 })), async (method, route, asked, sent) => {
        const search = new URLSearchParams(asked).toString();
        const url = `${route}${search ? `?${search}` : ""}`;
        const answer = await line.api(method, url, { token, ...(method === "GET" || method === "DELETE" ? {} : { body: sent }) });
        const what = `${method} ${url} ${sent.slice(0, 200)}`;
        expect(answer.status, `${what}: ${JSON.stringify(answer.body).slice(0, 300)}`).toBeLessThan(500);
        expect(JSON.stringify(answer.body), what).not.toMatch(/\\n\s+at [\w.<>]+ \(|TypeError|ReferenceError|node_modules/);
        seen.add(answer.status);
      }),
      { numRuns: RUNS },
    );
    // The fuzz reached the routes: some answered, some refused what they were sent.
    expect([...seen]).toEqual(expect.arrayContaining([200, 400, 404]));
  });
});
