/**
 * The console's one script: it finds the parts of the page the server marked (`data-editor`,
 * `data-diagram`, `data-test-phone`, …) and brings them to life. Every page works for reading
 * without it; editing, checking and trying need it.
 */
import type { FlowGraph } from "../domain/flow/graph.js";
import { request } from "./api.js";
import { mountChart } from "./charts.js";
import { drawDiagram, type Diagram } from "./diagram.js";
import { DRAFT_EVENT, mountEditor } from "./editor.js";
import { adoptEditorStyles } from "./editor-styles.js";
import { mountEmergencyForm } from "./emergency.js";
import { PATH_EVENT, mountTestPhone } from "./test-phone.js";

function mountDiagram(container: HTMLElement): void {
  const flow = container.dataset["flow"]!;
  const documentName = `flow:${flow}`;
  const status = container.parentElement?.querySelector<HTMLElement>("[data-diagram-status]");
  let diagram: Diagram | undefined;
  let path: readonly string[] = [];
  let scale: number | "fit" | "readable" = "readable";
  const draw = (graph: FlowGraph) => {
    diagram = drawDiagram(container, graph, flow);
    diagram.zoom(scale);
    diagram.highlight(path);
  };
  const controls = container.parentElement?.querySelector<HTMLElement>("[data-zoom-controls]");
  if (controls) controls.hidden = false;
  for (const button of controls?.querySelectorAll<HTMLButtonElement>("button[data-zoom]") ?? []) {
    button.addEventListener("click", () => {
      if (!diagram) return;
      const asked = button.dataset["zoom"];
      scale = asked === "fit" ? "fit" : diagram.scale * (asked === "in" ? 1.25 : 0.8);
      diagram.zoom(scale);
    });
  }
  draw(JSON.parse(container.dataset["graph"]!) as FlowGraph);
  let drawn = "";
  document.addEventListener(DRAFT_EVENT, (event) => {
    const { document: changed, source, ok } = (event as CustomEvent<{ document: string; source: string; ok: boolean }>).detail;
    if (changed !== documentName || source === drawn) return;
    if (!ok) {
      if (status) status.textContent = "The diagram shows the last version without problems.";
      return;
    }
    drawn = source;
    request<{ graph: FlowGraph }>("POST", container.dataset["graphUrl"]!, { source })
      .then(({ graph }) => {
        draw(graph);
        if (status) status.textContent = "";
      })
      .catch(() => undefined);
  });
  document.addEventListener(PATH_EVENT, (event) => {
    const detail = (event as CustomEvent<{ document?: string; path: string[] }>).detail;
    if (detail.document !== documentName) return;
    path = detail.path;
    diagram?.highlight(path);
  });
}

function mountConfirmations(): void {
  for (const form of document.querySelectorAll<HTMLFormElement>("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset["confirm"]!)) event.preventDefault();
    });
  }
}

function start(): void {
  adoptEditorStyles();
  for (const section of document.querySelectorAll<HTMLElement>("[data-editor]")) mountEditor(section);
  for (const container of document.querySelectorAll<HTMLElement>("[data-diagram]")) mountDiagram(container);
  for (const section of document.querySelectorAll<HTMLElement>("[data-test-phone]")) mountTestPhone(section);
  for (const form of document.querySelectorAll<HTMLFormElement>("form[data-emergency]")) mountEmergencyForm(form);
  for (const box of document.querySelectorAll<HTMLElement>("[data-chart]")) mountChart(box);
  mountConfirmations();
  document.documentElement.classList.add("scripted");
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
