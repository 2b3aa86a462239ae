/**
 * The diagram of a flow the console draws: its states as boxes, its transitions as arrows
 * labelled in words a supervisor reads.
 */
import { describe, expect, it } from "vitest";
import { flowGraph, type FlowGraph, type FlowGraphEdge } from "../../../src/domain/flow/graph.js";
import { flowFrom, mainFlow } from "../../helpers/flow.js";

function edgesFrom(graph: FlowGraph, from: string): Omit<FlowGraphEdge, "from">[] {
  return graph.edges.filter((edge) => edge.from === from).map(({ from: _from, ...rest }) => rest);
}

function node(graph: FlowGraph, id: string) {
  const found = graph.nodes.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

describe("the diagram of a flow", () => {
  describe("of the City's flow", () => {
    const flow = mainFlow();
    const graph = flowGraph(flow);

    it("has a box for every state, in the order the flow lists them", () => {
      expect(graph.nodes.map((box) => box.id)).toEqual(Object.keys(flow.states));
    });

    it("marks the greeting as where every call starts, and no other state", () => {
      expect(graph.nodes.filter((box) => box.start).map((box) => box.id)).toEqual(["greeting"]);
    });

    it("marks the queues and the hang-ups as ways out, and the menus not", () => {
      expect(node(graph, "queue-general").exits).toBe(true);
      expect(node(graph, "goodbye").exits).toBe(true);
      expect(node(graph, "day-menu").exits).toBe(false);
    });

    it("labels a spoken state with the first words of what the caller hears", () => {
      expect(node(graph, "greeting").label).toBe("Thank you for calling the City of Lethbridge…");
    });

    it("passes over a sentence that is only a placeholder", () => {
      expect(node(graph, "after-hours").label).toBe("Our contact centre is open {hoursSummary}. You have…");
    });

    it("labels a state that says nothing by what it does", () => {
      expect(node(graph, "check-hours")).toMatchObject({ type: "hours", label: "Checks the hours" });
      expect(node(graph, "queue-billing").label).toBe('Holds in the queue "utility-billing"');
      expect(node(graph, "urgent-supervisor-dispatch").label).toBe("Sends the recording to the on-call supervisor");
    });

    it("names each hours branch, with holiday on the closed arrow when the flow has no holiday branch", () => {
      expect(edgesFrom(graph, "check-hours")).toEqual([
        { to: "day-menu", label: "open", kind: "branch", path: "open" },
        { to: "after-hours", label: "closed or holiday", kind: "branch", path: "closed" },
        { to: "line-closed", label: "emergency", kind: "branch", path: "emergency" },
      ]);
    });

    it("labels a menu choice with its key and its first keywords", () => {
      expect(edgesFrom(graph, "urgent-menu")[1]).toEqual({
        to: "urgent-location",
        label: 'press 2 or say "water", "watermain" (+19 more)',
        kind: "key",
        path: "choices[1].next",
      });
    });

    it("labels a menu's way out when its tries are used up", () => {
      expect(edgesFrom(graph, "urgent-menu").at(-1)).toEqual({ to: "urgent-menu-again", label: "onFail (3 tries)", kind: "fail", path: "onFail.next" });
    });

    it("tells an answer confirmed from the collect's way out", () => {
      expect(edgesFrom(graph, "urgent-location")).toEqual([
        { to: "urgent-callback", label: "answer confirmed", kind: "next", path: "next" },
        { to: "urgent-location-recording", label: "onFail (2 tries)", kind: "fail", path: "onFail.next" },
      ]);
    });

    it("labels an empty recording as silence", () => {
      expect(edgesFrom(graph, "voicemail")).toEqual([
        { to: "voicemail-thanks", label: "recorded", kind: "next", path: "next" },
        { to: "goodbye", label: "nothing recorded", kind: "silence", path: "onEmpty" },
      ]);
    });

    it("labels a queue's voicemail offer as the key the caller presses, and its failure", () => {
      expect(edgesFrom(graph, "queue-general")).toEqual([
        { to: "voicemail", label: "queue failed", kind: "fail", path: "onFail" },
        { to: "voicemail", label: "press 1 for voicemail (after 5 min on hold)", kind: "key", path: "voicemail" },
      ]);
    });

    it("labels a filed report's way on", () => {
      expect(edgesFrom(graph, "urgent-dispatch")).toEqual([{ to: "urgent-reference", label: "report filed", kind: "next", path: "next" }]);
    });

    it("has an arrow for every transition the flow checks follow, and no other", () => {
      const checked = Object.entries(flow.states).reduce((count, [, state]) => count + countTransitions(state), 0);
      expect(graph.edges).toHaveLength(checked);
    });

    it("has no arrow to a state the flow does not have", () => {
      const ids = new Set(graph.nodes.map((box) => box.id));
      expect(graph.edges.filter((edge) => !ids.has(edge.to))).toEqual([]);
    });
  });

  describe("of a menu whose last failure decides where the caller goes", () => {
    const graph = flowGraph(
      flowFrom(`
start: menu
fallbackQueue: general
states:
  menu:
    type: menu
    prompt: Press 1 for billing, or star to hear this again.
    choices:
      - { key: "1", next: billing }
      - { key: "#", next: menu }
    attempts: 2
    onNoInput: { next: agent }
    onInvalid: { say: Let's try the recording., next: record }
    onFail: { next: bye }
  billing:
    type: transfer
    number: "+14035550100"
    onFail: agent
  agent:
    type: enqueue
    queue: general
    onFail: bye
  record:
    type: record
    into: message
    prompt: Leave a message.
    next: bye
  bye:
    type: hangup
`),
    );

    it("labels a key without keywords with the key alone, and pound by name", () => {
      expect(edgesFrom(graph, "menu").slice(0, 2).map((edge) => edge.label)).toEqual(["press 1", "press pound"]);
    });

    it("tells silence from a wrong answer and from the tries used up", () => {
      expect(edgesFrom(graph, "menu").slice(2)).toEqual([
        { to: "bye", label: "onFail (2 tries)", kind: "fail", path: "onFail.next" },
        { to: "agent", label: "no answer (2 tries)", kind: "silence", path: "onNoInput.next" },
        { to: "record", label: "wrong answer (2 tries)", kind: "wrong", path: "onInvalid.next" },
      ]);
    });

    it("labels a transfer nobody answers", () => {
      expect(edgesFrom(graph, "billing")).toEqual([{ to: "agent", label: "no answer or busy", kind: "fail", path: "onFail" }]);
    });

    it("labels a recording with no way for an empty one by its only way on", () => {
      expect(edgesFrom(graph, "record")).toEqual([{ to: "bye", label: "after the recording", kind: "next", path: "next" }]);
    });

    it("labels a transfer by its number and a silent hang-up by what it does", () => {
      expect(node(graph, "billing").label).toBe("Transfers the call to +14035550100");
      expect(node(graph, "bye").label).toBe("Hangs up");
    });
  });

  describe("of an hours state with neither a holiday nor an emergency branch", () => {
    const graph = flowGraph(
      flowFrom(`
start: check
fallbackQueue: general
states:
  check: { type: hours, open: open, closed: closed }
  open: { type: hangup, text: Open. }
  closed: { type: hangup, text: Closed. }
`),
    );

    it("names both on the closed arrow", () => {
      expect(edgesFrom(graph, "check").map((edge) => edge.label)).toEqual(["open", "closed, holiday or emergency"]);
    });
  });
});

/** The transitions a state writes, counted from its fields (independently of the node types' `edges`). */
function countTransitions(state: ReturnType<typeof mainFlow>["states"][string]): number {
  const fields = ["next", "onEmpty", "voicemail", "open", "closed", "holiday", "emergency"].filter((field) => typeof (state as Record<string, unknown>)[field] === "string").length;
  const routes = ["onFail", "onNoInput", "onInvalid"].filter((field) => (state as Record<string, unknown>)[field] !== undefined).length;
  const choices = state.type === "menu" ? state.choices.length : 0;
  return fields + routes + choices;
}
