import type { AccountSummary } from "../../../accounts/accounts.js";
import { ROLES } from "../../../domain/accounts.js";
import { when } from "../format.js";
import { attributes, html } from "../html.js";
import { csrfField, page, type Notice, type PageContext } from "../layout.js";

export interface UsersView {
  accounts: AccountSummary[];
  notice?: Notice | undefined;
  /** What was typed in the add form, kept after a refusal (never the password). */
  typed?: { username: string; role: string };
}

const ROLE_WORDS: Record<(typeof ROLES)[number], string> = {
  viewer: "viewer: reads everything",
  supervisor: "supervisor: also edits, publishes and sets the emergency message",
  admin: "admin: also manages accounts",
};

export function usersPage(context: PageContext, view: UsersView): string {
  const typedRole = view.typed?.role ?? "supervisor";
  const body = html`<section class="card" aria-labelledby="accounts-title">
  <h2 id="accounts-title">Accounts</h2>
  <table>
    <thead><tr><th>Username</th><th>Role</th><th class="num">API tokens</th><th>Since</th><th><span class="muted">Remove</span></th></tr></thead>
    <tbody>${view.accounts.map(
      (account) => html`<tr>
      <td>${account.username}${account.username === context.username ? html` <span class="muted">(you)</span>` : ""}</td>
      <td>${account.role}</td>
      <td class="num">${account.tokens}</td>
      <td class="nowrap">${when(account.createdAt, context.zone)}</td>
      <td><form method="post" action="/console/users/remove" data-confirm="${`Remove the account “${account.username}”? They are signed out at once and their API tokens stop working.`}">
        ${csrfField(context)}<input type="hidden" name="username" value="${account.username}">
        <button type="submit" class="danger" aria-label="${`Remove ${account.username}`}">Remove</button>
      </form></td>
    </tr>`,
    )}</tbody>
  </table>
</section>
<section class="card" aria-labelledby="add-title">
  <h2 id="add-title">Add an account</h2>
  <form method="post" action="/console/users">
    ${csrfField(context)}
    <div class="field">
      <label for="new-username">Username</label>
      <input id="new-username" name="username" type="text" required autocomplete="off" autocapitalize="none" spellcheck="false" value="${view.typed?.username ?? ""}">
      <p class="field-hint">Lower-case letters, digits, dots, dashes or underscores.</p>
    </div>
    <fieldset>
      <legend>Role</legend>
      ${ROLES.map((role) => html`<label class="choice"><input type="radio" name="role" value="${role}"${attributes({ checked: role === typedRole })}><span>${ROLE_WORDS[role]}</span></label>`)}
    </fieldset>
    <div class="field">
      <label for="new-password">Password</label>
      <input id="new-password" name="password" type="password" required minlength="12" autocomplete="new-password">
      <p class="field-hint">At least 12 characters. Give it to the person in person or by phone, never by email.</p>
    </div>
    <button type="submit">Add account</button>
  </form>
</section>`;
  return page(context, { title: "Accounts", section: "users", lede: "Who may use the console and the API. Only admins see this page.", notice: view.notice, body });
}
