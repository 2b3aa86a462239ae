import type { DateTime } from "luxon";
import { may } from "../../../domain/accounts.js";
import type { CallbackItem } from "../../../domain/callbacks.js";
import { PLAIN_VOICEMAIL, voicemailQueue, type RequestNote, type ServiceRequest } from "../../../domain/records.js";
import { readableServiceName, type ServiceNames } from "../../../domain/service-names.js";
import type { RecordsBacklog } from "../../../operations/line-status.js";
import { backlogBox } from "./backlog.js";
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
  /** What the records may be missing just now (calls and voicemails not yet written). */
  backlog?: RecordsBacklog | undefined;
  /** The names supervisors know the agent queues by (`serviceNamesOf` the live definitions); their codes in words without it. */
  serviceNames?: ServiceNames | undefined;
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

/** An agent queue's code, as flows write it. */
const QUEUE_CODE = /^[a-z0-9][a-z0-9-]*$/;

/**
 * What the line has of the caller's message, each thing labelled for what it is: the recording to
 * listen to, the place they gave, where they were in the call when they left it, and what they
 * wrote on the web form. The line's own description of a voicemail is never shown as if the
 * caller had said it.
 */
function message(request: ServiceRequest, names: ServiceNames): Html {
  const facts: Html[] = [];
  if (request.place) facts.push(html`<li><span class="fact-label">Place they gave:</span> <span class="said-place">${request.place}</span></li>`);
  const description = request.description?.trim();
  if (description) {
    const queue = voicemailQueue(request);
    // Named as filed; a request filed before the line named queues holds the code.
    if (queue) facts.push(html`<li>Left while waiting for ${QUEUE_CODE.test(queue) ? names(queue) : queue}</li>`);
    else if (request.source === "voicemail" && description === PLAIN_VOICEMAIL) {
      if (request.channel === "after-hours") facts.push(html`<li>Left on the after-hours line</li>`);
    } else if (request.source === "voicemail") facts.push(html`<li><span class="fact-label">The line's note:</span> ${description}</li>`);
    else if (request.source.startsWith("open311:")) facts.push(html`<li><span class="fact-label">They wrote:</span> <span class="said-text">“${description}”</span></li>`);
    else facts.push(html`<li><span class="fact-label">Note:</span> ${description}</li>`);
  }
  const listen = recordingLink(request.recordingUrl, html`Listen to the message<span class="visually-hidden"> for ${request.reference}</span>`);
  return html`<p class="listen">${listen}</p>${facts.length > 0 ? html`<ul class="message-facts">${facts}</ul>` : ""}`;
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
  const names = view.serviceNames ?? readableServiceName;
  if (open.length === 0) return html`<p>Nobody is waiting for a call back.</p>`;
  const overdue = open.filter((item) => item.overdue).length;
  return html`<p class="callback-count">${open.length === 1 ? "1 callback is" : `${open.length} callbacks are`} waiting${overdue ? html`, <strong class="overdue-text">${overdue} overdue</strong>` : ""}.${view.more ? " Only the oldest are listed: close these first." : ""}${closes ? "" : " Supervisors close callbacks once they have called back."}</p>
  <div class="table-scroll">
  <table class="callbacks">
    <thead><tr><th>Left</th><th>Waiting</th><th>Number to call</th><th>Department</th><th>Their message</th></tr></thead>
    ${open.map(
      (item) => html`<tbody class="${item.overdue ? "callback overdue" : "callback"}" id="${`callback-${slug(item.request.reference)}`}">
    <tr>
      <td class="nowrap">${when(item.requestedAt, context.zone)}<br><span class="muted">Ref. ${item.request.reference}</span></td>
      <td class="waiting"><span class="nowrap">${ago(item.requestedAt, view.now)}</span><br>${item.dueBy
        ? item.overdue
          ? html`<span class="badge badge-overdue">Overdue</span> <span class="muted">since ${when(item.dueBy, context.zone)}</span>`
          : html`<span class="muted">due by ${when(item.dueBy, context.zone)}</span>`
        : ""}</td>
      <td class="nowrap">${numberToCall(item.request.callbackNumber)}</td>
      <td>${item.request.department ?? html`<span class="muted">none</span>`}</td>
      <td class="message">${message(item.request, names)}</td>
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
      <td>${recordingLink(request.recordingUrl, html`Listen<span class="visually-hidden"> to the message for ${request.reference}</span>`)}</td>
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
  const body = html`${backlogBox(view.backlog)}<section class="card" aria-labelledby="waiting-title">
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
