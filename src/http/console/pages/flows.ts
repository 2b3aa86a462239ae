import type { DateTime } from "luxon";
import type { FlowGraph } from "../../../domain/flow/graph.js";
import type { DocumentVersion } from "../../../domain/ports.js";
import { documentEditor, flowDiagram, historyTable, testPhone, wordsForm, type EditedDocument } from "../components.js";
import { flowPrompts } from "../../../domain/flow/prompts.js";
import { when } from "../format.js";
import { html } from "../html.js";
import { page, type Notice, type PageContext } from "../layout.js";

export function flowsPage(context: PageContext, flows: Omit<DocumentVersion, "source">[]): string {
  const body = html`<section class="card">
  <table>
    <thead><tr><th>Flow</th><th class="num">Live version</th><th>Published by</th><th>When</th><th>Message</th></tr></thead>
    <tbody>${flows.map(
      (flow) => html`<tr>
      <td><a href="/console/flows/${flow.name}">${flow.name}</a></td>
      <td class="num">${flow.version}</td>
      <td>${flow.author}</td>
      <td class="nowrap">${when(flow.at, context.zone)}</td>
      <td>${flow.message}</td>
    </tr>`,
    )}</tbody>
  </table>
</section>`;
  return page(context, {
    title: "Call flows",
    section: "flows",
    lede: "What callers hear and where each answer leads. Open a flow to see its diagram, change its words, try it on the test phone and publish it.",
    body,
  });
}

export function flowDocument(name: string): EditedDocument {
  return { id: `flow:${name}`, api: `/api/flows/${name}`, rollback: `/console/flows/${name}/rollback`, label: `the flow “${name}”`, file: `${name}.yaml`, example: "A shorter greeting for the holidays" };
}

export interface FlowView {
  name: string;
  live: DocumentVersion;
  history: Omit<DocumentVersion, "source">[];
  graph: FlowGraph;
  now: DateTime;
  notice?: Notice | undefined;
}

export function flowPage(context: PageContext, view: FlowView): string {
  const document = flowDocument(view.name);
  const body = html`<div class="document-layout">
  <div class="diagram-column">${flowDiagram(view.name, view.graph)}</div>
  <div>
    ${documentEditor(context, document, view.live)}
    ${testPhone(context, document.id, view.now)}
  </div>
</div>
${wordsForm(context, view.name, flowPrompts(view.live.source))}
${historyTable(context, document, view.history)}`;
  return page(context, {
    title: `Call flow “${view.name}”`,
    section: "flows",
    lede: html`Version ${view.live.version}, published by ${view.live.author} on ${when(view.live.at, context.zone)}: “${view.live.message}”`,
    notice: view.notice,
    body,
  });
}
