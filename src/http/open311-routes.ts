/**
 * Open311 GeoReport v2, served under `/open311/v2`: the City's other systems read the line's
 * service requests, its web form files new ones, and departments post back what they did.
 * Handlers are thin: the fields, the views and the XML are the domain's
 * (src/domain/open311/); this file checks keys, asks the records and answers.
 */
import express, { Router, type ErrorRequestHandler, type NextFunction, type Request, type Response } from "express";
import type { DateTime } from "luxon";
import { databaseUnreachable } from "../adapters/postgres/database.js";
import { departmentFor, type Departments } from "../domain/departments.js";
import type { DeliveryQueue } from "../domain/open311/delivery.js";
import { discovery } from "../domain/open311/discovery.js";
import { Open311Error, type GeoReportError } from "../domain/open311/errors.js";
import type { Open311Key } from "../domain/open311/keys.js";
import { mediaNote, newOnlineRequest, parseNewRequest, planUpdate, sameFiling } from "../domain/open311/post.js";
import { parseRequestQuery, type GeoReportQuery } from "../domain/open311/query.js";
import { toGeoReportRequest } from "../domain/open311/requests.js";
import { DEFAULT_URGENT_SERVICES, geoReportServices, postedNotice, serviceName } from "../domain/open311/services.js";
import { errorsXml, postedXml, requestsXml, servicesXml } from "../domain/open311/xml.js";
import type { IncidentStore, RecordStore } from "../domain/ports.js";
import { CALLBACK_SERVICE, type RequestQuery, type ServiceRequest } from "../domain/records.js";
import type { Logger } from "../logger.js";
import { closeRequest, pagingInWords, stopPaging, type PagingOutcome } from "../records/close-request.js";

/** Finds who holds an api_key (the Redis key store does, hashing it first). */
export interface Open311KeyCheck {
  holderOf(key: string): Promise<Open311Key | null>;
}

export interface Open311Dependencies {
  /**
   * The records. Absent (the line started without its records database), discovery and the
   * services are served still, and everything about requests answers 503 with `Retry-After`.
   */
  records: RecordStore | undefined;
  keys: Open311KeyCheck;
  /** Queues each online request for its department's endpoint. */
  deliveries: DeliveryQueue;
  /** The live departments (flows/departments.yaml). */
  departments: () => Departments;
  /** The service codes the live definitions give requests (`serviceCodesOf(definitions.current())`). */
  serviceCodes: () => readonly string[];
  /** Each service's name as the live definitions give it (`serviceNamesOf(definitions.current())`); the code in words when absent. */
  serviceNames?: (() => (code: string) => string) | undefined;
  /**
   * The urgent categories of the live definitions (`urgentCodesOf(definitions.current())`): filed
   * online they page nobody, and services.json and the answer to a post say so.
   * @defaultValue {@link DEFAULT_URGENT_SERVICES}
   */
  urgentServices?: () => readonly string[];
  /** The next reference of the line's one counter (`nextReference(redis)`). */
  nextReference: () => Promise<string>;
  /**
   * Raises the counter above the highest reference the records keep, when a reference it gave
   * was held already (Redis lost the counter): `keepReferencesAbove(redis, await records.highestReference())`.
   * Without it, a post tries the next few references only.
   */
  raiseReferences?: () => Promise<void>;
  /**
   * The live incidents, as the web role keeps them (`recordingIncidentStore`): a department
   * closing an urgent report stops its pages. Without it, the answer to such a close says the
   * pages could not be stopped.
   */
  incidents?: IncidentStore | undefined;
  /** The City's clock: times are answered in its zone. */
  clock: () => DateTime;
  /** OPEN311_PUBLIC_READ: requests may be read without an api_key. */
  publicRead: boolean;
  /** PUBLIC_URL, for the discovery document. */
  publicUrl: string;
  log: Logger;
  /** Who to ask about the endpoint, for the discovery document. */
  contact?: string;
}

/** Where the router is mounted; the discovery document names it. */
export const OPEN311_PATH = "/open311/v2";

/**
 * The largest body a GeoReport post could need (a 4,000-character description, an address, a
 * name, a few more fields, form-encoded) with room to spare; anything bigger is refused unread.
 */
export const OPEN311_BODY_LIMIT = "64kb";

const REFERENCE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * How many references a post tries before it gives up: the first may be held already when Redis
 * lost the counter, and once the counter is raised the next is free unless another process is
 * filing at the same moment.
 */
export const REFERENCE_TRIES = 5;

type Format = "json" | "xml";

/** Services never listed to a reader without a key, even with OPEN311_PUBLIC_READ. */
const PRIVATE_SERVICES: readonly string[] = [CALLBACK_SERVICE];

/** Seconds a client is asked to wait before trying again when the records are not there. */
export const RECORDS_RETRY_AFTER_SECONDS = 300;

/** The records database is not there (the line started without it, or it stopped answering): requests cannot be read or filed for now. */
class RecordsUnavailableError extends Open311Error {
  constructor() {
    super(503, "Service requests are unavailable for now: the line cannot reach its records database. Try again later, or phone 311.");
  }
}

/** Answers in the format the path asks for. */
function send(res: Response, format: Format, status: number, json: unknown, xml: () => string): void {
  if (format === "xml") res.status(status).type("text/xml; charset=utf-8").send(xml());
  else res.status(status).json(json);
}

function sendErrors(res: Response, format: Format, status: number, errors: GeoReportError[]): void {
  send(res, format, status, errors, () => errorsXml(errors));
}

/** The api_key a request carries: in the body for a post (the spec's place), or the query. */
function apiKeyOf(req: Request): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const key = body?.api_key ?? req.query.api_key;
  return typeof key === "string" && key !== "" ? key : undefined;
}

/**
 * A page of requests, newest first: one query, however many statuses and service codes are asked
 * for. (How deep a page may go is bounded by the query's parsing.)
 */
export async function pageOfRequests(records: RecordStore, query: GeoReportQuery, hidden: readonly string[] = []): Promise<ServiceRequest[]> {
  const skip = (query.page - 1) * query.pageSize;
  if (query.ids) {
    const found = await Promise.all([...new Set(query.ids)].map((id) => records.request(id)));
    return found
      .filter((entry) => entry !== null)
      .map((entry) => entry.request)
      .filter((request) => !hidden.includes(request.service))
      .sort(newestFirst)
      .slice(skip, skip + query.pageSize);
  }
  const asked: RequestQuery = { order: "newest", limit: query.pageSize, offset: skip };
  if (query.statuses.length > 0) asked.status = query.statuses;
  if (query.services.length > 0) asked.service = query.services;
  if (hidden.length > 0) asked.notService = [...hidden];
  if (query.from) asked.from = query.from;
  if (query.to) asked.to = query.to;
  if (query.updatedAfter) asked.updatedAfter = query.updatedAfter;
  if (query.updatedBefore) asked.updatedBefore = query.updatedBefore;
  return records.requests(asked);
}

/** The records' own order: requested time, then reference, newest first. */
function newestFirst(a: ServiceRequest, b: ServiceRequest): number {
  const at = Date.parse(b.requestedAt) - Date.parse(a.requestedAt);
  return at !== 0 ? at : b.reference < a.reference ? -1 : b.reference > a.reference ? 1 : 0;
}

/**
 * The GeoReport v2 endpoint. Discovery and services are open to all; requests are read with an
 * api_key unless `publicRead`; posting a request needs a key, and posting an update a
 * department's key. Errors are answered in the spec's shape, in the format of the path asked.
 */
export function open311Routes(deps: Open311Dependencies): Router {
  const router = Router();
  const zone = () => deps.clock().zoneName ?? "UTC";
  const baseUrl = `${deps.publicUrl.replace(/\/+$/, "")}${OPEN311_PATH}`;
  const urgentServices = deps.urgentServices ?? (() => DEFAULT_URGENT_SERVICES);
  const names = () => deps.serviceNames?.() ?? serviceName;
  const services = () => geoReportServices(deps.departments(), deps.serviceCodes(), urgentServices(), names());
  const bodies = [
    express.urlencoded({ extended: false, limit: OPEN311_BODY_LIMIT, parameterLimit: 100 }),
    express.json({ limit: OPEN311_BODY_LIMIT }),
  ];

  /** The key's holder. @throws Open311Error 403 when there is no key or it is not one of ours */
  async function requireKey(req: Request): Promise<Open311Key> {
    const key = apiKeyOf(req);
    if (!key) throw new Open311Error(403, "api_key is required: ask the City's 311 centre for one");
    const holder = await deps.keys.holderOf(key);
    if (!holder) throw new Open311Error(403, "api_key is not valid (revoked, or mistyped)");
    return holder;
  }

  /** The records. @throws RecordsUnavailableError (503) when the line started without them */
  function records(): RecordStore {
    if (!deps.records) throw new RecordsUnavailableError();
    return deps.records;
  }

  /**
   * Reading requests: open when the City says so, otherwise with any valid key (a key given is
   * checked either way). The services a reader without a key may not see: a call back is about a
   * resident, not a place, so its words and whereabouts are never public.
   */
  const hiddenFrom = async (req: Request): Promise<readonly string[]> => {
    if (!deps.publicRead || apiKeyOf(req) !== undefined) {
      await requireKey(req);
      return [];
    }
    return PRIVATE_SERVICES;
  };

  router.get("/discovery.json", (_req, res) => {
    res.json(discovery({ url: baseUrl, ...(deps.contact ? { contact: deps.contact } : {}) }));
  });

  router.get("/services.json", (_req, res) => {
    res.json(services());
  });
  router.get("/services.xml", (_req, res) => {
    res.type("text/xml; charset=utf-8").send(servicesXml(services()));
  });
  router.get("/services/:code.json", (req, res) => {
    const service = services().find((candidate) => candidate.service_code === req.params.code);
    if (!service) throw new Open311Error(404, `there is no service "${String(req.params.code).slice(0, 64)}": services.json lists them`);
    // The line asks for no attributes beyond the spec's own fields (every service has metadata false).
    res.json({ service_code: service.service_code, attributes: [] });
  });

  const listRequests = (format: Format) => async (req: Request, res: Response) => {
    const hidden = await hiddenFrom(req);
    const query = parseRequestQuery(req.query as Record<string, unknown>, deps.clock());
    const named = names();
    const requests = (await pageOfRequests(records(), query, hidden)).map((request) => toGeoReportRequest(request, zone(), named));
    send(res, format, 200, requests, () => requestsXml(requests));
  };
  router.get("/requests.json", listRequests("json"));
  router.get("/requests.xml", listRequests("xml"));

  const oneRequest = (format: Format) => async (req: Request, res: Response) => {
    const hidden = await hiddenFrom(req);
    const id = String(req.params.id);
    const found = REFERENCE.test(id) ? await records().request(id) : null;
    if (!found || hidden.includes(found.request.service)) throw new Open311Error(404, `there is no service request "${id.slice(0, 64)}"`);
    const requests = [toGeoReportRequest(found.request, zone(), names())];
    send(res, format, 200, requests, () => requestsXml(requests));
  };
  router.get("/requests/:id.json", oneRequest("json"));
  router.get("/requests/:id.xml", oneRequest("xml"));

  /**
   * Keeps the request under a reference no other request holds: a reference Redis gives may be
   * held already when Redis lost its counter, and answering with it would mix two residents'
   * requests. The counter is raised above the records' highest and the next one taken.
   *
   * @throws Open311Error 503 when no free reference was found in {@link REFERENCE_TRIES} tries
   */
  async function keepWithNewReference(make: (reference: string) => ServiceRequest): Promise<ServiceRequest> {
    const store = records();
    for (let attempt = 1; attempt <= REFERENCE_TRIES; attempt++) {
      const request = make(await deps.nextReference());
      if (await store.addRequest(request)) return request;
      // Its own first try, applied before its answer was lost, is not another request's: it is kept.
      const held = await store.request(request.reference);
      if (held && sameFiling(held.request, request)) return request;
      deps.log.error({ reference: request.reference, attempt }, "open311: the reference counter gave a reference another request holds (Redis lost the counter?): raising it and taking the next");
      if (deps.raiseReferences) {
        await deps.raiseReferences().catch((error: unknown) => deps.log.error({ err: error }, "open311: could not raise the reference counter above the records' highest"));
      }
    }
    deps.log.error({ tries: REFERENCE_TRIES }, "open311: no free reference found for an online request: it was refused, nothing kept; check the reference counter");
    throw new Open311Error(503, "the request could not be given a reference just now, and nothing was kept: try again in a minute");
  }

  const fileRequest = (format: Format) => async (req: Request, res: Response) => {
    const holder = await requireKey(req);
    const fields = parseNewRequest(req.body, services().map((service) => service.service_code));
    const department = departmentFor(deps.departments(), fields.service_code);
    const now = deps.clock();
    const request = await keepWithNewReference((reference) => newOnlineRequest(fields, { reference, department, keyName: holder.name, now }));
    const media = mediaNote(fields, now, holder.name);
    // The request is kept: from here on nothing may answer "try again", which would file it twice.
    if (media) {
      await records()
        // Keyed: a statement tried again on a new holder of the embedded database adds it once.
        .addNote(request.reference, media, `${request.reference}-media`)
        .catch((error: unknown) => deps.log.error({ reference: request.reference, err: error }, "open311: the request is kept, but the link it came with (media_url) is not: add it by hand"));
    }
    let sent = false;
    if (department?.endpoint) {
      try {
        await deps.deliveries.deliver(request, department);
        sent = true;
      } catch (error) {
        // The request is kept and listed; only its hand-over is missing, and someone must make it.
        deps.log.error({ reference: request.reference, department: department.name, err: error }, "an online request could not be queued for its department: deliver it by hand");
        await records()
          .addNote(request.reference, { at: now.toUTC().toISO()!, author: "line", kind: "delivery-failed", text: `Not queued for ${department.name}: hand it over another way.` }, `${request.reference}-not-queued`)
          .catch(() => {});
      }
    }
    const urgent = urgentServices().includes(request.service);
    deps.log.info({ reference: request.reference, service: request.service, key: holder.name, urgent }, "open311: request filed");
    const notice = postedNotice({ department: request.department, sent, urgent });
    const posted = [{ service_request_id: request.reference, service_notice: notice, account_id: null }];
    send(res, format, 201, posted, () => postedXml(posted));
  };
  router.post("/requests.json", bodies, fileRequest("json"));
  router.post("/requests.xml", bodies, fileRequest("xml"));

  router.post(["/requests/:id/updates", "/requests/:id/updates.json"], bodies, async (req: Request, res: Response) => {
    const holder = await requireKey(req);
    const department = holder.department;
    if (!department) throw new Open311Error(403, "this api_key is not a department's: only a department's key posts updates");
    const id = String(req.params.id);
    const found = REFERENCE.test(id) ? await records().request(id) : null;
    if (!found) throw new Open311Error(404, `there is no service request "${id.slice(0, 64)}"`);
    const plan = planUpdate(found.request, req.body, department, deps.clock());
    // A department's "closed" may mean a work order was made: it closes the request, and leaves an
    // urgent report's incident to the crew (paged until someone takes it) and the supervisors.
    const closing = { by: department, at: plan.action === "note" ? plan.note.at : plan.at, from: `Open311, key ${holder.name}` };
    const options = { incidents: deps.incidents, log: deps.log, mayStopUntaken: false };
    let paging: PagingOutcome | undefined;
    if (plan.action === "close") {
      const closed = await closeRequest(records(), id, { ...closing, note: plan.description, description: plan.description, ...(plan.key ? { key: plan.key } : {}) }, options);
      if (closed.outcome === "missing") throw new Open311Error(404, `there is no service request "${id}"`);
      paging = closed.paging;
    } else {
      if (plan.action === "note") {
        await records().addNote(id, plan.note, plan.key);
      } else {
        await records().changeStatus(id, {
          status: plan.status,
          at: plan.at,
          by: plan.by,
          note: plan.description,
          noteKind: plan.noteKind,
          description: plan.description,
          forwardOnly: plan.forwardOnly,
          ...(plan.key ? { key: plan.key } : {}),
        });
      }
      if (plan.saysClosed) paging = await stopPaging(found.request, closing, options);
    }
    const updated = (await records().request(id))!.request;
    deps.log[paging?.outcome === "not-stopped" ? "error" : "info"](
      { reference: id, department, action: plan.action, ...(paging ? { paging: paging.outcome, incident: paging.incident } : {}) },
      paging?.outcome === "not-stopped" ? "open311: a department closed an urgent report, but its pages could not be stopped" : "open311: a department updated its request",
    );
    const answer = toGeoReportRequest(updated, zone(), names());
    // The answer goes to the department's system: what happened to the pages is said beside who handles it, naming no crew member.
    if (paging) answer.service_notice = [answer.service_notice, pagingInWords(paging, department, { names: false })].filter(Boolean).join(" ");
    res.json([answer]);
  });

  router.use((req, _res, next: NextFunction) => {
    next(new Open311Error(404, `there is no ${req.method} ${OPEN311_PATH}${req.path}: discovery.json lists what is served`));
  });

  const onError: ErrorRequestHandler = (thrown: unknown, req, res, _next) => {
    const format: Format = /\.xml$/.test(req.path) ? "xml" : "json";
    let error = thrown;
    if (databaseUnreachable(error)) {
      deps.log.warn({ err: error instanceof Error ? error.message : String(error), path: req.path, method: req.method }, "open311: the records database does not answer: the client is asked to try again later");
      error = new RecordsUnavailableError();
    }
    // The web form and departments' systems try a 503 again later.
    if (error instanceof RecordsUnavailableError) res.set("Retry-After", String(RECORDS_RETRY_AFTER_SECONDS));
    if (error instanceof Open311Error) return sendErrors(res, format, error.status, error.toGeoReport());
    const parser = error as { type?: string; status?: number };
    const body = BODY_ERRORS[parser.type ?? ""];
    if (body) return sendErrors(res, format, body.code, [body]);
    deps.log.error({ err: error, path: req.path, method: req.method }, "open311: request failed");
    return sendErrors(res, format, 500, [{ code: 500, description: "the line could not answer just now; try again in a minute" }]);
  };
  router.use(onError);
  return router;
}

/** What express's body parsers throw, said in the spec's shape. */
const BODY_ERRORS: Record<string, GeoReportError> = {
  "entity.too.large": { code: 413, description: `the body is larger than ${OPEN311_BODY_LIMIT}` },
  "parameters.too.many": { code: 413, description: "the body has too many fields" },
  "entity.parse.failed": { code: 400, description: "the body is not valid JSON" },
  "charset.unsupported": { code: 415, description: "send the body in UTF-8" },
  "encoding.unsupported": { code: 415, description: "send the body uncompressed (or gzip)" },
};
