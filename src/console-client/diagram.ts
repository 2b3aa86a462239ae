/**
 * The flow diagram: the graph the server gives (`flowGraph`, the very transitions the loader
 * checks) laid out by dagre and drawn as SVG. States are boxes styled by type; arrows carry the
 * words a supervisor reads ("press 2 or say …", "no answer"). The test phone's path lights up.
 */
import dagre from "@dagrejs/dagre";
import type { FlowGraph, FlowGraphEdge, FlowGraphNode } from "../domain/flow/graph.js";

const SVG = "http://www.w3.org/2000/svg";
/** Approximate widths of the diagram's fonts, to size boxes and labels before drawing. */
const CHAR_WIDTH = 6.6;
const SMALL_CHAR_WIDTH = 6;
const NODE_MAX_CHARS = 34;
const EDGE_MAX_CHARS = 30;

function svg<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  parent?.appendChild(element);
  return element;
}

function shortened(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function nodeLines(node: FlowGraphNode): [string, string] {
  return [node.id, shortened(node.label, NODE_MAX_CHARS)];
}

/** A drawn diagram, to light up a test call's path on. */
export interface Diagram {
  highlight(path: readonly string[]): void;
}

/** Draws `graph` into `container`, replacing what was there. */
export function drawDiagram(container: HTMLElement, graph: FlowGraph, flowName: string): Diagram {
  const layout = new dagre.graphlib.Graph({ multigraph: true });
  layout.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 46, edgesep: 12, marginx: 12, marginy: 12 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    const [title, label] = nodeLines(node);
    const width = Math.max(title.length * CHAR_WIDTH + 10, `${node.type}`.length * SMALL_CHAR_WIDTH + 10, label.length * SMALL_CHAR_WIDTH) + 20;
    layout.setNode(node.id, { width, height: 54 });
  }
  graph.edges.forEach((edge, index) => {
    const label = shortened(edge.label, EDGE_MAX_CHARS);
    layout.setEdge(edge.from, edge.to, { label, width: label.length * SMALL_CHAR_WIDTH + 6, height: 16, labelpos: "c" }, `e${index}`);
  });
  dagre.layout(layout);
  const size = layout.graph();
  const width = Math.ceil(size.width ?? 400);
  const height = Math.ceil(size.height ?? 300);

  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": `Diagram of the flow "${flowName}": ${graph.nodes.length} states` });
  const defs = svg("defs", {}, root);
  for (const kind of ["plain", "lit"]) {
    const marker = svg("marker", { id: `arrow-${kind}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
    svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: `arrowhead arrowhead-${kind}` }, marker);
  }

  const edgeElements: { edge: FlowGraphEdge; group: SVGGElement }[] = [];
  const edgeLayer = svg("g", { class: "edges" }, root);
  graph.edges.forEach((edge, index) => {
    const laid = layout.edge({ v: edge.from, w: edge.to, name: `e${index}` }) as { points: { x: number; y: number }[]; x?: number; y?: number; label: string; width: number };
    const group = svg("g", { class: `edge edge-${edge.kind}` }, edgeLayer);
    svg("title", {}, group).textContent = `${edge.from} → ${edge.to}: ${edge.label}`;
    const d = laid.points.map((point, i) => `${i === 0 ? "M" : "L"} ${point.x.toFixed(1)} ${point.y.toFixed(1)}`).join(" ");
    svg("path", { d, class: "edge-line", "marker-end": "url(#arrow-plain)" }, group);
    if (laid.x !== undefined && laid.y !== undefined) {
      svg("rect", { x: laid.x - laid.width / 2, y: laid.y - 9, width: laid.width, height: 16, rx: 3, class: "edge-label-bg" }, group);
      const text = svg("text", { x: laid.x, y: laid.y + 3, "text-anchor": "middle", class: "edge-label" }, group);
      text.textContent = laid.label;
    }
    edgeElements.push({ edge, group });
  });

  const nodeElements = new Map<string, SVGGElement>();
  const nodeLayer = svg("g", { class: "nodes" }, root);
  for (const node of graph.nodes) {
    const laid = layout.node(node.id);
    const classes = ["node", `node-${node.type}`, node.start ? "node-start" : "", node.exits ? "node-exit" : ""].filter(Boolean).join(" ");
    const group = svg("g", { class: classes, "data-state": node.id, transform: `translate(${laid.x - laid.width / 2}, ${laid.y - laid.height / 2})` }, nodeLayer);
    svg("title", {}, group).textContent = `${node.id} (${node.type}${node.start ? ", where calls start" : ""}): ${node.label}`;
    svg("rect", { width: laid.width, height: laid.height, rx: node.exits ? 14 : 4, class: "node-box" }, group);
    const [title, label] = nodeLines(node);
    const name = svg("text", { x: 10, y: 17, class: "node-name" }, group);
    name.textContent = title;
    const type = svg("text", { x: laid.width - 8, y: 17, "text-anchor": "end", class: "node-type" }, group);
    type.textContent = node.type;
    const words = svg("text", { x: 10, y: 38, class: "node-label" }, group);
    words.textContent = label;
    nodeElements.set(node.id, group);
  }

  container.replaceChildren(root);

  return {
    highlight(path) {
      const lit = new Set(path);
      const steps = new Set(path.slice(1).map((state, i) => `${path[i]}\u0000${state}`));
      for (const [id, group] of nodeElements) group.classList.toggle("lit", lit.has(id));
      for (const { edge, group } of edgeElements) {
        const on = steps.has(`${edge.from}\u0000${edge.to}`);
        group.classList.toggle("lit", on);
        group.querySelector(".edge-line")?.setAttribute("marker-end", on ? "url(#arrow-lit)" : "url(#arrow-plain)");
      }
      const last = path.at(-1);
      if (last) nodeElements.get(last)?.scrollIntoView({ block: "nearest", inline: "nearest" });
    },
  };
}
