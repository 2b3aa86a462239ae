import type { DateTime } from "luxon";
import type { EmergencyView } from "../../../domain/hours/emergency-view.js";
import type { MomentPreview } from "../../../domain/preview.js";
import type { DefinitionVersions } from "../../../domain/definitions.js";
import { when, localInput } from "../format.js";
import { html, type Html } from "../html.js";
import { page, type Notice, type PageContext } from "../layout.js";

export interface OverviewView {
  preview: MomentPreview;
  at: DateTime;
  now: DateTime;
  asked: boolean;
  emergency: EmergencyView;
  versions: DefinitionVersions;
  notice?: Notice;
}

const ROUTE_WORDS: Record<MomentPreview["route"], string> = {
  open: "Open: the day menu and agent queues",
  closed: "Closed: the after-hours trouble line",
  holiday: "Holiday: the after-hours trouble line",
  emergency: "Emergency: every caller goes to the trouble line",
};

export function emergencySentence(view: EmergencyView, zone: string): Html {
  if (view.mode === "normal") return html`No emergency message is on: callers hear the usual greeting and the hours decide the rest.`;
  const until = view.until ? html` until <strong>${when(view.until, zone)}</strong>` : html` until someone switches it off`;
  const what =
    view.mode === "message"
      ? html`Callers hear a message, then carry on as usual`
      : view.mode === "closed"
        ? html`The line is closed: every caller hears the message and goes to the trouble line`
        : html`The day menu is kept on after hours`;
  return html`${what}${until}.${view.message ? html` The message: “${view.message}”` : ""}${view.setBy ? html` <span class="muted">(set by ${view.setBy}${view.setAt ? html` on ${when(view.setAt, zone)}` : ""})</span>` : ""}`;
}

export function overviewPage(context: PageContext, view: OverviewView): string {
  const { preview } = view;
  const body = html`
<section class="card" aria-labelledby="moment-title">
  <h2 id="moment-title">${view.asked ? html`If someone calls at ${when(view.at, context.zone)}` : html`If someone calls now (${when(view.at, context.zone)})`}</h2>
  <form class="inline-form" method="get" action="/console">
    <div class="field">
      <label for="at">What happens if someone calls at…</label>
      <input id="at" name="at" type="datetime-local" value="${localInput(view.at, context.zone)}" required>
      <p class="field-hint">City time (${context.zone})</p>
    </div>
    <div class="field"><button type="submit">Show</button>${view.asked ? html` <a href="/console">Back to now</a>` : ""}<p class="field-hint">&nbsp;</p></div>
  </form>
  <div class="grid-2">
    <div>
      <h3>Which way the call goes</h3>
      <p><span class="route route-${preview.route}">${preview.route}</span> ${ROUTE_WORDS[preview.route]}</p>
      <p>${preview.why}</p>
      <h3>What the caller hears first</h3>
      <ol class="heard-list">${preview.firstWords.map((words) => html`<li>${words}</li>`)}</ol>
    </div>
    <div>
      <h3>Who would be paged for an urgent report</h3>
      <table>
        <thead><tr><th>Category</th><th>Paged first</th><th>Then</th></tr></thead>
        <tbody>${preview.oncall.map(
          (category) => html`<tr${category.gap ? html` class="gap"` : ""}>
          <td>${category.label ?? category.category}</td>
          <td>${category.firstPaged ? html`${category.firstPaged.name} <span class="muted nowrap">${category.firstPaged.phone}</span>` : html`<span class="gap-note">Nobody</span>`}
            ${category.gap ? html`<br><span class="gap-note">Nobody is on call: the supervisor is paged at once.</span>` : ""}</td>
          <td>${category.chain.slice(1, 4).map((step) => html`<span class="nowrap">${step.name} (${step.role}) after ${step.afterMinutes} min</span><br>`)}${category.chain.length > 4 ? html`<span class="muted">and ${category.chain.length - 4} more pages</span>` : ""}</td>
        </tr>`,
        )}</tbody>
      </table>
    </div>
  </div>
</section>
<div class="grid-2">
  <section class="card" aria-labelledby="emergency-title">
    <h2 id="emergency-title">Emergency message</h2>
    <p>${emergencySentence(view.emergency, context.zone)}</p>
    <p><a href="/console/emergency">${view.emergency.mode === "normal" ? "Put up an emergency message" : "Change or switch off the emergency message"}</a></p>
  </section>
  <section class="card" aria-labelledby="live-title">
    <h2 id="live-title">What is live</h2>
    <ul>
      ${[...view.versions.flows].map(([name, version]) => html`<li><a href="/console/flows/${name}">Call flow “${name}”</a>: version ${version}</li>`)}
      <li><a href="/console/hours">Hours and closures</a>: version ${view.versions.hours}</li>
      <li><a href="/console/oncall">On-call rosters</a>: version ${view.versions.oncall}</li>
      <li><a href="/console/departments">Departments</a>: ${view.versions.departments > 0 ? html`version ${view.versions.departments}` : "none yet: requests are kept without one"}</li>
      <li><a href="/console/audit">Audit log</a>: who changed what, and when</li>
    </ul>
  </section>
</div>`;
  return page(context, { title: "Overview", section: "overview", notice: view.notice, body });
}
