/**
 * The filters of `GET requests.json`: the spec's (`service_request_id`, `service_code`, `status`,
 * `start_date`, `end_date`) and the common extensions (`updated_after`, `updated_before`, `page`,
 * `page_size`), checked and turned into what the records can be asked.
 */
import { DateTime, Duration } from "luxon";
import { z } from "zod";
import { RECORD_YEARS, type RequestStatus } from "../records.js";
import { Open311ValidationError } from "./errors.js";

/** Requests per page unless `page_size` says otherwise. */
export const DEFAULT_PAGE_SIZE = 100;
/** The most a page may hold: the spec's own ceiling on one answer. */
export const MAX_PAGE_SIZE = 1_000;
/** With no date given, the spec's default: requests made in the last 90 days. */
export const DEFAULT_WINDOW = Duration.fromObject({ days: 90 });
/**
 * How deep into a list a page may reach (page × page_size): past it, the database would read and
 * skip ever more rows for one answer. Narrower dates reach any request in a few pages.
 */
export const MAX_DEPTH = 10_000;
/** The most references `service_request_id` may list at once. */
export const MAX_IDS = 100;

/** What `requests.json` was asked for, ready for the records. */
export interface GeoReportQuery {
  /** `service_request_id`: these requests only; the spec says every other filter is then ignored. */
  ids?: string[];
  /** Any of these service codes; empty: every service. */
  services: string[];
  /** Any of these statuses, as the records keep them (`open` is open or acknowledged); empty: every status. */
  statuses: RequestStatus[];
  /** Requested at or after (ISO 8601). */
  from?: string;
  /** Requested before (ISO 8601). */
  to?: string;
  updatedAfter?: string;
  updatedBefore?: string;
  /** 1 for the first page. */
  page: number;
  pageSize: number;
}

/** A parameter given once, several times, or comma-separated: the words in it. */
const List = z
  .union([z.string(), z.array(z.string())], { error: "must be a comma-separated list" })
  .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(",")).map((part) => part.trim()).filter((part) => part !== ""));

/** Given once only: a repeated parameter is a mistake, not a list. */
const One = z.string({ error: (issue) => (Array.isArray(issue.input) ? "give it once" : "must be text") }).trim();

const Code = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const Reference = /^[A-Za-z0-9_-]{1,64}$/;

function whole(min: number, max: number) {
  return One.regex(/^\d{1,7}$/, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .refine((value) => value >= min && value <= max, { error: `must be a whole number from ${min} to ${max}` });
}

/**
 * A date and time in ISO 8601 (W3C), read in the City's zone when it has no offset. A bare date
 * is that day's start; as an upper bound (`end_date`, `updated_before`) the next day's start, so
 * that the day named is included.
 */
function moment(zone: string, bound: "lower" | "upper") {
  return One.transform((text, ctx) => {
    const parsed = DateTime.fromISO(text, { zone, setZone: true });
    if (text === "" || !parsed.isValid) {
      ctx.addIssue({ code: "custom", message: `"${text.slice(0, 40)}" is not a date; write it in ISO 8601, e.g. 2026-12-01 or 2026-12-01T08:00:00-07:00` });
      return z.NEVER;
    }
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
    const instant = (dateOnly && bound === "upper" ? parsed.plus({ days: 1 }) : parsed).toUTC();
    // The records hold times a database can compare (it has no year 0, and none past 9999): the year as written is checked.
    if (parsed.year < RECORD_YEARS.earliest || parsed.year > RECORD_YEARS.latest) {
      ctx.addIssue({ code: "custom", message: `"${text.slice(0, 40)}" is out of range: give a date from ${RECORD_YEARS.earliest} to ${RECORD_YEARS.latest}` });
      return z.NEVER;
    }
    return instant.toISO()!;
  });
}

function schema(zone: string) {
  return z
    .object({
      service_request_id: List.pipe(z.array(z.string().regex(Reference, { error: "is not a service_request_id" })).max(MAX_IDS, { error: `at most ${MAX_IDS} at once` })).optional(),
      service_code: List.pipe(z.array(z.string().regex(Code, { error: "is not a service code (see services.json)" }))).optional(),
      status: List.pipe(z.array(z.enum(["open", "closed"], { error: 'must be "open" or "closed"' }))).optional(),
      start_date: moment(zone, "lower").optional(),
      end_date: moment(zone, "upper").optional(),
      updated_after: moment(zone, "lower").optional(),
      updated_before: moment(zone, "upper").optional(),
      page: whole(1, 1_000_000).optional(),
      page_size: whole(1, MAX_PAGE_SIZE).optional(),
    })
    .superRefine((query, ctx) => {
      if (query.start_date && query.end_date && query.start_date >= query.end_date) {
        ctx.addIssue({ code: "custom", path: ["end_date"], message: "must be after start_date" });
      }
      if (query.updated_after && query.updated_before && query.updated_after >= query.updated_before) {
        ctx.addIssue({ code: "custom", path: ["updated_before"], message: "must be after updated_after" });
      }
      const page = query.page ?? 1;
      const pageSize = query.page_size ?? DEFAULT_PAGE_SIZE;
      if (page * pageSize > MAX_DEPTH) {
        ctx.addIssue({
          code: "custom",
          path: ["page"],
          message: `page ${page} of ${pageSize} goes past the first ${MAX_DEPTH.toLocaleString("en")} requests of the list, as deep as a list is read: narrow it with start_date and end_date (or updated_after and updated_before) instead`,
        });
      }
    });
}

/**
 * Reads `GET requests.json`'s query. Parameters it does not know (`api_key`, `jurisdiction_id`)
 * are left alone. With no date at all, it asks for the last 90 days, as the spec's default;
 * with only `end_date`, the 90 days before it.
 *
 * @param now - the City's current time; its zone reads dates given without an offset
 * @throws Open311ValidationError naming every bad parameter
 */
export function parseRequestQuery(raw: Record<string, unknown>, now: DateTime): GeoReportQuery {
  const parsed = schema(now.zoneName ?? "UTC").safeParse(raw);
  if (!parsed.success) throw new Open311ValidationError(parsed.error);
  const query = parsed.data;
  const page = query.page ?? 1;
  const pageSize = query.page_size ?? DEFAULT_PAGE_SIZE;
  if (query.service_request_id && query.service_request_id.length > 0) return { ids: query.service_request_id, services: [], statuses: [], page, pageSize };
  const statuses = new Set(query.status ?? []);
  const result: GeoReportQuery = {
    services: [...new Set(query.service_code ?? [])],
    // Both statuses, or none named, is every request.
    statuses: statuses.size === 1 ? (statuses.has("closed") ? ["closed"] : ["open", "acknowledged"]) : [],
    page,
    pageSize,
  };
  const dated = query.start_date || query.end_date || query.updated_after || query.updated_before;
  if (query.start_date) result.from = query.start_date;
  else if (query.end_date) result.from = DateTime.fromISO(query.end_date).minus(DEFAULT_WINDOW).toUTC().toISO()!;
  else if (!dated) result.from = now.minus(DEFAULT_WINDOW).toUTC().toISO()!;
  if (query.end_date) result.to = query.end_date;
  if (query.updated_after) result.updatedAfter = query.updated_after;
  if (query.updated_before) result.updatedBefore = query.updated_before;
  return result;
}
