/**
 * Closing a service request by hand, as whoever dealt with it does it (from the console's
 * worklist, `npm run requests -- close`, or a department's Open311 update): once, with who and
 * what they said kept as its note. Closing an urgent report also stops its incident's pages: a
 * person who closes it means "it is dealt with", and the crew must not go on being paged.
 */
import type { IncidentStore, RecordStore, Resolver } from "../domain/ports.js";
import type { RequestNote, ServiceRequest } from "../domain/records.js";
import type { Logger } from "../logger.js";

/** Who closes it, when, and what they say (kept as the request's note). */
export interface CloseRequest {
  by: string;
  /** ISO 8601. */
  at: string;
  note: string;
  /**
   * Where it was closed, in words ("the command line", "Open311, key water-works"): kept with
   * the incident's record when the close marks it fixed.
   */
  from?: string;
  /** The public word on its status (GeoReport's status_notes); left as it was when undefined. */
  description?: string;
  /**
   * The same close handed over twice is kept once under this key (a department's retried
   * update). @defaultValue the request's last update as it was read
   */
  key?: string;
}

/** What closing an urgent report did to its incident's pages. */
export type PagingOutcome =
  /**
   * Its own incident was open (paging) or taken: it is marked fixed as the closer, so no page
   * goes out after this. `heldBy` is whoever had taken it: the line does not tell them. `joined`:
   * the later reports of the same place, which the records close with it.
   */
  | { outcome: "stopped"; incident: string; was: "open" | "acknowledged"; heldBy: string | null; joined: string[] }
  /** Nothing pages for it: its incident was marked fixed already. */
  | { outcome: "over"; incident: string }
  /**
   * The closer may not change the live incident (a department's system: its "closed" may mean a
   * work order was made): nobody has taken it (`heldBy` null), so it goes on paging until someone
   * does; or `heldBy` has it and marks it fixed.
   */
  | { outcome: "left"; incident: string; heldBy: string | null }
  /**
   * The report joined another report's incident, which goes on: only this request is closed.
   * Open, the incident still pages the crew; acknowledged, `heldBy` has it.
   */
  | { outcome: "joined"; incident: string; status: "open" | "acknowledged"; heldBy: string | null }
  /** The incident could not be reached or changed (`reason`, a clause in plain words): the crew may still be paged. */
  | { outcome: "not-stopped"; incident: string; reason: string };

export type CloseOutcome =
  /** `paging` only for an urgent report (a request with an incident). */
  | { outcome: "closed"; request: ServiceRequest; paging?: PagingOutcome }
  /** Someone closed it before (perhaps a moment before, from another screen): the request was not changed. */
  | { outcome: "closed-already"; request: ServiceRequest; by: string | null; at: string | null; note: string | null; paging?: PagingOutcome }
  | { outcome: "missing" };

export interface ClosingOptions {
  /**
   * Where urgent reports' incidents live, as the caller's role has them (`recordingIncidentStore`,
   * so the incident's events reach the records). Without it, closing an urgent report says that
   * its pages were not stopped.
   */
  incidents?: IncidentStore | undefined;
  /** Told when the incident was marked fixed but its record could not be kept. */
  log?: Logger | undefined;
  /**
   * Whether this closer may mark the live incident fixed: a supervisor may (the default), whoever
   * has it; a department's system may not, so an emergency is paged until a crew member takes it,
   * and stays theirs to mark fixed.
   */
  mayStopUntaken?: boolean | undefined;
}

/**
 * Closes the request unless it is closed already. The change is keyed by the request's last update
 * as it was read, so two people pressing Close at once (or a form sent twice) close it once: the
 * second is told who did.
 *
 * An urgent report's incident is then marked fixed, as a supervisor, by whoever closed it (also
 * when the request was closed already: a close made while the incidents could not be reached is
 * made good by closing again). The request is closed first, whatever happens to the incident.
 */
export async function closeRequest(store: RecordStore, reference: string, close: CloseRequest, options: ClosingOptions = {}): Promise<CloseOutcome> {
  const found = await store.request(reference);
  if (!found) return { outcome: "missing" };
  if (found.request.status === "closed") return withPaging(closedAlready(found.request, found.notes), await stopPaging(found.request, close, options));
  const changed = await store.changeStatus(reference, {
    status: "closed",
    at: close.at,
    by: close.by,
    note: close.note,
    ...(close.description !== undefined ? { description: close.description } : {}),
    key: close.key ?? `close:${reference}:${found.request.updatedAt}`,
  });
  if (!changed) return { outcome: "missing" };
  const again = await store.request(reference);
  const mine = again?.notes.some((note) => note.kind === "closed" && note.author === close.by && note.at === new Date(close.at).toISOString() && note.text === close.note);
  const outcome: CloseOutcome = mine ? { outcome: "closed", request: again!.request } : closedAlready(again?.request ?? changed, again?.notes ?? []);
  return withPaging(outcome, await stopPaging(again?.request ?? found.request, close, options));
}

/**
 * Stops the pages of the urgent report `request` is, because `closer` says it is dealt with:
 * marks its own incident fixed (as a supervisor, whoever holds it) and records who did it from
 * where. A report that joined another incident leaves it going. Never throws: an incident that
 * cannot be reached is said in the outcome. Undefined for a request that is no urgent report.
 */
export async function stopPaging(request: ServiceRequest, closer: Pick<CloseRequest, "by" | "at" | "from">, options: ClosingOptions): Promise<PagingOutcome | undefined> {
  if (!request.incident) return undefined;
  const { incidents, log } = options;
  let incident = request.incident;
  if (!incidents) return { outcome: "not-stopped", incident, reason: "this way of closing has no connection to the line's live incidents" };
  try {
    incident = (await incidents.lookup(request.reference)) ?? request.incident;
    // Not among the live incidents: long over and expired, or these are not the line's (another Redis).
    const unknown = { outcome: "not-stopped", incident, reason: `the line's live incidents do not have it (if it is recent, check that REDIS_URL is the line's)` } as const;
    if (incident !== request.reference) {
      const live = await incidents.get(incident);
      if (!live) return { ...unknown, incident };
      if (live.status === "open" || live.status === "acknowledged") return { outcome: "joined", incident, status: live.status, heldBy: live.acknowledgedBy ?? null };
      return { outcome: "over", incident };
    }
    const mayStopUntaken = options.mayStopUntaken ?? true;
    const resolver: Resolver = { name: closer.by, phone: "", supervisor: mayStopUntaken, mayCloseUntaken: mayStopUntaken };
    const result = await incidents.resolve(incident, resolver, closer.at);
    switch (result.outcome) {
      case "missing":
        return unknown;
      case "resolved-already":
        return { outcome: "over", incident };
      case "held-by":
        return { outcome: "left", incident, heldBy: result.by };
      case "not-taken":
        return { outcome: "left", incident, heldBy: null };
      case "resolved":
        break;
    }
    // Marked fixed, so the pages have stopped: a record that cannot be kept is told, and the close stands.
    const detail = `request ${request.reference} closed${closer.from ? ` from ${closer.from}` : ""}`;
    await incidents
      .addEvent(incident, { at: closer.at, kind: "resolved", name: closer.by, detail })
      .catch((error: unknown) =>
        log?.error({ err: error instanceof Error ? error.message : String(error), incident, by: closer.by }, "records: the incident is marked fixed, but its event could not be kept"),
      );
    const fixed = await incidents.get(incident).catch(() => null);
    const heldBy = result.was === "acknowledged" ? (fixed?.acknowledgedBy ?? null) : null;
    const joined = (fixed?.reports ?? []).map((report) => report.reference).filter((reference) => reference !== incident);
    return { outcome: "stopped", incident, was: result.was, heldBy, joined };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, "");
    return { outcome: "not-stopped", incident, reason: `the line's live incidents (Redis) did not answer (${message})` };
  }
}

/**
 * The outcome for the incident's pages in plain words, for the person who closed the request.
 *
 * @param options.names - say who holds the incident (not for answers that leave the City's staff, such as a department's system)
 */
export function pagingInWords(paging: PagingOutcome, closer: string, options: { names?: boolean } = {}): string {
  const names = options.names ?? true;
  const holder = (heldBy: string | null) => (names && heldBy ? heldBy : "a crew member");
  switch (paging.outcome) {
    case "stopped":
      return (
        `Incident ${paging.incident} is marked fixed, as ${closer}: the on-call crew is paged no more for it. ` +
        (paging.was === "acknowledged"
          ? `${names && paging.heldBy ? `${paging.heldBy} had taken it and` : "The crew member who had taken it"} is not told by the line: let them know.`
          : "Nobody had taken it yet; those paged for it are not told by the line.") +
        (paging.joined.length === 0
          ? ""
          : ` ${paging.joined.length === 1 ? "The report" : `The ${paging.joined.length} reports`} of the same place that joined it ${paging.joined.length === 1 ? "is" : "are"} closed with it: ${paging.joined.join(", ")}.`)
      );
    case "over":
      return `Nothing pages for incident ${paging.incident}: it was marked fixed already.`;
    case "left":
      return paging.heldBy === null
        ? `Incident ${paging.incident} still pages the on-call crew: nobody has taken it yet, and ${closer}'s close does not stop an emergency's pages. They stop when a crew member takes it, or a supervisor closes it.`
        : `Incident ${paging.incident} stays with ${holder(paging.heldBy)}, who has taken it and marks it fixed (DONE ${paging.incident}) or a supervisor closes it.`;
    case "joined":
      return paging.status === "open"
        ? `This report joined incident ${paging.incident}, which is still open and paging the crew: close ${paging.incident} to stop the pages.`
        : `This report joined incident ${paging.incident}, which is still open (${holder(paging.heldBy)} has it): close ${paging.incident} once it is fixed.`;
    case "not-stopped":
      return `The pages for incident ${paging.incident} could NOT be stopped: ${paging.reason}. The on-call crew may still be paged: close it again in a minute, or phone the on-call supervisor.`;
  }
}

function withPaging(outcome: CloseOutcome, paging: PagingOutcome | undefined): CloseOutcome {
  return paging && outcome.outcome !== "missing" ? { ...outcome, paging } : outcome;
}

/** Who closed it: the note that closed it (a later "closed" note, a department's word on a closed request, changes nothing). */
function closedAlready(request: ServiceRequest, notes: readonly RequestNote[]): CloseOutcome {
  const closing = notes.filter((note) => note.kind === "closed");
  const closedAt = request.closedAt ? Date.parse(request.closedAt) : NaN;
  const first = closing.find((note) => Date.parse(note.at) === closedAt) ?? closing.at(-1);
  return { outcome: "closed-already", request, by: first?.author ?? null, at: first?.at ?? request.closedAt, note: first?.text || null };
}
