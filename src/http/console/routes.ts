/**
 * The supervisors' console under `/console`: server-rendered pages, the sign-in and sign-out
 * routes, the console's own forms (a closure from the calendar, Roll back, accounts) and two small
 * JSON routes its script uses (a draft's diagram, a change in plain words). Editing, checking,
 * publishing, the test phone and the emergency message go through the JSON API under `/api`.
 *
 * Everything here reads the pure domain (`hoursCalendar`, `rosterView`, `previewMoment`,
 * `flowGraph`, `summarizeFlowChange`, `addClosure`) and publishes through the `Publisher`,
 * as the API does: the console has no flow, hours or roster logic of its own.
 */
import { documentData } from "../../domain/yaml-data.js";
import { once } from "node:events";
import express, { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import type { DateTime } from "luxon";
import { parseDocument } from "yaml";
import { z } from "zod";
import { AccountError } from "../../accounts/accounts.js";
import type { PublishOutcome } from "../../definitions/publisher.js";
import { AccountRuleError, may } from "../../domain/accounts.js";
import { DEPARTMENTS_DOCUMENT, HOURS_DOCUMENT, ONCALL_DOCUMENT, documentFile } from "../../domain/definitions.js";
import { NO_DEPARTMENTS } from "../../domain/departments.js";
import { filedServices, unhandledServiceWarnings } from "../../domain/departments-check.js";
import { parseDepartments } from "../../domain/departments-parse.js";
import { departmentsView } from "../../domain/departments-view.js";
import type { DepartmentDeliveryState } from "../../adapters/bullmq/delivery-queue.js";
import { summarizeDocumentChange, summarizeFlowChange } from "../../domain/flow/diff-summary.js";
import { flowGraph } from "../../domain/flow/graph.js";
import { parseFlow } from "../../domain/flow/parse.js";
import { PromptEditError, setPrompts } from "../../domain/flow/prompts.js";
import { hoursCalendar, CALENDAR_DAYS } from "../../domain/hours/calendar-view.js";
import { addClosure, removeClosure, HoursEditError } from "../../domain/hours/edit.js";
import { emergencyView } from "../../domain/hours/emergency-view.js";
import { activeOverride, parseHours } from "../../domain/hours/index.js";
import { parseRoster } from "../../domain/oncall/roster/index.js";
import { rosterView } from "../../domain/oncall/roster/roster-view.js";
import type { DocumentKind, RecordStore } from "../../domain/ports.js";
import { previewMoment } from "../../domain/preview.js";
import { DefinitionError } from "../../domain/validation.js";
import { keepableText } from "../../domain/plain-text.js";
import { callbackWorklist } from "../../domain/callbacks.js";
import { CALLBACK_SERVICE, type CallRecord } from "../../domain/records.js";
import { parseReportRequest, reportPeriod, ReportRequestError, type ReportRequest } from "../../domain/reports/period.js";
import { reportCsv } from "../../domain/reports/render-csv.js";
import { REPORT_INTERVALS, type Report, type ReportInterval } from "../../domain/reports/report.js";
import { closeRequest } from "../../records/close-request.js";
import { serviceNamesOf } from "../../domain/service-names.js";
import { authenticate, clearSessionCookie, localPath, requireCsrf, requireRole, setSessionCookie, signedInUser } from "../auth.js";
import { consoleAssets, type ConsoleAssets } from "./assets.js";
import { parseLocal, shortDay, when } from "./format.js";
import { html, type Html } from "./html.js";
import { page, type Notice, type PageContext } from "./layout.js";
import { auditPage } from "./pages/audit.js";
import { callbacksPage, CLOSED_DAYS_SHOWN, notConfigured } from "./pages/callbacks.js";
import { departmentsPage } from "./pages/departments.js";
import { reportsPage } from "./pages/reports.js";
import { CALL_COLUMNS, callCsvRow, csvHeader, REQUEST_COLUMNS, requestCsvRow } from "./csv.js";
import { emergencyPage } from "./pages/emergency.js";
import { flowPage, flowsPage } from "./pages/flows.js";
import { hoursPage } from "./pages/hours.js";
import type { RecordsBacklog } from "../../operations/line-status.js";
import { oncallPage } from "./pages/oncall.js";
import { overviewPage } from "./pages/overview.js";
import type { ApiDependencies } from "../api-routes.js";
import { signInPage } from "./pages/sign-in.js";
import { usersPage } from "./pages/users.js";

/** What the API stands on, and how the console's cookie and sign-in are kept to this line. */
export interface ConsoleDependencies extends ApiDependencies {
  /** Whether the session cookie is `Secure`: whenever the line is served over https (`PUBLIC_URL`). */
  secureCookies: boolean;
  /** The line's base URL (`PUBLIC_URL`): a sign-in must come from a page there (or from this host). */
  publicUrl: string;
  /** The records database: the callback worklist reads and closes requests in it. Without it, the page says it is not configured. */
  records?: RecordStore | undefined;
  /** The calls that started in [start, end) (ISO 8601), oldest first, for the calls download (`callsStartedBetween`). */
  callExport?: ((range: { start: string; end: string }) => AsyncIterable<CallRecord>) | undefined;
  /**
   * Each department's deliveries by name (`deliveryStatus` over the delivery queue), for the
   * Departments page. Without it, the page says their state is unknown.
   */
  deliveries?: (() => Promise<Record<string, DepartmentDeliveryState>>) | undefined;
  /**
   * The records handed to the worker and not yet in the database (`readRecordsBacklog` over the
   * records queue): the worklist and the reports say what they may be missing. Without it, nothing is said.
   */
  recordsBacklog?: (() => Promise<RecordsBacklog>) | undefined;
}

/** Where people who are not signed in are sent. */
export const SIGN_IN_PATH = "/console/sign-in";

const FLOW_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** How many requests one page of the requests download reads (the store's most). */
const MAX_REQUESTS_PER_QUERY = 1_000;
/** The most open callbacks the worklist lists at once (the oldest), and closed ones under it. */
const WORKLIST_LIMIT = 500;
const CLOSED_LISTED = 30;
/** Forms hold a few short fields; the JSON routes carry a draft document. */
const FORM_LIMIT = "64kb";
const JSON_LIMIT = "512kb";

/** A form or JSON body the console cannot act on: answered with this status and message. */
class ConsoleRequestError extends Error {
  override readonly name = "ConsoleRequestError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function field(body: unknown, name: string): string {
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : "";
}

const ChangesBody = z.strictObject({
  document: z.string().regex(/^(flow:[a-z][a-z0-9-]{0,63}|hours|oncall|departments)$/),
  before: z.string().max(400_000),
  after: z.string().max(400_000),
});
const GraphBody = z.strictObject({ source: z.string().max(400_000) });

export function consoleRoutes(deps: ConsoleDependencies): Router {
  const router = Router();
  const cookies = { secureCookies: deps.secureCookies };
  const signedIn = requireRole("viewer", { signInPath: SIGN_IN_PATH });
  const supervisor = requireRole("supervisor", { signInPath: SIGN_IN_PATH });
  const admin = requireRole("admin", { signInPath: SIGN_IN_PATH });
  const zone = () => deps.definitions.current().hours.zone;
  const now = () => deps.clock().setZone(zone());

  let assetsFailure: string | undefined;
  const assets = async (): Promise<ConsoleAssets | undefined> => {
    try {
      return await consoleAssets();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== assetsFailure) deps.log.error({ err: message }, "console: the browser scripts are missing; pages are served without them");
      assetsFailure = message;
      return undefined;
    }
  };

  router.get("/assets/:file", async (req, res) => {
    const file = (await assets())?.files.get(String(req.params.file));
    if (!file) return void res.status(404).type("text/plain").send("Not found\n");
    // Named by a hash of their content: a new build has new names, so browsers may keep these.
    res.set("Cache-Control", "public, max-age=31536000, immutable").type(file.contentType).send(file.body);
  });

  router.use(express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 50 }));
  router.use(express.json({ limit: JSON_LIMIT }));
  router.use(authenticate({ accounts: deps.accounts }));
  router.use((_req, res, next) => {
    // Pages show who is signed in and carry their CSRF token: never kept by a browser or proxy.
    res.set("Cache-Control", "no-store");
    next();
  });

  // ------------------------------------------------------------------ signing in and out

  router.get("/sign-in", async (req, res) => {
    const next = localPath(req.query["next"]);
    if (signedInUser(res)) return void res.redirect(303, next);
    res.type("html").send(signInPage(await assets(), { next }));
  });

  router.post("/sign-in", async (req, res) => {
    // There is no session yet to carry a CSRF token: a sign-in posted from another site's page
    // (which would sign the browser in as the attacker's account) is told apart by its Origin.
    if (!sameOrigin(req, deps.publicUrl)) return void res.status(403).type("text/plain").send("Sign in from the console's own page.\n");
    const username = field(req.body, "username").slice(0, 200);
    const password = field(req.body, "password").slice(0, 1024);
    const next = localPath(field(req.body, "next"));
    const result = await deps.accounts.signIn(username, password, req.ip ?? req.socket.remoteAddress ?? "unknown");
    if (result.outcome === "signed-in") {
      setSessionCookie(res, result.session.id, cookies);
      deps.log.info({ user: result.user.username }, "console: signed in");
      return void res.redirect(303, next);
    }
    const wait = result.retryAfterSeconds;
    if (wait) res.set("Retry-After", String(wait));
    const notice: Notice = {
      kind: "error",
      text: wait
        ? html`Wrong username or password. Too many attempts: try again in ${wait} ${wait === 1 ? "second" : "seconds"}.`
        : html`Wrong username or password. Check both and try again.`,
    };
    res.status(wait ? 429 : 401).type("html").send(signInPage(await assets(), { username, next, notice }));
  });

  router.use(requireCsrf({ signInPath: SIGN_IN_PATH }));

  router.post("/sign-out", async (_req, res) => {
    const user = signedInUser(res);
    if (user?.sessionId) await deps.accounts.signOut(user.sessionId);
    clearSessionCookie(res, cookies);
    res.redirect(303, SIGN_IN_PATH);
  });

  router.use(signedIn);

  const context = async (res: Response): Promise<PageContext> => {
    const user = signedInUser(res)!;
    return { username: user.username, role: user.role, csrfToken: user.csrfToken ?? "", assets: await assets(), zone: zone() };
  };
  const send = async (res: Response, markup: (context: PageContext) => string, status = 200) => {
    res.status(status).type("html").send(markup(await context(res)));
  };

  /** The notice for `?published=N`: that version's message, as it was stored. */
  const publishedNotice = async (req: Request, kind: DocumentKind, name: string, label: string): Promise<Notice | undefined> => {
    const version = Number(req.query["published"]);
    if (!Number.isSafeInteger(version) || version < 1) return undefined;
    const found = await deps.documents.version(kind, name, version);
    if (!found) return undefined;
    return { kind: "ok", text: html`Published: version ${found.version} of ${label} is live for every new call. “${found.message}”` };
  };

  // ------------------------------------------------------------------ overview

  router.get("/", async (req, res) => {
    const set = deps.definitions.current();
    const current = now();
    const typed = req.query["at"];
    const asked = parseLocal(typed, set.hours.zone);
    const at = asked ?? current;
    const stored = await deps.overrides.get();
    const preview = previewMoment({ flow: set.main, hours: set.hours, override: activeOverride(stored, at), roster: set.roster, at });
    const notice: Notice | undefined =
      typeof typed === "string" && typed !== "" && !asked ? { kind: "error", text: html`“${typed}” is not a date and time: pick one, e.g. 2026-12-25 10:00. Showing now instead.` } : undefined;
    await send(res, (ctx) => overviewPage(ctx, { preview, at, now: current, asked: asked !== undefined, emergency: emergencyView(stored, current), versions: set.versions, ...(notice ? { notice } : {}) }));
  });

  // ------------------------------------------------------------------ call flows

  router.get("/flows", async (_req, res) => {
    const flows = await deps.documents.list("flow");
    await send(res, (ctx) => flowsPage(ctx, flows));
  });

  const flowName = (req: Request): string => {
    const name = String(req.params["name"]);
    if (!FLOW_NAME.test(name)) throw new ConsoleRequestError(404, `There is no call flow named “${name}”.`);
    return name;
  };

  const showFlow = async (res: Response, name: string, notice?: Notice, status = 200) => {
    const live = await deps.documents.live("flow", name);
    if (!live) throw new ConsoleRequestError(404, `There is no call flow named “${name}”.`);
    const history = await deps.documents.history("flow", name);
    // Right after a publish this instance may not have read the new version yet: the page shows the published one.
    const set = deps.definitions.current();
    const flow = set.versions.flows.get(name) === live.version && set.flows.get(name) ? set.flows.get(name)! : parseFlow(name, live.source, documentFile("flow", name)).flow;
    await send(res, (ctx) => flowPage(ctx, { name, live, history, graph: flowGraph(flow), now: now(), notice }), status);
  };

  router.get("/flows/:name", async (req, res) => {
    const name = flowName(req);
    await showFlow(res, name, await publishedNotice(req, "flow", name, `the flow “${name}”`));
  });

  router.post("/flows/:name/words", supervisor, async (req, res) => {
    const name = flowName(req);
    const live = await deps.documents.live("flow", name);
    if (!live) throw new ConsoleRequestError(404, `There is no call flow named “${name}”.`);
    const changes: Record<string, string[]> = {};
    for (const [key, value] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
      if (key.startsWith("w:") && typeof value === "string") changes[key.slice(2)] = value.split(/\r?\n/);
    }
    const message = field(req.body, "message").trim();
    if (!message) return showFlow(res, name, { kind: "error", text: html`Say in a few words why, for the history: nothing was published.` }, 400);
    let source: string;
    try {
      source = setPrompts(live.source, changes);
    } catch (error) {
      if (!(error instanceof PromptEditError)) throw error;
      return showFlow(res, name, { kind: "error", text: html`Nothing was published: ${error.message}.` }, 400);
    }
    const result = await deps.publisher.publish("flow", name, { source, message, author: signedInUser(res)!.username, baseVersion: live.version });
    await afterPublish(req, res, result, `/console/flows/${name}`, (notice, status) => showFlow(res, name, notice, status), "publish these words");
  });

  router.post("/flows/:name/graph", async (req, res) => {
    const name = flowName(req);
    const body = GraphBody.safeParse(req.body);
    if (!body.success) throw new ConsoleRequestError(400, "send the draft as { source }");
    try {
      res.json({ graph: flowGraph(parseFlow(name, body.data.source, documentFile("flow", name)).flow) });
    } catch (error) {
      if (error instanceof DefinitionError) return void res.status(400).json({ error: "the draft has problems: the diagram shows the last version without any" });
      throw error;
    }
  });

  router.post("/changes", async (req, res) => {
    const body = ChangesBody.safeParse(req.body);
    if (!body.success) throw new ConsoleRequestError(400, "send { document, before, after }");
    const { document, before, after } = body.data;
    try {
      if (document.startsWith("flow:")) {
        const name = document.slice(5);
        const file = documentFile("flow", name);
        res.json({ items: summarizeFlowChange(parseFlow(name, before, file).flow, parseFlow(name, after, file).flow) });
      } else {
        res.json({ items: summarizeDocumentChange(readYaml(before), readYaml(after)) });
      }
    } catch (error) {
      if (error instanceof DefinitionError || error instanceof YamlError) return void res.status(400).json({ error: "fix the problems first" });
      throw error;
    }
  });

  // ------------------------------------------------------------------ rollback (every document)

  const rollbackRoute = (path: string, ref: (req: Request) => { kind: DocumentKind; name: string }, pageUrl: (req: Request) => string, show: (req: Request, res: Response, notice: Notice, status: number) => Promise<void>) => {
    router.post(path, supervisor, async (req, res) => {
      const { kind, name } = ref(req);
      const version = Number(field(req.body, "version"));
      if (!Number.isSafeInteger(version) || version < 1) throw new ConsoleRequestError(400, "Pick a version from the history to roll back to.");
      const result = await deps.publisher.rollback(kind, name, version, { author: signedInUser(res)!.username });
      await afterPublish(req, res, result, pageUrl(req), (notice, status) => show(req, res, notice, status), `roll back to version ${version}`);
    });
  };

  /** Sends the browser on to the page after a publish from a form, or shows the page again with what went wrong. */
  const afterPublish = async (req: Request, res: Response, result: PublishOutcome, url: string, show: (notice: Notice, status: number) => Promise<void>, what: string, extra = "") => {
    switch (result.outcome) {
      case "published":
        return void res.redirect(303, `${url}?published=${result.version}${extra}`);
      case "unchanged":
        return show({ kind: "warn", text: html`Nothing to publish: version ${result.version}, which is live, says the same already.` }, 200);
      case "invalid":
        return show(
          {
            kind: "error",
            text: html`Could not ${what}: it would not pass the checks, so nothing was published and the live version keeps serving.
              <ul>${result.errors.map((problem) => html`<li>${problem.document}${problem.line ? html`, line ${problem.line}` : ""}: ${problem.path ? `${problem.path}: ` : ""}${problem.message}${problem.hint ? html` <em>${problem.hint}</em>` : ""}</li>`)}</ul>`,
          },
          400,
        );
      case "conflict":
        return show({ kind: "error", text: html`Could not ${what}: someone else published version ${result.live} meanwhile. Look at it below, then try again.` }, 409);
      case "no-such-version":
        return show({ kind: "error", text: html`Could not ${what}: there is no such version. Pick one from the history.` }, 404);
    }
    void req;
  };

  rollbackRoute(
    "/flows/:name/rollback",
    (req) => ({ kind: "flow", name: flowName(req) }),
    (req) => `/console/flows/${flowName(req)}`,
    (req, res, notice, status) => showFlow(res, flowName(req), notice, status),
  );
  rollbackRoute("/hours/rollback", () => ({ kind: "hours", name: HOURS_DOCUMENT }), () => "/console/hours", (_req, res, notice, status) => showHours(res, notice, status));
  rollbackRoute("/oncall/rollback", () => ({ kind: "oncall", name: ONCALL_DOCUMENT }), () => "/console/oncall", (_req, res, notice, status) => showOncall(res, notice, status));
  rollbackRoute("/departments/rollback", () => ({ kind: "departments", name: DEPARTMENTS_DOCUMENT }), () => "/console/departments", (_req, res, notice, status) => showDepartments(res, notice, status));

  // ------------------------------------------------------------------ hours

  const showHours = async (res: Response, notice?: Notice, status = 200, tryAt?: DateTime) => {
    const set = deps.definitions.current();
    const live = await deps.documents.live("hours", HOURS_DOCUMENT);
    if (!live) throw new ConsoleRequestError(404, "The hours have never been published.");
    const history = await deps.documents.history("hours", HOURS_DOCUMENT);
    const current = now();
    const hours = set.versions.hours === live.version ? set.hours : parseHours(live.source, documentFile("hours", HOURS_DOCUMENT));
    const days = hoursCalendar(hours, await deps.overrides.get(), current, CALENDAR_DAYS);
    await send(res, (ctx) => hoursPage(ctx, { days, today: current.toISODate()!, live, history, now: current, notice, ...(tryAt ? { tryAt } : {}) }), status);
  };

  router.get("/hours", async (req, res) => {
    const tryAt = parseLocal(req.query["try"], zone());
    await showHours(res, await publishedNotice(req, "hours", HOURS_DOCUMENT, "the hours"), 200, tryAt);
  });

  /** Applies a calendar edit to the live hours and publishes it with an auto-written message. */
  const publishHoursEdit = async (req: Request, res: Response, date: string, edit: (source: string) => { source: string; message: string; tryAt: string }) => {
    const live = await deps.documents.live("hours", HOURS_DOCUMENT);
    if (!live) throw new ConsoleRequestError(404, "The hours have never been published.");
    let change: { source: string; message: string; tryAt: string };
    try {
      change = edit(live.source);
    } catch (error) {
      if (!(error instanceof HoursEditError)) throw error;
      return showHours(res, { kind: "error", text: html`Nothing was changed for ${shortDay(date, zone())}: ${error.message}` }, 400);
    }
    const result = await deps.publisher.publish("hours", HOURS_DOCUMENT, { source: change.source, message: change.message, author: signedInUser(res)!.username, baseVersion: live.version });
    await afterPublish(req, res, result, "/console/hours", (notice, status) => showHours(res, notice, status), `change ${shortDay(date, zone())}`, `&try=${change.tryAt}#day-${date}`);
  };

  router.post("/hours/closures", supervisor, async (req, res) => {
    const date = field(req.body, "date");
    if (!DATE.test(date)) throw new ConsoleRequestError(400, "Pick a day on the calendar.");
    const reason = field(req.body, "reason").trim();
    const shorten = field(req.body, "kind") === "shorten";
    const closes = field(req.body, "closes").trim();
    await publishHoursEdit(req, res, date, (source) => {
      const day = shortDay(date, zone());
      if (shorten) {
        return { source: addClosure(source, { date, reason, closes }), message: `Closed ${day} from ${closes}: ${reason}`, tryAt: `${date}T${closes}` };
      }
      return { source: addClosure(source, { date, reason }), message: `Closed all day ${day}: ${reason}`, tryAt: `${date}T10:00` };
    });
  });

  router.post("/hours/closures/remove", supervisor, async (req, res) => {
    const date = field(req.body, "date");
    if (!DATE.test(date)) throw new ConsoleRequestError(400, "Pick a day on the calendar.");
    await publishHoursEdit(req, res, date, (source) => {
      const existing = parseHours(source, documentFile("hours", HOURS_DOCUMENT)).closures.find((closure) => closure.date === date);
      return {
        source: removeClosure(source, date),
        message: `Removed the closure on ${shortDay(date, zone())}${existing ? ` (${existing.reason})` : ""}`,
        tryAt: `${date}T10:00`,
      };
    });
  });

  // ------------------------------------------------------------------ emergency message

  router.get("/emergency", async (req, res) => {
    const notice: Notice | undefined = req.query["saved"] ? { kind: "ok", text: html`Saved: it applies at once to every new call, on every instance of the line.` } : undefined;
    const current = emergencyView(await deps.overrides.get(), now());
    await send(res, (ctx) => emergencyPage(ctx, { current, notice }));
  });

  // ------------------------------------------------------------------ on call

  const showOncall = async (res: Response, notice?: Notice, status = 200) => {
    const set = deps.definitions.current();
    const live = await deps.documents.live("oncall", ONCALL_DOCUMENT);
    if (!live) throw new ConsoleRequestError(404, "The on-call rosters have never been published.");
    const history = await deps.documents.history("oncall", ONCALL_DOCUMENT);
    const current = now();
    const roster = set.versions.oncall === live.version ? set.roster : parseRoster(live.source, documentFile("oncall", ONCALL_DOCUMENT));
    await send(res, (ctx) => oncallPage(ctx, { categories: rosterView(roster, current), live, history, now: current, notice }), status);
  };

  router.get("/oncall", async (req, res) => {
    await showOncall(res, await publishedNotice(req, "oncall", ONCALL_DOCUMENT, "the on-call rosters"));
  });

  // ------------------------------------------------------------------ departments

  /** Each department's deliveries; undefined (shown as unknown) when this console cannot read them. */
  const readDeliveries = async (): Promise<Record<string, DepartmentDeliveryState> | undefined> => {
    if (!deps.deliveries) return undefined;
    try {
      return await deps.deliveries();
    } catch (error) {
      deps.log.warn({ err: error instanceof Error ? error.message : String(error) }, "console: could not read the departments' deliveries");
      return undefined;
    }
  };

  const showDepartments = async (res: Response, notice?: Notice, status = 200) => {
    const set = deps.definitions.current();
    const live = await deps.documents.live("departments", DEPARTMENTS_DOCUMENT);
    const history = live ? await deps.documents.history("departments", DEPARTMENTS_DOCUMENT) : [];
    const file = documentFile("departments", DEPARTMENTS_DOCUMENT);
    // Right after a publish this instance may not have read the new version yet: the page shows the published one.
    const served = !live || set.versions.departments === live.version;
    const departments = !live ? NO_DEPARTMENTS : served ? set.departments : parseDepartments(live.source, file);
    const unhandled = served
      ? set.warnings.filter((problem) => problem.file === file)
      : unhandledServiceWarnings(departments, filedServices({ file: documentFile("oncall", ONCALL_DOCUMENT), categories: Object.keys(set.roster.categories) }, set.flows, documentFile), file);
    const view = departmentsView(departments, set, await readDeliveries());
    await send(res, (ctx) => departmentsPage(ctx, { live, history, departments: view, unhandled, notice }), status);
  };

  router.get("/departments", async (req, res) => {
    await showDepartments(res, await publishedNotice(req, "departments", DEPARTMENTS_DOCUMENT, "the list of departments"));
  });

  // ------------------------------------------------------------------ callbacks

  /** What the records may be missing just now; nothing when it cannot be read (Redis not answering says so elsewhere). */
  const recordsBacklog = async (): Promise<RecordsBacklog | undefined> => deps.recordsBacklog?.().catch(() => undefined);

  const showCallbacks = async (res: Response, notice?: Notice, status = 200) => {
    const current = now();
    const records = deps.records;
    if (!records) return send(res, (ctx) => callbacksPage(ctx, { open: undefined, more: false, closed: [], now: current, notice }), status);
    const hours = deps.definitions.current().hours;
    // A callback someone acknowledged is still a promise not kept: both statuses are on the worklist.
    const waiting = await Promise.all(
      (["open", "acknowledged"] as const).map((state) => records.requests({ service: CALLBACK_SERVICE, status: state, order: "oldest", limit: WORKLIST_LIMIT })),
    );
    const open = callbackWorklist(waiting.flat(), hours, current);
    const closedLately = await records.requests({
      service: CALLBACK_SERVICE,
      status: "closed",
      updatedAfter: current.minus({ days: CLOSED_DAYS_SHOWN }).toUTC().toISO()!,
      order: "newest",
      limit: CLOSED_LISTED,
    });
    const closed = await Promise.all(
      closedLately
        .sort((a, b) => (b.closedAt ?? "").localeCompare(a.closedAt ?? ""))
        .map(async (request) => ({ request, closing: (await records.request(request.reference))?.notes.filter((note) => note.kind === "closed").at(-1) })),
    );
    const more = waiting.some((list) => list.length === WORKLIST_LIMIT) || open.length > WORKLIST_LIMIT;
    const backlog = await recordsBacklog();
    await send(res, (ctx) => callbacksPage(ctx, { open: open.slice(0, WORKLIST_LIMIT), more, closed, now: current, notice, backlog, serviceNames: serviceNamesOf(deps.definitions.current()) }), status);
  };

  router.get("/callbacks", async (req, res) => {
    const closed = req.query["closed"];
    const notice: Notice | undefined =
      typeof closed === "string" && closed !== "" && closed.length <= 200 ? { kind: "ok", text: html`Callback ${closed} is closed. Your note is kept with it.` } : undefined;
    await showCallbacks(res, notice);
  });

  router.post("/callbacks/:reference/close", supervisor, async (req, res) => {
    const reference = String(req.params["reference"]).slice(0, 200);
    const note = keepableText(field(req.body, "note")).trim().slice(0, 2_000);
    const records = deps.records;
    if (!records) return showCallbacks(res, undefined, 503);
    if (note === "") {
      return showCallbacks(res, { kind: "error", text: html`Callback ${reference} was not closed: say in a few words what was done, e.g. “Called back, a crew is booked for Thursday”.` }, 400);
    }
    const found = await records.request(reference);
    if (!found || found.request.service !== CALLBACK_SERVICE) {
      return showCallbacks(res, { kind: "error", text: html`There is no callback ${reference}. The list below is up to date.` }, 404);
    }
    const by = signedInUser(res)!.username;
    const at = deps.clock().toUTC().toISO()!;
    const outcome = await closeRequest(records, reference, { by, at, note });
    switch (outcome.outcome) {
      case "closed":
        deps.log.info({ reference, user: by }, "console: callback closed");
        // The close is done and kept with its note; an audit log that cannot be written must not undo it or hide it.
        await deps.audit
          .record({ at, user: by, action: "request-closed", document: `request:${reference}`, message: note })
          .catch((error: unknown) => deps.log.error({ err: error instanceof Error ? error.message : String(error), reference, user: by }, "console: the callback is closed, but the audit log could not record it"));
        return void res.redirect(303, `/console/callbacks?closed=${encodeURIComponent(reference)}`);
      case "closed-already":
        return showCallbacks(
          res,
          {
            kind: "warn",
            text: html`Callback ${reference} was closed already${outcome.by ? html` by ${outcome.by}` : ""}${outcome.at ? html` on ${when(outcome.at, zone())}` : ""}${outcome.note ? html` (“${outcome.note}”)` : ""}: nothing was changed.`,
          },
          409,
        );
      case "missing":
        return showCallbacks(res, { kind: "error", text: html`There is no callback ${reference}. The list below is up to date.` }, 404);
    }
  });

  // ------------------------------------------------------------------ reports

  /** The period the page asks for: the last seven days by day when none is given. */
  const askedPeriod = (req: Request) => {
    const text = (name: string) => {
      const value = req.query[name];
      return typeof value === "string" ? value.trim().slice(0, 40) : "";
    };
    const today = now().startOf("day");
    const given = text("from") !== "" || text("to") !== "";
    return {
      from: text("from") || (given ? "" : today.minus({ days: 6 }).toISODate()!),
      to: text("to") || (given ? "" : today.toISODate()!),
      by: text("by") || (given ? "" : "day"),
    };
  };
  const shownInterval = (by: string): ReportInterval | "" => ((REPORT_INTERVALS as readonly string[]).includes(by) ? (by as ReportInterval) : "");

  router.get("/reports", async (req, res) => {
    const asked = askedPeriod(req);
    const shown = { from: asked.from, to: asked.to, by: shownInterval(asked.by) };
    const today = now();
    if (!deps.reports) return send(res, (ctx) => reportsPage(ctx, { asked: shown, report: undefined, today, notice: notConfigured() }));
    let report: Report;
    try {
      report = await deps.reports(parseReportRequest(asked));
    } catch (error) {
      if (!(error instanceof ReportRequestError)) throw error;
      return send(res, (ctx) => reportsPage(ctx, { asked: shown, report: undefined, today, notice: { kind: "error", text: html`Pick the period again: ${error.message}.` } }), 400);
    }
    const backlog = await recordsBacklog();
    await send(res, (ctx) => reportsPage(ctx, { asked: shown, report, today, backlog, serviceNames: serviceNamesOf(deps.definitions.current()) }));
  });

  /** The instants of the period a download asks for, in the City's zone. */
  const downloadPeriod = (req: Request) => {
    try {
      const asked = askedPeriod(req);
      return reportPeriod(parseReportRequest({ ...asked, by: "day" }), zone());
    } catch (error) {
      if (error instanceof ReportRequestError) throw new ConsoleRequestError(400, `Pick the period again: ${error.message}.`);
      throw error;
    }
  };

  /**
   * Sends rows as they are read, heeding the connection's back-pressure. Once the first bytes are
   * out an error can no longer become a page: the download is cut short (the browser says it
   * failed) and the error is logged.
   */
  const streamCsv = async (res: Response, file: string, header: string, rows: AsyncIterable<string>) => {
    res.status(200).type("text/csv; charset=utf-8").attachment(file);
    try {
      res.write(header);
      for await (const row of rows) {
        if (!res.write(row)) await once(res, "drain");
      }
      res.end();
    } catch (error) {
      deps.log.error({ err: error, file }, "console: a download failed part way");
      res.destroy();
    }
  };

  router.get("/reports/calls.csv", async (req, res) => {
    const period = downloadPeriod(req);
    const source = deps.callExport;
    if (!source) throw new ConsoleRequestError(503, "The records database is not connected to this console, so there are no calls to download.");
    const city = zone();
    async function* rows() {
      for await (const call of source!({ start: period.start.toUTC().toISO()!, end: period.end.toUTC().toISO()! })) yield callCsvRow(call, city);
    }
    await streamCsv(res, `calls-${period.from}-to-${period.to}.csv`, csvHeader(CALL_COLUMNS), rows());
  });

  router.get("/reports/requests.csv", async (req, res) => {
    const period = downloadPeriod(req);
    const records = deps.records;
    if (!records) throw new ConsoleRequestError(503, "The records database is not connected to this console, so there are no requests to download.");
    const city = zone();
    const names = serviceNamesOf(deps.definitions.current());
    const range = { from: period.start.toUTC().toISO()!, to: period.end.toUTC().toISO()! };
    async function* rows() {
      for (let offset = 0; ; offset += MAX_REQUESTS_PER_QUERY) {
        const page = await records!.requests({ ...range, order: "oldest", limit: MAX_REQUESTS_PER_QUERY, offset });
        for (const request of page) yield requestCsvRow(request, city, names);
        if (page.length < MAX_REQUESTS_PER_QUERY) return;
      }
    }
    await streamCsv(res, `requests-${period.from}-to-${period.to}.csv`, csvHeader(REQUEST_COLUMNS), rows());
  });

  router.get("/reports/figures.csv", async (req, res) => {
    if (!deps.reports) throw new ConsoleRequestError(503, "The records database is not connected to this console, so there are no figures to download.");
    let report: Report;
    try {
      report = await deps.reports(parseReportRequest(askedPeriod(req)));
    } catch (error) {
      if (error instanceof ReportRequestError) throw new ConsoleRequestError(400, `Pick the period again: ${error.message}.`);
      throw error;
    }
    res.type("text/csv; charset=utf-8").attachment(`figures-${report.period.from}-to-${report.period.to}-by-${report.period.by}.csv`).send(reportCsv(report));
  });

  // ------------------------------------------------------------------ audit log

  router.get("/audit", async (req, res) => {
    const text = (value: unknown) => (typeof value === "string" ? value.trim().slice(0, 100) : "");
    const user = text(req.query["user"]);
    const document = text(req.query["document"]);
    const entries = await deps.audit.entries({ ...(user ? { user } : {}), ...(document ? { document } : {}), limit: 200 });
    const recent = user || document ? await deps.audit.entries({ limit: 500 }) : entries;
    const flows = (await deps.documents.list("flow")).map((flow) => `flow:${flow.name}`);
    const documents = [...new Set([...flows, "hours", "oncall", "departments", "emergency", ...recent.map((entry) => entry.document).filter((name): name is string => !!name)])].sort();
    const users = [...new Set([...(may(signedInUser(res)!.role, "manage-accounts") ? (await deps.accounts.list()).map((account) => account.username) : []), ...recent.map((entry) => entry.user)])].sort();
    if (user && !users.includes(user)) users.push(user);
    if (document && !documents.includes(document)) documents.push(document);
    await send(res, (ctx) => auditPage(ctx, { entries, user, document, users, documents }));
  });

  // ------------------------------------------------------------------ accounts

  const showUsers = async (res: Response, notice?: Notice, status = 200, typed?: { username: string; role: string }) => {
    const accounts = await deps.accounts.list();
    await send(res, (ctx) => usersPage(ctx, { accounts, notice, ...(typed ? { typed } : {}) }), status);
  };

  router.get("/users", admin, async (req, res) => {
    const done = req.query["done"];
    const notice: Notice | undefined = done === "added" ? { kind: "ok", text: html`The account was added. They can sign in now.` } : done === "removed" ? { kind: "ok", text: html`The account was removed and its sessions ended.` } : undefined;
    await showUsers(res, notice);
  });

  router.post("/users", admin, async (req, res) => {
    const username = field(req.body, "username").trim().slice(0, 64);
    const role = field(req.body, "role");
    try {
      await deps.accounts.add({ username, role, password: field(req.body, "password").slice(0, 1024), by: signedInUser(res)!.username });
    } catch (error) {
      if (error instanceof AccountError || error instanceof AccountRuleError) {
        return showUsers(res, { kind: "error", text: html`The account was not added: ${error.message}.` }, 400, { username, role });
      }
      throw error;
    }
    res.redirect(303, "/console/users?done=added");
  });

  router.post("/users/remove", admin, async (req, res) => {
    try {
      await deps.accounts.remove({ username: field(req.body, "username"), by: signedInUser(res)!.username });
    } catch (error) {
      if (error instanceof AccountError || error instanceof AccountRuleError) return showUsers(res, { kind: "error", text: html`Not removed: ${error.message}.` }, 400);
      throw error;
    }
    res.redirect(303, "/console/users?done=removed");
  });

  // ------------------------------------------------------------------ not found, errors

  router.use(async (_req, res) => {
    await send(res, (ctx) => page(ctx, { title: "Not found", section: "overview", body: html`<p>There is no such page in the console. <a href="/console">Go to the overview</a>.</p>` }), 404);
  });

  const onError: ErrorRequestHandler = async (error: Error & { status?: number; type?: string }, req, res, _next) => {
    const status = error instanceof ConsoleRequestError ? error.status : error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const message: Html =
      error instanceof ConsoleRequestError
        ? html`${error.message}`
        : status === 413
          ? html`What was sent is too large.`
          : status < 500
            ? html`The request could not be understood. Go back, reload the page and try again.`
            : html`Something went wrong on the server; it has been logged. Try again in a moment.`;
    if (status >= 500) deps.log.error({ err: error, path: req.path }, "console request failed");
    if (req.is("application/json") || req.accepts(["html", "json"]) === "json") return void res.status(status).json({ error: String(message) });
    const user = signedInUser(res);
    if (!user) return void res.status(status).type("text/plain").send(`${String(message)}\n`);
    try {
      await send(res, (ctx) => page(ctx, { title: status === 404 ? "Not found" : "Something went wrong", section: "overview", notice: { kind: "error", text: message }, body: html`<p><a href="/console">Go to the overview</a></p>` }), status);
    } catch {
      res.status(status).type("text/plain").send(`${String(message)}\n`);
    }
  };
  router.use(onError);
  return router;
}

class YamlError extends Error {
  override readonly name = "YamlError";
}

function readYaml(source: string): unknown {
  const document = parseDocument(source);
  if (document.errors.length > 0) throw new YamlError(document.errors[0]!.message);
  // An alias whose anchor was deleted is a DefinitionError, answered as the other problems are.
  return documentData(document, source, "draft");
}

/**
 * True unless the browser says the request comes from a page on another site: the console's own
 * origin is `PUBLIC_URL`'s, or this host's (a proxy may rewrite Host; a browser never forges Origin).
 */
function sameOrigin(req: Request, publicUrl: string): boolean {
  const origin = req.get("origin");
  if (origin === undefined) return true;
  try {
    const from = new URL(origin);
    return from.origin === new URL(publicUrl).origin || from.host === req.get("host");
  } catch {
    // "null" (a sandboxed page, a document that sends no referrer) or something unreadable.
    return false;
  }
}
