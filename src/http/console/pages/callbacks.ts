import type { DateTime } from "luxon";
import { may } from "../../../domain/accounts.js";
import type { CallbackItem } from "../../../domain/callbacks.js";
import type { RequestNote, ServiceRequest } from "../../../domain/records.js";
import { ago, phoneForPeople, when } from "../format.js";
import { html, type Html } from "../html.js";
import { csrfField, page, type Notice, type PageContext } from "../layout.js";

/** A callback closed lately, with the note its closer left. */
export interface ClosedCallback {
  request: ServiceRequest;
  closing: RequestNote | undefined;
}

export interface CallbacksView {
  /** Undefined when the console has no records database. */
  open: CallbackItem[] | undefined;
  /** True when there were more open callbacks than the page lists. */
  more: boolean;
  closed: ClosedCallback[];
  now: DateTime;
  notice?: Notice | undefined;
}

/** How many days of closed callbacks the page lists under the worklist. */
export const CLOSED_DAYS_SHOWN = 7;

/** The records' text for an id: a reference may hold any character, an id may not. */
export function slug(reference: string): string {
  return reference.replace(/[^A-Za-z0-9_-]/g, (character) => `_${character.charCodeAt(0).toString(16)}`);
}

/** A link to the recording, when it is a web address (never a `javascript:` one). */
export function recordingLink(url: string | null, label: Html | string = "Listen"): Html {
  if (!url) return html`<span class="muted">no recording</span>`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return html`<span class="muted">no recording</span>`;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return html`<span class="muted">no recording</span>`;
  return html`<a href="${parsed.toString()}" target="_blank" rel="noopener noreferrer">${label}</a>`;
}

function numberToCall(number: string | null): Html {
  if (!number) return html`<span class="muted">no number: the caller's was withheld</span>`;
  return html`<a class="phone-number" href="${`tel:${number.replace(/[^+\d]/g, "")}`}">${phoneForPeople(number)}</a>`;
}

function said(request: ServiceRequest): Html {
  const parts = [request.place ? html`<span class="said-place">${request.place}</span>` : "", request.description ? html`<span class="said-text">${request.description}</span>` : ""].filter(Boolean);
  return parts.length ? html`${parts}` : html`<span class="muted">in the recording</span>`;
}

function closeForm(context: PageContext, item: CallbackItem): Html {
  const reference = item.request.reference;
  const id = `note-${slug(reference)}`;
  return html`<form method="post" action="/console/callbacks/${encodeURIComponent(reference)}/close" class="close-callback">
    ${csrfField(context)}
    <label for="${id}">What was done<span class="visually-hidden"> for callback ${reference}</span></label>
    <input id="${id}" name="note" type="text" required maxlength="2000" autocomplete="off" placeholder="e.g. Called back: a crew is booked for Thursday">
    <button type="submit" aria-label="${`Close callback ${reference}`}">Close</button>
  </form>`;
}

/** Each callback is a group of rows: what is known of it, then (for supervisors) the note and Close, the width of the table. */
function openTable(context: PageContext, view: CallbacksView, open: CallbackItem[]): Html {
  const closes = may(context.role, "edit");
  if (open.length === 0) return html`<p>Nobody is waiting for a call back.</p>`;
  const overdue = open.filter((item) => item.overdue).length;
  return html`<p class="callback-count">${open.length === 1 ? "1 callback is" : `${open.length} callbacks are`} waiting${overdue ? html`, <strong class="overdue-text">${overdue} overdue</strong>` : ""}.${view.more ? " Only the oldest are listed: close these first." : ""}${closes ? "" : " Supervisors close callbacks once they have called back."}</p>
  <div class="table-scroll">
  <table class="callbacks">
    <thead><tr><th>Left</th><th>Waiting</th><th>Number to call, message</th><th>Department</th><th>What they said</th></tr></thead>
    ${open.map(
      (item) => html`<tbody class="${item.overdue ? "callback overdue" : "callback"}" id="${`callback-${slug(item.request.reference)}`}">
    <tr>
      <td class="nowrap">${when(item.requestedAt, context.zone)}<br><span class="muted">Ref. ${item.request.reference}</span></td>
      <td class="waiting"><span class="nowrap">${ago(item.requestedAt, view.now)}</span><br>${item.dueBy
        ? item.overdue
          ? html`<span class="badge badge-overdue">Overdue</span> <span class="muted">since ${when(item.dueBy, context.zone)}</span>`
          : html`<span class="muted">due by ${when(item.dueBy, context.zone)}</span>`
        : ""}</td>
      <td class="nowrap">${numberToCall(item.request.callbackNumber)}<br>${recordingLink(item.request.recordingUrl, html`Listen<span class="visually-hidden"> to the message for ${item.request.reference}</span>`)}</td>
      <td>${item.request.department ?? html`<span class="muted">none</span>`}</td>
      <td class="said">${said(item.request)}</td>
    </tr>
    ${closes ? html`<tr class="close-row"><td colspan="5">${closeForm(context, item)}</td></tr>` : ""}
  </tbody>`,
    )}
  </table>
  </div>`;
}

function closedTable(context: PageContext, closed: ClosedCallback[]): Html {
  if (closed.length === 0) return html`<p class="muted">None in the last ${CLOSED_DAYS_SHOWN} days.</p>`;
  return html`<div class="table-scroll"><table>
    <thead><tr><th>Closed</th><th>By</th><th>What was done</th><th>Left</th><th>Recording</th></tr></thead>
    <tbody>${closed.map(
      ({ request, closing }) => html`<tr>
      <td class="nowrap">${request.closedAt ? when(request.closedAt, context.zone) : ""}<br><span class="muted">Ref. ${request.reference}</span></td>
      <td>${closing?.author ?? html`<span class="muted">unknown</span>`}</td>
      <td>${closing?.text ?? ""}</td>
      <td class="nowrap">${when(request.requestedAt, context.zone)}</td>
      <td>${recordingLink(request.recordingUrl)}</td>
    </tr>`,
    )}</tbody>
  </table></div>`;
}

export function callbacksPage(context: PageContext, view: CallbacksView): string {
  const lede = html`Voicemails waiting for someone to call back, oldest first. Call the number, then close the callback with a note saying what was done. Each is due by the close of the first business day after it was left; the overdue ones are marked. Times are City time.`;
  if (view.open === undefined) {
    return page(context, {
      title: "Callbacks",
      section: "callbacks",
      lede,
      notice: view.notice ?? notConfigured(),
      body: html``,
    });
  }
  const body = html`<section class="card" aria-labelledby="waiting-title">
  <h2 id="waiting-title">Waiting for a call back</h2>
  ${openTable(context, view, view.open)}
</section>
<section class="card" aria-labelledby="closed-title">
  <h2 id="closed-title">Closed in the last ${CLOSED_DAYS_SHOWN} days</h2>
  ${closedTable(context, view.closed)}
</section>`;
  return page(context, { title: "Callbacks", section: "callbacks", lede, notice: view.notice, body });
}

/** What a records page says when the line runs without a records database. */
export function notConfigured(): Notice {
  return {
    kind: "warn",
    text: html`The records database is not connected to this console, so there is nothing to show here. Whoever runs the line sets it up (DATABASE_URL, or the embedded database under DATA_DIR); see Records in the README.`,
  };
}
