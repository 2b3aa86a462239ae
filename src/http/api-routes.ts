/**
 * The JSON API under `/api`: what the console stands on, and what a City's own scripts may use
 * with an API token. Each handler is thin: check the body with zod, ask the publisher, the
 * stores or the pure domain, answer. Errors are JSON with a clear message, never a stack trace.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import { DateTime } from "luxon";
import { z } from "zod";
import type { AccountService } from "../accounts/accounts.js";
import { AccountError, UnknownAccountError } from "../accounts/accounts.js";
import type { Definitions } from "../definitions/live-definitions.js";
import { checkAgainst, type Publisher, type PublishOutcome } from "../definitions/publisher.js";
import { AccountRuleError } from "../domain/accounts.js";
import { DEPARTMENTS_DOCUMENT, documentFile, HOURS_DOCUMENT, ONCALL_DOCUMENT, withDocument, checkDefinitions } from "../domain/definitions.js";
import { readPublishedSources } from "../definitions/live-definitions.js";
import { activeOverride, planOverride, OverrideRequestError } from "../domain/hours/index.js";
import { emergencyInWords, emergencyView } from "../domain/hours/emergency-view.js";
import type { AuditLog, DocumentKind, DocumentStore, OverrideStore } from "../domain/ports.js";
import { tryCall, type TryReply } from "../domain/flow/try-call.js";
import { previewMoment } from "../domain/preview.js";
import type { Logger } from "../logger.js";
import { authenticate, requireCsrf, requireRole, signedInUser } from "./auth.js";
import { reportRoutes } from "./report-routes.js";
import type { Report, ReportRequest } from "../domain/reports/index.js";

export interface ApiDependencies {
  accounts: AccountService;
  definitions: Definitions;
  documents: DocumentStore;
  publisher: Publisher;
  overrides: OverrideStore;
  audit: AuditLog;
  /** The City's clock. */
  clock: () => DateTime;
  log: Logger;
  /**
   * The City's figures for a period (`cityReports` over the records database), for
   * `GET /api/reports` and the console's Reports page; absent, neither is served.
   *
   * @throws ReportRequestError for a period that cannot be read
   */
  reports?: ((request: ReportRequest) => Promise<Report>) | undefined;
}

/** Flow names: what a file name in `flows/` may be. */
const FLOW_NAME = /^[a-z][a-z0-9-]{0,63}$/;
/** The documents that are not flows, kept beside them in `flows/` under these names: no flow may take one. */
const NOT_FLOW_NAMES: ReadonlyMap<string, DocumentRef> = new Map(
  ([
    ["hours", HOURS_DOCUMENT],
    ["oncall", ONCALL_DOCUMENT],
    ["departments", DEPARTMENTS_DOCUMENT],
  ] as const).map(([kind, name]) => [name, { kind, name }]),
);

/** The largest document a supervisor could write, with room to spare; a body past it is refused unread. */
export const API_BODY_LIMIT = "512kb";

const Source = z.string({ error: "source must be the document's YAML text" }).max(400_000, { error: "source is longer than 400,000 characters" });
const Message = z.string({ error: "message must be text" }).trim().max(500, { error: "message is longer than 500 characters" });
const Version = z.int({ error: "version must be a whole number" }).min(1, { error: "version must be 1 or more" });

const SAY_WHY = "say in a few words what changed and why (message)";
const CheckBody = z.strictObject({ source: Source });
const PublishBody = z.strictObject({
  source: Source,
  message: z
    .string({ error: (issue) => (issue.input === undefined ? SAY_WHY : "message must be text") })
    .trim()
    .min(1, { error: SAY_WHY })
    .max(500, { error: "message is longer than 500 characters" }),
  baseVersion: z.int({ error: "baseVersion must be a whole number" }).min(0).optional(),
});
const RollbackBody = z.strictObject({ version: Version, message: Message.optional(), baseVersion: z.int().min(0).optional() });

const Reply = z.union([
  z.string().max(500),
  z.strictObject({
    digits: z.string().regex(/^[0-9*#]{0,40}$/, { error: "digits may be 0-9, * and # only" }).optional(),
    speech: z.string().max(500).optional(),
    confidence: z.number().min(0).max(1).optional(),
    recording: z.union([z.boolean(), z.string().max(500)]).optional(),
    hangup: z.boolean().optional(),
  }),
]);
const TryBody = z.strictObject({
  document: z.string().regex(/^(flow:[a-z][a-z0-9-]{0,63}|hours|oncall)$/, { error: 'document must be "flow:<name>", "hours" or "oncall"' }).optional(),
  source: Source.optional(),
  at: z.string({ error: "at must be a date and time, e.g. 2026-12-25T10:00" }).max(40).optional(),
  from: z.string().regex(/^\+?[0-9]{3,15}$/, { error: "from must be a phone number, e.g. +14035550187" }).optional(),
  replies: z.array(Reply).max(50, { error: "at most 50 replies" }).default([]),
});

const EmergencyBody = z
  .strictObject({
    mode: z.enum(["normal", "message", "closed", "open"], { error: 'mode must be "normal", "message", "closed" or "open"' }),
    message: z.string({ error: "message must be text" }).max(600, { error: "message is longer than 600 characters" }).optional(),
    until: z.string().max(40).nullable().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.mode === "message" && !body.message?.trim()) ctx.addIssue({ code: "custom", path: ["message"], message: "mode message needs the message callers hear" });
  });

/** A request the API cannot act on: answered 400 (or `status`) with this message. */
class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new ApiError(400, `${where}${issue.message}`);
}

/** Where a document is named in the URL and the store. */
interface DocumentRef {
  kind: DocumentKind;
  name: string;
}

/** The JSON API, behind sign-in (a token or the console's session), roles and CSRF. */
export function apiRoutes(deps: ApiDependencies): Router {
  const api = Router();
  api.use(authenticate({ accounts: deps.accounts }));
  api.use(requireRole("viewer"));
  // Bodies are read only for someone signed in: a stranger's is refused unread.
  api.use(express.json({ limit: API_BODY_LIMIT }));
  api.use(requireCsrf());
  const supervisor = requireRole("supervisor");
  const admin = requireRole("admin");
  const who = (res: Response) => signedInUser(res)!.username;

  const flowRef = (req: Request): DocumentRef => {
    const name = String(req.params.name);
    if (!FLOW_NAME.test(name)) throw new ApiError(400, `"${name}" is not a flow name: lower-case letters, digits and dashes, starting with a letter`);
    // Exported, a flow by that name would be written over the document's file, and read back as it.
    const taken = NOT_FLOW_NAMES.get(name);
    if (taken) throw new ApiError(400, `"${name}" cannot be a flow's name: ${documentFile(taken.kind, taken.name)} is ${describe(taken)} (/api/${taken.name})`);
    return { kind: "flow", name };
  };
  const hoursRef = (): DocumentRef => ({ kind: "hours", name: HOURS_DOCUMENT });
  const oncallRef = (): DocumentRef => ({ kind: "oncall", name: ONCALL_DOCUMENT });
  const departmentsRef = (): DocumentRef => ({ kind: "departments", name: DEPARTMENTS_DOCUMENT });

  api.get("/flows", async (_req, res) => {
    const list = await deps.documents.list("flow");
    res.json(list.map((flow) => ({ name: flow.name, version: flow.version, updatedBy: flow.author, updatedAt: flow.at })));
  });

  /** The routes every kind of document shares, under `base` (`/flows/:name`, `/hours`, `/oncall`, `/departments`). */
  const documentRoutes = (base: string, ref: (req: Request) => DocumentRef) => {
    api.get(base, async (req, res) => {
      const { kind, name } = ref(req);
      const live = await deps.documents.live(kind, name);
      if (!live) throw new ApiError(404, `${describe({ kind, name })} has never been published`);
      res.json({ name, version: live.version, source: live.source, updatedBy: live.author, updatedAt: live.at });
    });
    api.post(`${base}/check`, async (req, res) => {
      const { kind, name } = ref(req);
      const { source } = parseBody(CheckBody, req.body);
      res.json(await deps.publisher.check(kind, name, source));
    });
    api.put(base, supervisor, async (req, res) => {
      const { kind, name } = ref(req);
      const body = parseBody(PublishBody, req.body);
      const result = await deps.publisher.publish(kind, name, { ...body, author: who(res) });
      answerPublish(res, { kind, name }, result);
    });
    api.get(`${base}/versions`, async (req, res) => {
      const { kind, name } = ref(req);
      const history = await deps.documents.history(kind, name);
      if (history.length === 0) throw new ApiError(404, `${describe({ kind, name })} has never been published`);
      res.json(history.map(({ version, author, at, message }) => ({ version, author, at, message })));
    });
    api.get(`${base}/versions/:version`, async (req, res) => {
      const { kind, name } = ref(req);
      const version = Number(req.params.version);
      const found = Number.isSafeInteger(version) ? await deps.documents.version(kind, name, version) : null;
      if (!found) throw new ApiError(404, `${describe({ kind, name })} has no version ${req.params.version}`);
      res.json({ name, version: found.version, source: found.source, author: found.author, at: found.at, message: found.message });
    });
    api.post(`${base}/rollback`, supervisor, async (req, res) => {
      const { kind, name } = ref(req);
      const body = parseBody(RollbackBody, req.body);
      const result = await deps.publisher.rollback(kind, name, body.version, {
        author: who(res),
        ...(body.message ? { message: body.message } : {}),
        ...(body.baseVersion !== undefined ? { baseVersion: body.baseVersion } : {}),
      });
      if (result.outcome === "no-such-version") throw new ApiError(404, `${describe({ kind, name })} has no version ${body.version}`);
      answerPublish(res, { kind, name }, result);
    });
  };
  documentRoutes("/flows/:name", flowRef);
  documentRoutes("/hours", hoursRef);
  documentRoutes("/oncall", oncallRef);
  documentRoutes("/departments", departmentsRef);

  api.post("/try", async (req, res) => {
    const body = parseBody(TryBody, req.body);
    const set = await draftSet(deps, body.document, body.source);
    const zone = set.hours.zone;
    const at = body.at ? momentArgument(body.at, zone) : deps.clock().setZone(zone);
    const override = activeOverride(await deps.overrides.get(), at);
    const flowName = body.document?.startsWith("flow:") ? body.document.slice(5) : "main";
    const flow = set.flows.get(flowName);
    if (!flow) throw new ApiError(404, `flow "${flowName}" has never been published`);
    const replies = body.replies.map((reply): TryReply => (typeof reply === "string" ? replyFromText(reply) : stripUndefined(reply)));
    res.json(tryCall({ flow, hours: set.hours, override, roster: set.roster, at, from: body.from ?? "+14035550187", replies }));
  });

  api.get("/preview", async (req, res) => {
    const set = deps.definitions.current();
    const at = typeof req.query.at === "string" && req.query.at ? momentArgument(req.query.at, set.hours.zone) : deps.clock().setZone(set.hours.zone);
    const override = activeOverride(await deps.overrides.get(), at);
    res.json(previewMoment({ flow: set.main, hours: set.hours, override, roster: set.roster, at }));
  });

  api.get("/emergency", async (_req, res) => {
    res.json(emergencyView(await deps.overrides.get(), deps.clock()));
  });

  api.put("/emergency", supervisor, async (req, res) => {
    const body = parseBody(EmergencyBody, req.body);
    const now = deps.clock();
    const before = emergencyView(await deps.overrides.get(), now);
    if (body.mode === "normal") {
      await deps.overrides.clear();
    } else {
      const message = body.message?.trim() || undefined;
      try {
        const planned = planOverride(
          {
            ...(body.mode === "message" ? {} : { mode: body.mode }),
            ...(message ? { message } : {}),
            ...(body.until ? { until: body.until } : {}),
            setBy: who(res),
          },
          deps.definitions.current().hours,
          now,
        );
        await deps.overrides.set(planned.override);
      } catch (error) {
        if (error instanceof OverrideRequestError) throw new ApiError(400, error.message.replace(/--(\w+)/g, "$1"));
        throw error;
      }
    }
    const after = emergencyView(await deps.overrides.get(), now);
    await deps.audit.record({
      at: now.toISO()!,
      user: who(res),
      action: "emergency",
      document: "emergency",
      detail: `${emergencyInWords(before)} → ${emergencyInWords(after)}`,
    });
    deps.log.info({ by: who(res), mode: after.mode, until: after.until }, "emergency message changed from the console");
    res.json(after);
  });

  api.get("/audit", async (req, res) => {
    const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined);
    const limit = Number(req.query.limit);
    const user = text(req.query.user);
    const document = text(req.query.document);
    const before = text(req.query.before);
    res.json(
      await deps.audit.entries({
        ...(user ? { user } : {}),
        ...(document ? { document } : {}),
        ...(before ? { before } : {}),
        ...(Number.isSafeInteger(limit) && limit > 0 ? { limit } : {}),
      }),
    );
  });

  api.get("/users", admin, async (_req, res) => {
    res.json(await deps.accounts.list());
  });
  api.post("/users", admin, async (req, res) => {
    const body = parseBody(z.strictObject({ username: z.string().max(64), role: z.string().max(20), password: z.string().max(1024) }), req.body);
    res.status(201).json(await deps.accounts.add({ ...body, by: who(res) }));
  });
  api.delete("/users/:username", admin, async (req, res) => {
    await deps.accounts.remove({ username: String(req.params.username), by: who(res) });
    res.status(204).end();
  });

  if (deps.reports) api.use(reportRoutes({ report: deps.reports }));

  api.use((_req, res) => {
    res.status(404).json({ error: "no such API route: see the README's API section" });
  });
  const onError: ErrorRequestHandler = (error: Error & { status?: number; type?: string }, req, res, _next) => {
    if (error instanceof ApiError) return void res.status(error.status).json({ error: error.message, ...error.extra });
    if (error instanceof UnknownAccountError) return void res.status(404).json({ error: error.message });
    if (error instanceof AccountRuleError || error instanceof AccountError) return void res.status(400).json({ error: error.message });
    if (error.type === "entity.too.large") return void res.status(413).json({ error: `the body is larger than ${API_BODY_LIMIT}` });
    if (error.type === "entity.parse.failed") return void res.status(400).json({ error: "the body is not valid JSON" });
    if (error.status && error.status >= 400 && error.status < 500) return void res.status(error.status).json({ error: error.message });
    deps.log.error({ err: error, path: req.path }, "API request failed");
    res.status(500).json({ error: "something went wrong on the server; it has been logged. Try again in a moment." });
  };
  api.use(onError);
  return api;
}

function describe(ref: DocumentRef): string {
  switch (ref.kind) {
    case "flow":
      return `flow "${ref.name}"`;
    case "hours":
      return "the hours";
    case "oncall":
      return "the on-call roster";
    case "departments":
      return "the list of departments";
  }
}

function answerPublish(res: Response, ref: DocumentRef, result: PublishOutcome): void {
  switch (result.outcome) {
    case "published":
    case "unchanged":
      res.json({ name: ref.name, version: result.version, unchanged: result.outcome === "unchanged", warnings: result.outcome === "published" ? result.warnings : [] });
      return;
    case "invalid":
      res.status(400).json({ error: `${describe(ref)} has problems and was not published`, errors: result.errors, warnings: result.warnings });
      return;
    case "conflict":
      res.status(409).json({ error: `someone published version ${result.live} of ${describe(ref)} meanwhile: reload it, then make your change again`, live: result.live });
      return;
    case "no-such-version":
      res.status(404).json({ error: `${describe(ref)} has no such version` });
  }
}

/** The live set with a draft in place of one document; a draft with problems is refused with them. */
async function draftSet(deps: ApiDependencies, document: string | undefined, source: string | undefined) {
  if (source === undefined) return deps.definitions.current();
  const live = await readPublishedSources(deps.documents);
  if (!live) throw new ApiError(409, "nothing has been published yet");
  const ref: DocumentRef =
    document === "hours" ? { kind: "hours", name: HOURS_DOCUMENT } : document === "oncall" ? { kind: "oncall", name: ONCALL_DOCUMENT } : { kind: "flow", name: document?.slice(5) ?? "main" };
  const checked = checkDefinitions(withDocument(live, ref.kind, ref.name, source));
  if (!checked.set) {
    const check = checkAgainst(live, ref.kind, ref.name, source);
    throw new ApiError(400, `the draft of ${describe(ref)} has problems to fix before it can be tried`, { errors: check.errors });
  }
  return checked.set;
}

/** A moment as a supervisor writes it: local time in the City's zone (`2026-12-25T10:00`), or with an offset. */
function momentArgument(text: string, zone: string): DateTime {
  const at = DateTime.fromISO(text, { zone, setZone: true });
  if (!at.isValid) throw new ApiError(400, `at: "${text}" is not a date and time; write it like 2026-12-25T10:00 (local time in ${zone})`);
  return at.setZone(zone);
}

/** A reply typed in the test phone: keys when it is only keys, otherwise words. */
function replyFromText(text: string): TryReply {
  const trimmed = text.trim();
  return /^[0-9*#]+$/.test(trimmed) ? { digits: trimmed } : trimmed === "" ? {} : { speech: trimmed };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
