import type { EmergencyView } from "../../../domain/hours/emergency-view.js";
import { may } from "../../../domain/accounts.js";
import { localInput } from "../format.js";
import { attributes, html } from "../html.js";
import { page, type Notice, type PageContext } from "../layout.js";
import { emergencySentence } from "./overview.js";
import { DateTime } from "luxon";

const MODES: { mode: EmergencyView["mode"]; label: string; hint: string }[] = [
  { mode: "normal", label: "Normal", hint: "No message: callers hear the usual greeting and the hours decide the rest." },
  { mode: "message", label: "Play a message, then carry on", hint: "Every caller hears the message after the greeting, then the line works as usual." },
  { mode: "closed", label: "Closed: every caller to the trouble line", hint: "Every caller hears the message and goes to the after-hours trouble line, even in business hours." },
  { mode: "open", label: "Open: keep the day menu on after hours", hint: "After hours, callers still get the day menu and the agent queues (for a big event with agents on hand)." },
];

export function emergencyPage(context: PageContext, view: { current: EmergencyView; notice?: Notice | undefined }): string {
  const editable = may(context.role, "edit");
  const { current } = view;
  const until = current.until ? localInput(DateTime.fromISO(current.until, { setZone: true }), context.zone) : "";
  const body = html`<section class="card" aria-labelledby="now-title">
  <h2 id="now-title">On now</h2>
  <p>${emergencySentence(current, context.zone)}</p>
</section>
${editable
  ? html`<section class="card" aria-labelledby="set-title">
  <h2 id="set-title">Change it</h2>
  <form data-emergency method="post" action="/console/emergency">
    <fieldset>
      <legend>What callers get</legend>
      ${MODES.map(
        (mode) => html`<label class="choice"><input type="radio" name="mode" value="${mode.mode}"${attributes({ checked: current.mode === mode.mode })}><span><strong>${mode.label}</strong><span class="field-hint">${mode.hint}</span></span></label>`,
      )}
    </fieldset>
    <div class="field">
      <label for="message">The message callers hear</label>
      <textarea id="message" name="message" maxlength="600" rows="3" placeholder="e.g. Because of the storm, crews are working on many power outages. Please stay on the line to report an outage.">${current.message ?? ""}</textarea>
      <p class="field-hint">Needed for “Play a message”; optional for the other modes. Write it as you would say it: it is read aloud.</p>
    </div>
    <div class="field">
      <label for="until">Switch it off by itself at (optional)</label>
      <input id="until" name="until" type="datetime-local" value="${until}">
      <p class="field-hint">City time (${context.zone}). Leave empty to keep it on until someone sets it back to Normal.</p>
    </div>
    <button type="submit">Save</button>
    <p class="status" data-save-status role="status"></p>
  </form>
</section>`
  : html`<p class="muted">Supervisors can put up or switch off the emergency message.</p>`}`;
  return page(context, {
    title: "Emergency message",
    section: "emergency",
    lede: "For big events: a storm, a city-wide outage. It takes effect at once on every call that starts from now on.",
    notice: view.notice,
    body,
  });
}
