import { DateTime } from "luxon";
import type { CalendarDay } from "../../../domain/hours/calendar-view.js";
import { may } from "../../../domain/accounts.js";
import type { DocumentVersion } from "../../../domain/ports.js";
import { documentEditor, historyTable, testPhone, type EditedDocument } from "../components.js";
import { html, type Html } from "../html.js";
import { csrfField, page, type Notice, type PageContext } from "../layout.js";

export const HOURS_EDITED: EditedDocument = { id: "hours", api: "/api/hours", rollback: "/console/hours/rollback", label: "the hours", file: "hours.yaml", example: "Open until 7 p.m. on Thursdays from January" };

export interface HoursView {
  days: CalendarDay[];
  today: string;
  live: DocumentVersion;
  history: Omit<DocumentVersion, "source">[];
  now: DateTime;
  /** A moment for the test phone to start at (after a change from the calendar: that day). */
  tryAt?: DateTime;
  notice?: Notice | undefined;
}

const STATUS_WORDS: Record<CalendarDay["status"], string> = {
  open: "Open",
  closed: "Closed",
  weekend: "Closed",
  holiday: "Holiday",
  closure: "Closed",
  shortened: "Shorter day",
  emergency: "Emergency",
};

const WEEKDAY_HEADS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function dayCell(context: PageContext, day: CalendarDay, today: string): Html {
  const date = DateTime.fromISO(day.date, { zone: context.zone });
  const name = date.toFormat("cccc d LLLL");
  const editable = may(context.role, "edit");
  const id = `day-${day.date}`;
  // A day the line is closed anyway (a weekend, a holiday) has nothing to close; one with a closure can lose it.
  const changeable = editable && day.date >= today && (day.open || day.closure !== undefined || day.status === "emergency");
  return html`<li class="day day-${day.status}${day.date === today ? " day-today" : ""}" id="${id}" aria-labelledby="${id}-date">
  <span class="day-date" id="${id}-date"><time datetime="${day.date}">${date.toFormat("ccc d LLL")}</time>${day.date === today ? html`<span class="today-mark">Today</span>` : ""}</span>
  <span class="day-status"><strong>${STATUS_WORDS[day.status]}</strong></span>
  <span class="day-why">${day.why}${day.emergency?.message ? html`: “${day.emergency.message}”` : ""}</span>
  ${changeable
    ? html`<details>
    <summary aria-label="${`Change ${name}`}">Change this day</summary>
    <form method="post" action="/console/hours/closures">
      ${csrfField(context)}<input type="hidden" name="date" value="${day.date}"><input type="hidden" name="kind" value="close">
      <fieldset>
        <legend>Closed all day</legend>
        <div class="field">
          <label for="${id}-close-reason">Reason callers hear</label>
          <input id="${id}-close-reason" name="reason" type="text" maxlength="200" required placeholder="e.g. staff training">
        </div>
        <button type="submit">Close this day</button>
      </fieldset>
    </form>
    <form method="post" action="/console/hours/closures">
      ${csrfField(context)}<input type="hidden" name="date" value="${day.date}"><input type="hidden" name="kind" value="shorten">
      <fieldset>
        <legend>Closes early</legend>
        <div class="field">
          <label for="${id}-closes">Closes at</label>
          <input id="${id}-closes" name="closes" type="time" required value="12:00">
        </div>
        <div class="field">
          <label for="${id}-shorten-reason">Reason callers hear</label>
          <input id="${id}-shorten-reason" name="reason" type="text" maxlength="200" required placeholder="e.g. Christmas Eve">
        </div>
        <button type="submit">Shorten this day</button>
      </fieldset>
    </form>
    ${day.closure
      ? html`<form method="post" action="/console/hours/closures/remove" data-confirm="${`Remove the closure on ${name} (${day.closure.reason})? The usual hours apply again.`}">
      ${csrfField(context)}<input type="hidden" name="date" value="${day.date}">
      <button type="submit" class="danger">Remove closure</button>
    </form>`
      : ""}
  </details>`
    : ""}
</li>`;
}

export function hoursPage(context: PageContext, view: HoursView): string {
  const first = view.days[0];
  const pad = first ? DateTime.fromISO(first.date, { zone: context.zone }).weekday - 1 : 0;
  const body = html`<section class="card" aria-labelledby="calendar-title">
  <h2 id="calendar-title">The next ${view.days.length} days</h2>
  <p class="field-hint">${may(context.role, "edit") ? "Use “Change this day” to close a day, close it early, or remove a closure. Each change is published at once as a new version of the hours." : "Supervisors can close a day or close it early from here."}</p>
  <ul class="calendar" aria-label="Calendar">
    ${WEEKDAY_HEADS.map((weekday) => html`<li class="calendar-head" aria-hidden="true">${weekday}</li>`)}
    ${Array.from({ length: pad }, () => html`<li class="day calendar-pad" aria-hidden="true"></li>`)}
    ${view.days.map((day) => dayCell(context, day, view.today))}
  </ul>
</section>
<div class="document-layout">
  <div>${documentEditor(context, HOURS_EDITED, view.live)}</div>
  <div>${testPhone(context, HOURS_EDITED.id, view.now, { ...(view.tryAt ? { at: view.tryAt } : {}), title: "Test phone: try a call at any moment" })}</div>
</div>
${historyTable(context, HOURS_EDITED, view.history)}`;
  return page(context, {
    title: "Hours",
    section: "hours",
    lede: "When agents answer, and the days the City is closed. Outside these hours callers reach the after-hours trouble line.",
    notice: view.notice,
    body,
  });
}
