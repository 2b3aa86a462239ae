import type { DateTime } from "luxon";
import type { CategoryView, PersonView } from "../../../domain/oncall/roster/roster-view.js";
import type { DocumentVersion } from "../../../domain/ports.js";
import { documentEditor, historyTable, type EditedDocument } from "../components.js";
import { when } from "../format.js";
import { html, type Html } from "../html.js";
import { page, type Notice, type PageContext } from "../layout.js";

export const ONCALL_EDITED: EditedDocument = { id: "oncall", api: "/api/oncall", rollback: "/console/oncall/rollback", label: "the on-call rosters", file: "oncall.yaml", example: "Jen covers for Marcus while he is on leave" };

export interface OncallView {
  categories: CategoryView[];
  live: DocumentVersion;
  history: Omit<DocumentVersion, "source">[];
  now: DateTime;
  notice?: Notice | undefined;
}

function person(who: PersonView | null | undefined): Html {
  if (!who) return html`<span class="gap-note">Nobody</span>`;
  return html`${who.name} <span class="muted nowrap">${who.phone}</span>`;
}

function people(list: PersonView[] | undefined): Html {
  return list && list.length > 0 ? html`${list.map((who, index) => html`${index > 0 ? ", " : ""}${who.name}`)}` : html`<span class="muted">nobody</span>`;
}

function category(context: PageContext, view: CategoryView): Html {
  const zone = context.zone;
  const slug = `cat-${view.category}`;
  return html`<section class="card" aria-labelledby="${slug}">
  <h2 id="${slug}">${view.label}</h2>
  ${view.gaps.length > 0 ? html`<div class="notice error" role="note">${view.gaps.map((gap) => html`<p>${gap.inWords}</p>`)}</div>` : ""}
  <div class="grid-2">
    <div>
      <h3>On call now</h3>
      <dl class="oncall-now">
        <dt>Primary</dt><dd>${person(view.now.primary)}</dd>
        <dt>Backup</dt><dd>${person(view.now.backup)}</dd>
        <dt>Supervisor</dt><dd>${person(view.now.supervisor)}</dd>
        <dt>Why</dt><dd>${view.now.source}</dd>
        <dt>Until</dt><dd>${view.now.until ? when(view.now.until, zone) : "no change ahead"}</dd>
      </dl>
    </div>
    <div>
      <h3>Next</h3>
      ${view.next
        ? html`<dl class="oncall-now">
        <dt>From</dt><dd>${when(view.next.from, zone)}</dd>
        <dt>Primary</dt><dd>${person(view.next.who.primary)}</dd>
        <dt>Backup</dt><dd>${person(view.next.who.backup)}</dd>
        <dt>Why</dt><dd>${view.next.who.source}</dd>
      </dl>`
        : html`<p class="muted">No change ahead.</p>`}
    </div>
  </div>
  <h3>Rotation</h3>
  <table>
    <thead><tr><th class="num">Week</th><th>Primary</th><th>Backup</th><th>Its turn (now or next)</th></tr></thead>
    <tbody>${view.rotation.map(
      (week) => html`<tr${week.current ? html` class="current"` : ""}>
      <td class="num">${week.week}${week.current ? html` <span class="muted">(now)</span>` : ""}</td>
      <td>${person(week.primary)}</td><td>${person(week.backup)}</td>
      <td>${when(week.from, zone)} to ${when(week.to, zone)}</td>
    </tr>`,
    )}</tbody>
  </table>
  <h3>Overrides</h3>
  ${view.overrides.length === 0
    ? html`<p class="muted">None now or ahead.</p>`
    : html`<table>
    <thead><tr><th>From</th><th>To</th><th>Who</th><th>Stands in for</th><th>Reason</th></tr></thead>
    <tbody>${view.overrides.map(
      (override) => html`<tr${override.current ? html` class="current"` : ""}>
      <td class="nowrap">${when(override.from, zone)}</td><td class="nowrap">${when(override.to, zone)}</td>
      <td>${"primary" in override.who ? html`Primary: ${person(override.who.primary)}<br>` : ""}${"backup" in override.who ? html`Backup: ${person(override.who.backup)}` : ""}</td>
      <td>${override.replaces?.primary ? html`Primary: ${people(override.replaces.primary)}<br>` : ""}${override.replaces?.backup ? html`Backup: ${people(override.replaces.backup)}` : ""}${!override.replaces ? html`<span class="muted">nobody</span>` : ""}</td>
      <td>${override.reason}${override.current ? html` <span class="muted">(now)</span>` : ""}</td>
    </tr>`,
    )}</tbody>
  </table>`}
</section>`;
}

export function oncallPage(context: PageContext, view: OncallView): string {
  const gaps = view.categories.reduce((sum, entry) => sum + entry.gaps.length, 0);
  const body = html`${gaps > 0 ? html`<div class="notice error" role="alert">${gaps === 1 ? "There is a gap" : `There are ${gaps} gaps`} in the next 14 days: an urgent report then pages ${gaps === 1 ? "it" : "them"} to the supervisor, or to nobody. See the categories marked below.</div>` : ""}
${view.categories.map((entry) => category(context, entry))}
${documentEditor(context, ONCALL_EDITED, view.live)}
${historyTable(context, ONCALL_EDITED, view.history)}`;
  return page(context, {
    title: "On call",
    section: "oncall",
    lede: "Who is paged for urgent reports after hours, category by category. Phone numbers are shown only in part. When a published roster changes someone's time on call in the next 14 days, they get a text saying what changed.",
    notice: view.notice,
    body,
  });
}
