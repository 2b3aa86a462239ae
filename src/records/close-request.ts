/**
 * Closing a service request by hand, as whoever called a resident back does it (from the console's
 * worklist or `npm run requests -- close`): once, with who and what they said kept as its note.
 */
import type { RecordStore } from "../domain/ports.js";
import type { RequestNote, ServiceRequest } from "../domain/records.js";

/** Who closes it, when, and what they say (kept as the request's note). */
export interface CloseRequest {
  by: string;
  /** ISO 8601. */
  at: string;
  note: string;
}

export type CloseOutcome =
  | { outcome: "closed"; request: ServiceRequest }
  /** Someone closed it before (perhaps a moment before, from another screen): nothing was changed. */
  | { outcome: "closed-already"; request: ServiceRequest; by: string | null; at: string | null; note: string | null }
  | { outcome: "missing" };

/**
 * Closes the request unless it is closed already. The change is keyed by the request's last update
 * as it was read, so two people pressing Close at once (or a form sent twice) close it once: the
 * second is told who did.
 */
export async function closeRequest(store: RecordStore, reference: string, close: CloseRequest): Promise<CloseOutcome> {
  const found = await store.request(reference);
  if (!found) return { outcome: "missing" };
  if (found.request.status === "closed") return closedAlready(found.request, found.notes);
  const changed = await store.changeStatus(reference, {
    status: "closed",
    at: close.at,
    by: close.by,
    note: close.note,
    key: `close:${reference}:${found.request.updatedAt}`,
  });
  if (!changed) return { outcome: "missing" };
  const again = await store.request(reference);
  const mine = again?.notes.some((note) => note.kind === "closed" && note.author === close.by && note.at === new Date(close.at).toISOString() && note.text === close.note);
  if (mine) return { outcome: "closed", request: again!.request };
  return closedAlready(again?.request ?? changed, again?.notes ?? []);
}

function closedAlready(request: ServiceRequest, notes: readonly RequestNote[]): CloseOutcome {
  const last = notes.filter((note) => note.kind === "closed").at(-1);
  return { outcome: "closed-already", request, by: last?.author ?? null, at: last?.at ?? request.closedAt, note: last?.text || null };
}
