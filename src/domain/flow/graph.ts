import type { Edge } from "./node-type.js";
import { nodeTypeOf } from "./nodes/index.js";
import type { Text } from "./nodes/common.js";
import type { Flow, FlowNode } from "./schema.js";

/**
 * What an arrow of the diagram stands for, so the console can draw each kind its own way.
 *
 * - `key`: a menu choice (pressed, or said by one of its keywords), the voicemail key on hold;
 * - `keyword`: a transition taken only by speech. The flow format has none today (every menu
 *   choice has a key, and its arrow is a `key` whose label names the words too); kept so that a
 *   console drawing every kind stays valid when one appears;
 * - `silence`: the caller said nothing, or recorded nothing (`onNoInput`, `onEmpty`);
 * - `wrong`: the caller's last try was an answer the state could not use (`onInvalid`);
 * - `fail`: the tries are used up (`onFail`), a transfer nobody answered, a queue that failed;
 * - `next`: the state is done and moves on;
 * - `branch`: the hours decide (open, closed, holiday, emergency).
 */
export type FlowEdgeKind = "key" | "keyword" | "silence" | "wrong" | "fail" | "next" | "branch";

/** One state, as a box of the diagram. */
export interface FlowGraphNode {
  id: string;
  /** The state's `type`: `menu`, `hours`, `say`, ... */
  type: FlowNode["type"];
  /** A few plain words about the state: the first words of what the caller hears, or what it does. */
  label: string;
  /** The flow's first state. */
  start: boolean;
  /** A call can end here or be handed to a person (a hangup, a queue, a transfer). */
  exits: boolean;
}

/** One transition, as a labelled arrow of the diagram. */
export interface FlowGraphEdge {
  from: string;
  to: string;
  /** In words a supervisor reads: `press 2 or say "water"`, `no answer (3 tries)`, `closed or holiday`. */
  label: string;
  kind: FlowEdgeKind;
  /** Where the transition is written in the state, as the loader's problems name it (`choices[1].next`). */
  path: string;
}

export interface FlowGraph {
  /** In the order the flow lists its states. */
  nodes: FlowGraphNode[];
  /** State by state, each state's in the order its type lists them. */
  edges: FlowGraphEdge[];
}

/** Words of a prompt a node's label keeps. */
const LABEL_WORDS = 8;
/** Keywords an arrow's label names before it says how many more there are. */
const LABEL_KEYWORDS = 2;

/**
 * A flow as a diagram: its states as nodes and its transitions as labelled edges. The
 * transitions are the ones each node type declares for the flow checks (`edges`), so the diagram
 * shows exactly the graph the loader checks. Pure; the console lays it out.
 *
 * @example flowGraph(mainFlow).edges.find((edge) => edge.from === "urgent-menu")
 *   // { from: "urgent-menu", to: "urgent-location", label: 'press 1 or say "power", "outage" (+14 more)', kind: "key", path: "choices[0].next" }
 */
export function flowGraph(flow: Flow): FlowGraph {
  const nodes: FlowGraphNode[] = [];
  const edges: FlowGraphEdge[] = [];
  for (const [id, node] of Object.entries(flow.states)) {
    const type = nodeTypeOf(node);
    nodes.push({ id, type: node.type, label: nodeLabel(node), start: id === flow.start, exits: type.exits });
    for (const edge of type.edges(node)) edges.push({ from: id, to: edge.to, path: edge.path, ...describeEdge(node, edge) });
  }
  return { nodes, edges };
}

/** A node's label: what the caller hears first, or what the state does when it says nothing. */
function nodeLabel(node: FlowNode): string {
  switch (node.type) {
    case "say":
      return firstWords(node.text) ?? "Says something";
    case "announcement":
      return "The emergency message, when one is on";
    case "hours":
      return "Checks the hours";
    case "menu":
      return firstWords(node.prompt) ?? "A menu";
    case "collect":
      return firstWords(node.prompt) ?? `Asks for ${node.into}`;
    case "record":
      return firstWords(node.prompt) ?? `Records ${node.into}`;
    case "enqueue":
      return `Holds in the queue "${node.queue}"`;
    case "dispatch":
      if (node.pageSupervisor) return "Sends the recording to the on-call supervisor";
      return node.category ? `Files the urgent report (${node.category})` : "Files the urgent report";
    case "transfer":
      return `Transfers the call to ${node.number}`;
    case "hangup":
      return firstWords(node.text) ?? "Hangs up";
    case "goto":
      return "Goes on";
  }
}

/**
 * The first words of a text's first sentence that says something of its own: a sentence that is
 * only a placeholder (`{closedReason}`, often empty) is passed over.
 */
export function firstWords(text: Text | undefined, count = LABEL_WORDS): string | undefined {
  if (text === undefined) return undefined;
  const lines = typeof text === "string" ? [text] : text;
  const line = lines.find((candidate) => candidate.replace(/\{[^}]*\}/g, "").trim().length > 0);
  if (line === undefined) return undefined;
  const words = line.trim().split(/\s+/);
  if (words.length <= count) return line.trim();
  return `${words.slice(0, count).join(" ").replace(/[,;:.]$/, "")}…`;
}

/** What a transition a node type declares means, by where it is written in the state. */
function describeEdge(node: FlowNode, edge: Edge): { label: string; kind: FlowEdgeKind } {
  const choice = /^choices\[(\d+)\]\.next$/.exec(edge.path);
  if (choice && node.type === "menu") {
    const { key, keywords } = node.choices[Number(choice[1])]!;
    return { label: choiceLabel(key, keywords), kind: "key" };
  }
  const tries = "attempts" in node ? ` (${node.attempts} ${node.attempts === 1 ? "try" : "tries"})` : "";
  switch (edge.path) {
    case "onNoInput.next":
      return { label: `no answer${tries}`, kind: "silence" };
    case "onInvalid.next":
      return { label: `wrong answer${tries}`, kind: "wrong" };
    case "onFail.next":
      return { label: `onFail${tries}`, kind: "fail" };
    case "open":
    case "closed":
    case "holiday":
    case "emergency":
      return { label: node.type === "hours" ? branchLabel(node, edge.path) : edge.path, kind: "branch" };
    case "onEmpty":
      return { label: "nothing recorded", kind: "silence" };
    case "voicemail":
      return { label: node.type === "enqueue" && node.maxWait !== undefined ? `press 1 for voicemail (after ${waitInWords(node.maxWait)} on hold)` : "voicemail", kind: "key" };
    case "onFail":
      if (node.type === "transfer") return { label: "no answer or busy", kind: "fail" };
      if (node.type === "enqueue") return { label: "queue failed", kind: "fail" };
      return { label: "onFail", kind: "fail" };
    case "next":
      return { label: nextLabel(node), kind: "next" };
    default:
      // A transition a new node type declares that this map does not know yet: its path says where it is written.
      return { label: edge.path, kind: "next" };
  }
}

function choiceLabel(key: string, keywords: readonly string[]): string {
  const pressed = `press ${key === "*" ? "star" : key === "#" ? "pound" : key}`;
  if (keywords.length === 0) return pressed;
  const named = keywords.slice(0, LABEL_KEYWORDS).map((word) => `"${word}"`).join(", ");
  const more = keywords.length > LABEL_KEYWORDS ? ` (+${keywords.length - LABEL_KEYWORDS} more)` : "";
  return `${pressed} or say ${named}${more}`;
}

/** An hours branch, with the branches left out that fall back to `closed` named on its arrow. */
function branchLabel(node: Extract<FlowNode, { type: "hours" }>, branch: "open" | "closed" | "holiday" | "emergency"): string {
  if (branch !== "closed") return branch;
  const fallingBack = (["holiday", "emergency"] as const).filter((optional) => node[optional] === undefined);
  const names = ["closed", ...fallingBack];
  return names.length === 1 ? "closed" : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

function nextLabel(node: FlowNode): string {
  switch (node.type) {
    case "collect":
      return node.confirm ? "answer confirmed" : "answer heard";
    case "record":
      return node.onEmpty ? "recorded" : "after the recording";
    case "dispatch":
      return "report filed";
    default:
      return "then";
  }
}

function waitInWords(seconds: number): string {
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
