import type { ConsoleAssets } from "../assets.js";
import { html } from "../html.js";
import { noticeBox, publicPage, type Notice } from "../layout.js";

export interface SignInView {
  /** What the person typed, kept after a refusal. */
  username?: string;
  /** Where to go once signed in (a local path). */
  next: string;
  notice?: Notice;
}

export function signInPage(assets: ConsoleAssets | undefined, view: SignInView): string {
  return publicPage(
    assets,
    "Sign in",
    html`<h1>Civic Line 311 console</h1>
<p class="muted">Sign in with your own account to change what callers hear, the hours, the on-call rosters and the emergency message.</p>
${noticeBox(view.notice)}
<form method="post" action="/console/sign-in">
  <input type="hidden" name="next" value="${view.next}">
  <div class="field">
    <label for="username">Username</label>
    <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${view.username ?? ""}" ${view.username ? "" : html`autofocus`}>
  </div>
  <div class="field">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required ${view.username ? html`autofocus` : ""}>
  </div>
  <button type="submit">Sign in</button>
</form>
<p class="field-hint">No account, or forgot your password? Ask an admin of the console: they can add you or set a new password (npm run users).</p>`,
  );
}
