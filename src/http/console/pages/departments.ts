import { may } from "../../../domain/accounts.js";
import type { DeliveryView, DepartmentsView, DepartmentView, ServiceView } from "../../../domain/departments-view.js";
import type { DocumentVersion } from "../../../domain/ports.js";
import type { Problem } from "../../../domain/validation.js";
import { documentEditor, historyTable, type EditedDocument } from "../components.js";
import { when } from "../format.js";
import { html, type Html } from "../html.js";
import { page, type Notice, type PageContext } from "../layout.js";

export const DEPARTMENTS_EDITED: EditedDocument = {
  id: "departments",
  api: "/api/departments",
  rollback: "/console/departments/rollback",
  label: "the list of departments",
  file: "departments.yaml",
  example: "Animal control requests go to Bylaw and Parking",
};

export interface DepartmentsPageView {
  /** Null when no departments document was ever published. */
  live: DocumentVersion | null;
  history: Omit<DocumentVersion, "source">[];
  departments: DepartmentsView;
  /** The services the line files requests for that no department lists (the set's warnings on departments.yaml). */
  unhandled: Problem[];
  notice?: Notice | undefined;
}

const LEDE = html`Which department handles each kind of request, and where its requests go. A department with an endpoint gets each new request posted to its own system (Open311 GeoReport v2), retried until it arrives; the others' requests are kept here, in the worklist, the reports and the downloads.`;

function service(entry: ServiceView): Html {
  const what = entry.kind === "urgent" ? html`${entry.what}: urgent reports` : entry.what;
  return html`<li><code>${entry.code}</code> <span class="muted">${what}</span></li>`;
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? `1 ${one}` : `${count} ${many}`;
}

/** What a department's deliveries are doing, and when they go wrong, what to do about it. */
function deliveries(context: PageContext, name: string, delivery: DeliveryView): Html {
  const counts = delivery.counts;
  if (!counts) return html`<span class="muted">unknown: this console cannot read the delivery queue</span>`;
  const zone = context.zone;
  const parts: Html[] = [];
  if (delivery.retrying) {
    const error = counts.lastError!;
    parts.push(html`<p><strong class="gap-note">Its system is not taking requests.</strong> The last try${error.at ? html`, on ${when(error.at, zone)},` : ""} failed: ${error.message}.
      ${counts.lastDeliveredAt ? html`Nothing delivered since ${when(counts.lastDeliveredAt, zone)}.` : "Nothing has been delivered yet."}</p>
    <p>${plural(counts.waiting, "request waits", "requests wait")} and ${counts.waiting === 1 ? "is" : "are"} tried again, at most a quarter of an hour apart, for at least two days; nothing is lost meanwhile. <strong>What to do:</strong> tell the department that its system is refusing the line's requests, with the error above.</p>`);
  }
  if (delivery.failedForGood > 0) {
    // When it is retrying too, the last error is said above already.
    const error = !delivery.retrying && counts.lastError ? html` The last error${counts.lastError.at ? html`, on ${when(counts.lastError.at, zone)}` : ""}: ${counts.lastError.message}.` : "";
    parts.push(html`<p><strong class="gap-note">${plural(delivery.failedForGood, "request was", "requests were")} not delivered, for good.</strong>${error} ${delivery.failedForGood === 1 ? "It is" : "They are"} not tried again. <strong>What to do:</strong> hand ${delivery.failedForGood === 1 ? "it" : "them"} to the department another way; each request's note says why it failed (<code>npm run requests -- list --department "${name}"</code>).</p>`);
  }
  if (parts.length > 0) return html`${parts}`;
  const lines: Html[] = [counts.lastDeliveredAt ? html`Last delivered ${when(counts.lastDeliveredAt, zone)}` : html`<span class="muted">Nothing delivered yet</span>`];
  if (counts.waiting > 0) lines.push(html`${plural(counts.waiting, "on its way", "on their way")}`);
  if (counts.lastError) lines.push(html`<span class="muted">Last error${counts.lastError.at ? html` ${when(counts.lastError.at, zone)}` : ""}: ${counts.lastError.message}</span>`);
  return html`${lines.map((line, index) => html`${index > 0 ? html`<br>` : ""}${line}`)}`;
}

function departmentRow(context: PageContext, department: DepartmentView): Html {
  const delivery = department.delivery;
  const pending = delivery.counts !== null && (delivery.counts.waiting > 0 || delivery.counts.failed > 0 || delivery.counts.lastDeliveredAt !== null);
  return html`<tr${department.needsAttention ? html` class="gap"` : ""}>
  <th scope="row">${department.name}${department.needsAttention ? html`<br><span class="badge badge-overdue">Needs attention</span>` : ""}</th>
  <td><ul class="services">${department.services.map(service)}</ul></td>
  <td class="delivered-to">${delivery.endpoint ? html`<code class="endpoint">${delivery.endpoint}</code>` : html`<span class="muted">kept here only</span>`}</td>
  <td>${delivery.endpoint || pending ? deliveries(context, department.name, delivery) : html`<span class="muted">nothing to deliver</span>`}</td>
</tr>`;
}

function unhandledBox(unhandled: Problem[]): Html {
  if (unhandled.length === 0) return html``;
  return html`<section class="card notice warn" aria-labelledby="unhandled-title">
  <h2 id="unhandled-title">Services without a department</h2>
  <p>The line files requests for ${unhandled.length === 1 ? "this service" : "these services"}, but no department lists ${unhandled.length === 1 ? "it" : "them"}: ${unhandled.length === 1 ? "its requests are" : "their requests are"} kept without a department and delivered nowhere.</p>
  <ul>${unhandled.map((problem) => html`<li>${problem.message}${problem.hint ? html`. <em>${problem.hint}</em>` : ""}</li>`)}</ul>
</section>`;
}

function formerBox(context: PageContext, view: DepartmentsView): Html {
  if (view.former.length === 0) return html``;
  return html`<section class="card" aria-labelledby="former-title">
  <h2 id="former-title">Deliveries for departments no longer listed</h2>
  <p class="field-hint">These were queued under a name the list no longer has (renamed or removed); they still go to the endpoint they were queued for.</p>
  <table>
    <thead><tr><th>Department</th><th>Deliveries</th></tr></thead>
    <tbody>${view.former.map(
      (former) => html`<tr${former.needsAttention ? html` class="gap"` : ""}><th scope="row">${former.name}</th><td>${deliveries(context, former.name, former.delivery)}</td></tr>`,
    )}</tbody>
  </table>
</section>`;
}

export function departmentsPage(context: PageContext, view: DepartmentsPageView): string {
  if (!view.live) {
    return page(context, {
      title: "Departments",
      section: "departments",
      lede: LEDE,
      notice: view.notice ?? {
        kind: "warn",
        text: html`No departments yet: requests are kept without one. ${may(context.role, "edit") ? html`Write flows/departments.yaml and publish it with <code>npm run flows -- import</code>; a line started with the file publishes it by itself.` : ""}`,
      },
      body: html``,
    });
  }
  const attention = [...view.departments.departments, ...view.departments.former].filter((department) => department.needsAttention);
  const body = html`${attention.length > 0
    ? html`<div class="notice error" role="alert">Requests are not reaching ${attention.length === 1 ? "one department" : `${attention.length} departments`}: ${attention.map((department, index) => html`${index > 0 ? ", " : ""}<strong>${department.name}</strong>`)}. What to do is said beside ${attention.length === 1 ? "it" : "each"} below.</div>`
    : ""}
<section class="card" aria-labelledby="departments-title">
  <h2 id="departments-title">Who handles what</h2>
  <div class="table-scroll">
  <table class="departments">
    <thead><tr><th>Department</th><th>Services</th><th>Delivered to</th><th>Deliveries</th></tr></thead>
    <tbody>${view.departments.departments.map((department) => departmentRow(context, department))}</tbody>
  </table>
  </div>
  <p class="field-hint">Endpoints are shown without their query. A department's key for its system is set with the line's settings, never in this list: everyone who can read the console can read the list and its history.</p>
</section>
${unhandledBox(view.unhandled)}
${formerBox(context, view.departments)}
${documentEditor(context, DEPARTMENTS_EDITED, view.live)}
${historyTable(context, DEPARTMENTS_EDITED, view.history)}`;
  return page(context, { title: "Departments", section: "departments", lede: LEDE, notice: view.notice, body });
}
