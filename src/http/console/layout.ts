/** The frame of every console page: the header with the navigation and the Sign out button, and the page's content. */
import type { Role } from "../../domain/accounts.js";
import type { ConsoleAssets } from "./assets.js";
import { html, type Html, type HtmlValue } from "./html.js";

/** Who is looking at a page, and what it links to. */
export interface PageContext {
  username: string;
  role: Role;
  csrfToken: string;
  assets: ConsoleAssets | undefined;
  /** The City's zone, in which every date and time is shown. */
  zone: string;
}

/** A message at the top of a page: what just happened, or what went wrong and what to do. */
export interface Notice {
  kind: "ok" | "error" | "warn";
  text: HtmlValue;
}

export type Section = "overview" | "callbacks" | "reports" | "flows" | "hours" | "emergency" | "oncall" | "departments" | "audit" | "users";

const NAV: { section: Section; href: string; label: string; admin?: boolean }[] = [
  { section: "overview", href: "/console", label: "Overview" },
  { section: "callbacks", href: "/console/callbacks", label: "Callbacks" },
  { section: "reports", href: "/console/reports", label: "Reports" },
  { section: "flows", href: "/console/flows", label: "Call flows" },
  { section: "hours", href: "/console/hours", label: "Hours" },
  { section: "emergency", href: "/console/emergency", label: "Emergency message" },
  { section: "oncall", href: "/console/oncall", label: "On call" },
  { section: "departments", href: "/console/departments", label: "Departments" },
  { section: "audit", href: "/console/audit", label: "Audit log" },
  { section: "users", href: "/console/users", label: "Accounts", admin: true },
];

function head(title: string, assets: ConsoleAssets | undefined, csrfToken?: string): Html {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} · Civic Line 311 console</title>
${assets ? html`<link rel="stylesheet" href="/console/assets/${assets.style}">
<script type="module" src="/console/assets/${assets.script}"></script>` : ""}
${csrfToken ? html`<meta name="csrf-token" content="${csrfToken}">` : ""}
</head>`;
}

/** The hidden field that carries the session's CSRF token in a console form. */
export function csrfField(context: Pick<PageContext, "csrfToken">): Html {
  return html`<input type="hidden" name="_csrf" value="${context.csrfToken}">`;
}

export function noticeBox(notice: Notice | undefined): Html {
  if (!notice) return html``;
  return html`<div class="notice ${notice.kind}" role="${notice.kind === "error" ? "alert" : "status"}">${notice.text}</div>`;
}

/** A whole page for someone signed in. */
export function page(
  context: PageContext,
  options: { title: string; section: Section; lede?: HtmlValue; notice?: Notice | undefined; body: HtmlValue },
): string {
  const links = NAV.filter((item) => !item.admin || context.role === "admin").map(
    (item) => html`<li><a href="${item.href}"${item.section === options.section ? html` aria-current="page"` : ""}>${item.label}</a></li>`,
  );
  return `<!doctype html>
${html`<html lang="en">
${head(options.title, context.assets, context.csrfToken)}
<body data-role="${context.role}">
<a class="skip" href="#main">Skip to the page's content</a>
<header class="top">
  <a class="brand" href="/console">Civic Line 311</a>
  <nav aria-label="Console"><ul>${links}</ul></nav>
  <div class="who">
    <span>Signed in as <strong>${context.username}</strong> (${context.role})</span>
    <form method="post" action="/console/sign-out">${csrfField(context)}<button type="submit">Sign out</button></form>
  </div>
</header>
<main id="main">
<h1>${options.title}</h1>
${options.lede ? html`<p class="lede">${options.lede}</p>` : ""}
${noticeBox(options.notice)}
${options.body}
</main>
</body>
</html>`}`;
}

/** A page for someone not signed in (the sign-in page). */
export function publicPage(assets: ConsoleAssets | undefined, title: string, body: HtmlValue): string {
  return `<!doctype html>
${html`<html lang="en">
${head(title, assets)}
<body>
<main id="main" class="sign-in card">
${body}
</main>
</body>
</html>`}`;
}
