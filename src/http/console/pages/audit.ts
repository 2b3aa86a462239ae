import type { AuditEntry } from "../../../domain/ports.js";
import { when } from "../format.js";
import { attributes, html, type Html } from "../html.js";
import { page, type PageContext } from "../layout.js";

const ACTION_WORDS: Record<AuditEntry["action"], string> = {
  publish: "Published",
  rollback: "Rolled back",
  emergency: "Emergency message",
  "account-added": "Added an account",
  "account-removed": "Removed an account",
  "password-changed": "Changed a password",
  "role-changed": "Changed a role",
  "token-created": "Made an API token",
  "sign-in-refused": "Sign-in refused",
  "request-closed": "Closed a request",
  "paging-stopped": "Stopped an incident's pages",
};

export interface AuditView {
  entries: AuditEntry[];
  user: string;
  document: string;
  /** Documents to choose from in the filter. */
  documents: string[];
  users: string[];
}

/** A unified diff, its added and removed lines marked. */
export function diffBlock(diff: string): Html {
  const lines = diff.split("\n").filter((line, index, all) => !(index === all.length - 1 && line === ""));
  return html`<pre class="diff" tabindex="0">${lines.map((line) => {
    const kind = line.startsWith("+++") || line.startsWith("---") || line.startsWith("===") || line.startsWith("Index:") ? "diff-hunk" : line.startsWith("@@") ? "diff-hunk" : line.startsWith("+") ? "diff-add" : line.startsWith("-") ? "diff-del" : "diff-same";
    return html`<span class="${kind}">${line}\n</span>`;
  })}</pre>`;
}

function documentLink(document: string | undefined): Html {
  if (!document) return html``;
  if (document.startsWith("flow:")) return html`<a href="/console/flows/${document.slice(5)}">${document}</a>`;
  if (document === "hours") return html`<a href="/console/hours">hours</a>`;
  if (document === "oncall") return html`<a href="/console/oncall">oncall</a>`;
  if (document === "emergency") return html`<a href="/console/emergency">emergency</a>`;
  if (document === "departments") return html`<a href="/console/departments">departments</a>`;
  return html`${document}`;
}

export function auditPage(context: PageContext, view: AuditView): string {
  const filtered = view.user !== "" || view.document !== "";
  const body = html`<form class="card inline-form audit-filter" method="get" action="/console/audit">
  <div class="field">
    <label for="user">Person</label>
    <select id="user" name="user">
      <option value="">Everyone</option>
      ${view.users.map((user) => html`<option value="${user}"${attributes({ selected: user === view.user })}>${user}</option>`)}
    </select>
  </div>
  <div class="field">
    <label for="document">Document</label>
    <select id="document" name="document">
      <option value="">Everything</option>
      ${view.documents.map((document) => html`<option value="${document}"${attributes({ selected: document === view.document })}>${document}</option>`)}
    </select>
  </div>
  <div class="field"><button type="submit">Show</button>${filtered ? html` <a href="/console/audit">Show everything</a>` : ""}</div>
</form>
<section class="card audit">
  ${view.entries.length === 0
    ? html`<p>Nothing ${filtered ? "matches these filters" : "has been recorded yet"}.</p>`
    : html`<table>
    <thead><tr><th>When</th><th>Who</th><th>What</th><th>Document</th><th class="num">Version</th><th>Message and details</th></tr></thead>
    <tbody>${view.entries.map(
      (entry) => html`<tr>
      <td class="nowrap">${when(entry.at, context.zone)}</td>
      <td>${entry.user}</td>
      <td>${ACTION_WORDS[entry.action] ?? entry.action}</td>
      <td>${documentLink(entry.document)}</td>
      <td class="num">${entry.version ?? ""}</td>
      <td>${entry.message ?? ""}${entry.detail ? html`${entry.message ? html`<br>` : ""}<span class="muted">${entry.detail}</span>` : ""}
        ${entry.diff ? html`<details><summary>Show the change</summary>${diffBlock(entry.diff)}</details>` : ""}</td>
    </tr>`,
    )}</tbody>
  </table>`}
</section>`;
  return page(context, {
    title: "Audit log",
    section: "audit",
    lede: "Who changed what, and when: publishes, rollbacks, the emergency message, requests closed by hand, accounts and refused sign-ins. Times are City time.",
    body,
  });
}
