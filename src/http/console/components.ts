/** Parts several console pages share: the document editor, its history with Roll back, the test phone, the flow diagram. */
import type { DateTime } from "luxon";
import type { DocumentVersion } from "../../domain/ports.js";
import type { FlowGraph } from "../../domain/flow/graph.js";
import { may } from "../../domain/accounts.js";
import { when, localInput } from "./format.js";
import { html, type Html } from "./html.js";
import { csrfField, type PageContext } from "./layout.js";
import type { FlowPrompt } from "../../domain/flow/prompts.js";

/** A document the console edits, as its pages name it. */
export interface EditedDocument {
  /** `flow:main`, `hours`, `oncall`: what the test phone and the changes route call it. */
  id: string;
  /** Where the API reads, checks and publishes it: `/api/flows/main`. */
  api: string;
  /** Where the console's Roll back form posts: `/console/flows/main/rollback`. */
  rollback: string;
  /** In words: `the flow "main"`, `the hours`. */
  label: string;
  /** The file it is kept in: `main.yaml`. */
  file: string;
  /** An example of a publish message for it. */
  example: string;
}

/**
 * The source editor (CodeMirror replaces the text area once the script runs), the problems list,
 * Show changes and, for supervisors, Publish with a message.
 */
export function documentEditor(context: PageContext, document: EditedDocument, live: DocumentVersion): Html {
  const editable = may(context.role, "edit");
  const slug = document.id.replace(/[^a-z0-9]+/g, "-");
  return html`<section class="card editor" data-editor data-document="${document.id}" data-api="${document.api}" data-version="${live.version}" data-can-publish="${editable ? "true" : "false"}" aria-labelledby="${slug}-editor-title">
  <h2 id="${slug}-editor-title">${editable ? "Edit" : "Read"} ${document.label}</h2>
  <p class="field-hint">Version ${live.version} is live, published by ${live.author} on ${when(live.at, context.zone)}.${editable ? " The text is checked as you type; problems show at their line, in the margin and in the list below." : " You can read it; supervisors can change it."}</p>
  <label id="${slug}-source-label" for="${slug}-source" data-source-label>${document.file}</label>
  <div class="editor-host" data-editor-host></div>
  <textarea id="${slug}-source" name="source" data-source spellcheck="false" ${editable ? "" : html`readonly`}>${live.source}</textarea>
  <div class="problems" id="${slug}-problems" data-problems aria-live="polite"></div>
  ${editable
    ? html`<div class="editor-actions">
    <button type="button" class="secondary" data-show-changes aria-expanded="false" aria-controls="${slug}-changes">Show changes</button>
  </div>
  <div class="changes" id="${slug}-changes" data-changes hidden aria-live="polite"></div>
  <form class="publish-form" data-publish>
    <div class="field">
      <label for="${slug}-message">What you changed, and why</label>
      <input id="${slug}-message" name="message" type="text" maxlength="500" required autocomplete="off" placeholder="${`e.g. ${document.example}`}">
    </div>
    <button type="submit">Publish</button>
    <p class="status" data-publish-status role="status"></p>
  </form>`
    : ""}
</section>`;
}

/** Every published version, newest first, with Roll back for supervisors (after a confirmation). */
export function historyTable(context: PageContext, document: EditedDocument, history: Omit<DocumentVersion, "source">[]): Html {
  const editable = may(context.role, "edit");
  const live = history[0]?.version;
  const rows = history.map(
    (entry) => html`<tr${entry.version === live ? html` class="current"` : ""}>
  <td class="num">${entry.version}${entry.version === live ? html` <span class="muted">(live)</span>` : ""}</td>
  <td>${entry.author}</td>
  <td class="nowrap">${when(entry.at, context.zone)}</td>
  <td>${entry.message}</td>
  ${editable
    ? html`<td>${entry.version === live
        ? ""
        : html`<form method="post" action="${document.rollback}" data-confirm="${`Roll back ${document.label} to version ${entry.version}? It is published again as a new version, at once, for every caller.`}">
      ${csrfField(context)}<input type="hidden" name="version" value="${entry.version}">
      <button type="submit" class="secondary" aria-label="${`Roll back to version ${entry.version}`}">Roll back</button>
    </form>`}</td>`
    : ""}
</tr>`,
  );
  return html`<section class="card" aria-labelledby="history-title">
  <h2 id="history-title">History</h2>
  <table>
    <thead><tr><th class="num">Version</th><th>Published by</th><th>When</th><th>Message</th>${editable ? html`<th><span class="muted">Roll back</span></th>` : ""}</tr></thead>
    <tbody>${rows}</tbody>
  </table>
</section>`;
}

/** The test phone: a moment, a caller's number, then keys or words; it tries the editor's draft when there is one that checks. */
export function testPhone(context: PageContext, document: string | undefined, now: DateTime, options: { at?: DateTime; title?: string } = {}): Html {
  const slug = (document ?? "live").replace(/[^a-z0-9]+/g, "-");
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
  return html`<section class="card test-phone" data-test-phone ${document ? html`data-document="${document}"` : ""} aria-labelledby="${slug}-phone-title">
  <h2 id="${slug}-phone-title">${options.title ?? "Test phone"}</h2>
  <p class="field-hint">Try a call before callers do. It runs the same engine, hours and emergency message as real calls, with your unpublished changes when they have no problems. It files no report and pages nobody.</p>
  <form class="inline-form" data-call>
    <div class="field">
      <label for="${slug}-phone-at">Date and time of the call</label>
      <input id="${slug}-phone-at" name="at" type="datetime-local" value="${localInput(options.at ?? now, context.zone)}" required>
      <p class="field-hint">City time (${context.zone})</p>
    </div>
    <div class="field">
      <label for="${slug}-phone-from">Caller's number</label>
      <input id="${slug}-phone-from" name="from" type="tel" value="+14035550187" required>
      <p class="field-hint">&nbsp;</p>
    </div>
    <div class="field"><button type="submit">Call</button><p class="field-hint">&nbsp;</p></div>
  </form>
  <ol class="transcript" data-transcript aria-live="polite" aria-label="What the caller hears"></ol>
  <div data-outcome aria-live="polite"></div>
  <form class="phone-reply" data-reply hidden>
    <div class="field">
      <label for="${slug}-phone-reply">Press keys or say something</label>
      <input id="${slug}-phone-reply" name="reply" type="text" autocomplete="off" placeholder="e.g. 9, or: my basement is flooding">
      <p class="field-hint">Digits are pressed as keys; anything else is spoken.</p>
    </div>
    <div class="field"><button type="submit">Send</button> <button type="button" class="secondary" data-silence>Say nothing</button></div>
    <div class="keypad" role="group" aria-label="Keypad">${keys.map((key) => html`<button type="button" class="secondary" data-key="${key}" aria-label="${`Press ${key === "*" ? "star" : key === "#" ? "pound" : key}`}">${key}</button>`)}</div>
  </form>
</section>`;
}

/** The diagram's box, drawn by the script from the graph it carries; a list in words for those who cannot see it. */
export function flowDiagram(name: string, graph: FlowGraph): Html {
  return html`<section class="card diagram-card" aria-labelledby="diagram-title">
  <h2 id="diagram-title">Diagram</h2>
  <div class="zoom-controls" data-zoom-controls role="group" aria-label="Zoom the diagram" hidden>
    <button type="button" class="secondary" data-zoom="out">Zoom out</button>
    <button type="button" class="secondary" data-zoom="in">Zoom in</button>
    <button type="button" class="secondary" data-zoom="fit">Fit to the box</button>
  </div>
  <div class="diagram" data-diagram data-flow="${name}" data-graph-url="${`/console/flows/${name}/graph`}" data-graph="${JSON.stringify(graph)}" tabindex="0" aria-label="${`Diagram of the flow ${name}; scroll to see all of it`}">
    <p class="muted">The diagram needs the console's script.</p>
  </div>
  <p class="muted" data-diagram-status aria-live="polite"></p>
  <ul class="legend" aria-label="What the colours mean">
    <li><span class="swatch node-say"></span>says something</li>
    <li><span class="swatch node-menu"></span>menu</li>
    <li><span class="swatch node-hours"></span>checks the hours</li>
    <li><span class="swatch node-announcement"></span>emergency message</li>
    <li><span class="swatch node-collect"></span>asks or records</li>
    <li><span class="swatch node-dispatch"></span>files an urgent report</li>
    <li><span class="swatch node-enqueue"></span>agent queue or transfer</li>
    <li><span class="swatch node-hangup"></span>hangs up or goes on</li>
    <li>thick border: where calls start · dashed arrow: silence or a wrong answer · orange: the test call's path</li>
  </ul>
  <details>
    <summary>The diagram in words</summary>
    <ul>${graph.nodes.map(
      (node) => html`<li><strong>${node.id}</strong> (${node.type}${node.start ? ", where calls start" : ""}): ${node.label}
        ${graph.edges.some((edge) => edge.from === node.id)
          ? html`<ul>${graph.edges.filter((edge) => edge.from === node.id).map((edge) => html`<li>${edge.label} → ${edge.to}</li>`)}</ul>`
          : ""}</li>`,
    )}</ul>
  </details>
</section>`;
}

/**
 * The words callers hear, each in a plain text box, one sentence per line: how a supervisor who
 * has never seen YAML changes the greeting. Published like any change, checked first.
 */
export function wordsForm(context: PageContext, flow: string, prompts: readonly FlowPrompt[]): Html {
  if (prompts.length === 0) return html``;
  const editable = may(context.role, "edit");
  return html`<section class="card" aria-labelledby="words-title">
  <h2 id="words-title">The words callers hear</h2>
  <p class="muted">${editable ? "Change any text below, one sentence per line, say why, and publish. The next call hears it; calls already under way finish as they started." : "What callers hear at each step of the call, one sentence per line."}</p>
  <form method="post" action="/console/flows/${flow}/words" class="words">
    ${csrfField(context)}
    ${prompts.map(
      (prompt) => html`<div class="field">
      <label for="${`words-${prompt.key}`}">${prompt.label}</label>
      <textarea id="${`words-${prompt.key}`}" name="${`w:${prompt.key}`}" rows="${Math.min(Math.max(prompt.sentences.length, 1), 8)}"${editable ? "" : html` readonly`}>${prompt.sentences.join("\n")}</textarea>
    </div>`,
    )}
    ${editable
      ? html`<div class="field">
      <label for="words-message">Why (kept in the history)</label>
      <input id="words-message" name="message" required maxlength="500" placeholder="e.g. A warmer greeting for the holidays">
    </div>
    <button type="submit">Publish these words</button>`
      : ""}
  </form>
</section>`;
}