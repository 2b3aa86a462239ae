/**
 * The flow diagram: the graph the server gives (`flowGraph`, the very transitions the loader
 * checks) laid out by dagre and drawn as SVG. States are boxes styled by type; arrows carry the
 * words a supervisor reads ("press 2 or say …", "no answer"). The test phone's path lights up.
 */
import dagre from "@dagrejs/dagre";
import type { FlowGraph, FlowGraphEdge, FlowGraphNode } from "../domain/flow/graph.js";

const SVG = "http://www.w3.org/2000/svg";
/** The diagram's fonts, as console.css sets them, to size boxes and labels before drawing. */
const FONTS = {
  name: "600 12px system-ui, sans-serif",
  type: "10.5px system-ui, sans-serif",
  label: "11px system-ui, sans-serif",
  edge: "10.5px system-ui, sans-serif",
};
let measuring: CanvasRenderingContext2D | null | undefined;

/** How wide `text` is drawn in `font`; an estimate when the browser cannot say. */
function textWidth(text: string, font: string): number {
  measuring ??= document.createElement("canvas").getContext("2d");
  if (!measuring) return text.length * 7;
  measuring.font = font;
  return measuring.measureText(text).width;
}
const NODE_MAX_CHARS = 34;
const EDGE_MAX_CHARS = 24;

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

const observers = new WeakMap<HTMLElement, ResizeObserver>();

/** A drawn diagram, to light up a test call's path on and zoom. */
export interface Diagram {
  highlight(path: readonly string[]): void;
  /** Sets the scale (1 is the natural size); "fit" fits the box's width. Returns the scale now used. */
  zoom(scale: number | "fit" | "readable"): number;
  readonly scale: number;
}

/** Smaller than this, the words of the diagram are hard to read: a diagram first shown scrolls instead of shrinking further. */
const READABLE_SCALE = 0.8;

/** Draws `graph` into `container`, replacing what was there. */
export function drawDiagram(container: HTMLElement, graph: FlowGraph, flowName: string): Diagram {
  const layout = new dagre.graphlib.Graph({ multigraph: true });
  layout.setGraph({ rankdir: "TB", nodesep: 20, ranksep: 42, edgesep: 10, marginx: 12, marginy: 12 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    const [title, label] = nodeLines(node);
    // The name and the type share the first line; the words have the second.
    // The type is drawn in capitals (text-transform), with a little letter spacing.
    const typeWidth = textWidth(node.type.toUpperCase(), FONTS.type) + node.type.length * 0.5;
    const width = Math.ceil(Math.max(textWidth(title, FONTS.name) + typeWidth + 30, textWidth(label, FONTS.label) + 22));
    layout.setNode(node.id, { width, height: 54 });
  }
  graph.edges.forEach((edge, index) => {
    const label = shortened(edge.label, EDGE_MAX_CHARS);
    layout.setEdge(edge.from, edge.to, { label, width: Math.ceil(textWidth(label, FONTS.edge)) + 8, height: 16, labelpos: "c" }, `e${index}`);
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

  let scale = 1;
  const zoom = (asked: number | "fit" | "readable") => {
    const fit = Math.min(1, (container.clientWidth - 4) / width);
    scale = asked === "fit" ? Math.max(0.15, fit) : asked === "readable" ? Math.max(READABLE_SCALE, fit) : Math.min(2, Math.max(0.15, asked));
    root.setAttribute("width", String(Math.round(width * scale)));
    root.setAttribute("height", String(Math.round(height * scale)));
    return scale;
  };
  /** Scrolls the box (never the page) so that the state is in view. */
  const reveal = (id: string) => {
    const laid = layout.node(id);
    if (!laid) return;
    const x = laid.x * scale;
    const y = laid.y * scale;
    const halfWidth = (laid.width / 2) * scale + 8;
    const halfHeight = (laid.height / 2) * scale + 8;
    const inView =
      x - halfWidth >= container.scrollLeft &&
      x + halfWidth <= container.scrollLeft + container.clientWidth &&
      y - halfHeight >= container.scrollTop &&
      y + halfHeight <= container.scrollTop + container.clientHeight;
    if (!inView) container.scrollTo({ left: x - container.clientWidth / 2, top: y - container.clientHeight / 3 });
  };
  zoom("readable");
  // What the box keeps in view: where calls start, then the end of the test call's path; again
  // after the box changes size (a window resized), which can reset its scrolling.
  let focus = graph.nodes.find((node) => node.start)?.id;
  if (focus) reveal(focus);
  observers.get(container)?.disconnect();
  const observer = new ResizeObserver(() => {
    if (focus) reveal(focus);
  });
  observer.observe(container);
  observers.set(container, observer);

  return {
    get scale() {
      return scale;
    },
    zoom,
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
      if (last) {
        focus = last;
        reveal(last);
      }
    },
  };
}
