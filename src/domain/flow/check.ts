import { didYouMean, formatPath, type Problem } from "../validation.js";
import { nodeTypeOf } from "./nodes/index.js";
import type { FlowDocument } from "./schema.js";
import { templateFormatters, templatePlaceholders } from "./text.js";

/** Values the line itself provides to prompts (the hours state, the dispatch, the hold loop). */
const PROVIDED_VALUES = ["hoursSummary", "closedReason", "holiday", "opensAt", "reference", "position"];

/**
 * The checks zod cannot make because they look at the flow as a graph: every transition leads
 * to a state that exists, every state can be reached, every state has a way out (a hang-up, a
 * queue, a transfer), and nothing goes round without waiting for the caller.
 */
export function checkFlowGraph(file: string, flow: FlowDocument): Problem[] {
  const ids = Object.keys(flow.states);
  const problems: Problem[] = [];
  const unknown = (path: string, to: string): Problem => {
    const guess = didYouMean(to, ids);
    return {
      file,
      path,
      message: `unknown state "${to}"`,
      hint: guess ? `did you mean "${guess}"?` : `known states: ${ids.join(", ")}`,
    };
  };

  if (!flow.states[flow.start]) problems.push(unknown("start", flow.start));

  const edges = new Map<string, string[]>();
  for (const [id, node] of Object.entries(flow.states)) {
    const targets: string[] = [];
    for (const edge of nodeTypeOf(node).edges(node)) {
      if (flow.states[edge.to]) targets.push(edge.to);
      else problems.push(unknown(`states.${id}.${edge.path}`, edge.to));
    }
    edges.set(id, targets);
  }
  if (problems.length > 0) return problems;

  const reachable = reach([flow.start], (id) => edges.get(id) ?? []);
  for (const id of ids) {
    if (!reachable.has(id)) {
      problems.push({
        file,
        path: `states.${id}`,
        message: "no transition leads here",
        hint: "point a transition at it, or remove it",
        severity: "warning",
      });
    }
  }

  const incoming = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [from, targets] of edges) for (const to of targets) incoming.get(to)!.push(from);
  const exits = ids.filter((id) => nodeTypeOf(flow.states[id]!).exits);
  const canLeave = reach(exits, (id) => incoming.get(id) ?? []);
  for (const id of ids) {
    if (reachable.has(id) && !canLeave.has(id)) {
      problems.push({
        file,
        path: `states.${id}`,
        message: "no way out: every path from here comes back without reaching a hangup, an enqueue or a transfer",
        hint: "send onFail (or another transition) to a state that ends the call or hands it to a person",
      });
    }
  }

  problems.push(...checkTemplates(file, flow), ...checkFiledReports(file, flow));

  const loop = findLoopWithoutWaiting(flow, edges);
  if (loop) {
    problems.push({
      file,
      path: `states.${loop[0]}`,
      message: `these states go round without waiting for the caller: ${loop.join(" > ")}`,
      hint: "put a menu, collect or record in the loop, or send one of them elsewhere",
    });
  }
  return problems;
}

/** `fileReport` names the dispatch state whose report is filed early; anything else is a mistake. */
function checkFiledReports(file: string, flow: FlowDocument): Problem[] {
  const dispatches = Object.keys(flow.states).filter((id) => flow.states[id]!.type === "dispatch");
  return Object.entries(flow.states).flatMap(([id, node]): Problem[] => {
    if (!("fileReport" in node) || node.fileReport === undefined || flow.states[node.fileReport]?.type === "dispatch") return [];
    const guess = didYouMean(node.fileReport, dispatches);
    return [
      {
        file,
        path: `states.${id}.fileReport`,
        message: `"${node.fileReport}" is not a dispatch state`,
        hint: guess ? `did you mean "${guess}"?` : dispatches.length ? `dispatch states: ${dispatches.join(", ")}` : "add a dispatch state for the report",
      },
    ];
  });
}

function reach(from: string[], next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>(from);
  const queue = [...from];
  while (queue.length > 0) {
    for (const to of next(queue.shift()!)) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** A cycle among states that move on by themselves (say, goto, hours...), if there is one. */
function findLoopWithoutWaiting(flow: FlowDocument, edges: Map<string, string[]>): string[] | undefined {
  const passThrough = (id: string) => !nodeTypeOf(flow.states[id]!).waits;
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, "open");
    trail.push(id);
    for (const to of edges.get(id) ?? []) {
      if (!passThrough(to)) continue;
      if (state.get(to) === "open") return [...trail.slice(trail.indexOf(to)), to];
      if (!state.has(to)) {
        const found = visit(to);
        if (found) return found;
      }
    }
    trail.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const id of Object.keys(flow.states)) {
    if (passThrough(id) && !state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Every `{name}` and `{name|format}` in the flow's texts names a value something provides and a
 * formatter that exists; a typo would otherwise be read to callers as nothing.
 */
function checkTemplates(file: string, flow: FlowDocument): Problem[] {
  const known = new Set(PROVIDED_VALUES);
  for (const node of Object.values(flow.states)) {
    if ("into" in node) known.add(node.into);
    if (node.type === "collect" && node.confirm) known.add(`${node.into}Confirmed`);
    if (node.type === "collect" && node.keepUnsure) known.add(node.keepUnsure);
    if (node.type === "menu") for (const choice of node.choices) for (const name of Object.keys(choice.set ?? {})) known.add(name);
  }
  const problems: Problem[] = [];
  const visit = (value: unknown, path: PropertyKey[]) => {
    if (typeof value === "string") {
      for (const { name, format } of templatePlaceholders(value)) {
        if (!known.has(name)) {
          const guess = didYouMean(name, known);
          problems.push({
            file,
            path: formatPath(path),
            message: `unknown value {${name}}`,
            hint: guess ? `did you mean {${guess}}?` : `known values: ${[...known].join(", ")}`,
          });
        }
        if (format !== undefined && !templateFormatters.includes(format)) {
          const guess = didYouMean(format, templateFormatters);
          problems.push({
            file,
            path: formatPath(path),
            message: `unknown format "|${format}" in {${name}|${format}}`,
            hint: guess ? `did you mean "|${guess}"?` : `formats: ${templateFormatters.join(", ")}`,
          });
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, index]));
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
    }
  };
  for (const [id, node] of Object.entries(flow.states)) visit(node, ["states", id]);
  return problems;
}
