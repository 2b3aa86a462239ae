/**
 * The plain-words summary of a change, as the console shows it beside the text diff and the
 * audit log keeps it: for call flows state by state, for hours and rosters path by path.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { summarizeDocumentChange, summarizeFlowChange } from "../../../src/domain/flow/diff-summary.js";
import { flowFrom } from "../../helpers/flow.js";
import { waterRosterYaml } from "../../fixtures/oncall/load.js";

const MAIN_YAML = readFileSync("flows/main.yaml", "utf8");
const HOURS_YAML = readFileSync("flows/hours.yaml", "utf8");

/** The City's flow with one edit made to its YAML text, as a supervisor makes it in the editor. */
function mainWith(edit: (yamlText: string) => string) {
  const edited = edit(MAIN_YAML);
  if (edited === MAIN_YAML) throw new Error("the edit changed nothing");
  return flowFrom(edited, "main");
}

const main = flowFrom(MAIN_YAML, "main");

/** The data of a YAML text, as the document store's versions give it. */
function data(yamlText: string): unknown {
  return parseDocument(yamlText).toJS();
}

const SMALL = `
start: menu
fallbackQueue: general
states:
  menu:
    type: menu
    prompt: Press 1 for billing.
    choices:
      - { key: "1", keywords: [billing, bill], next: billing }
    onFail: { next: bye }
  billing:
    type: enqueue
    queue: utility-billing
    onFail: bye
  bye:
    type: hangup
    text: Goodbye.
`;

describe("the summary of a change to a call flow", () => {
  describe("when nothing changed", () => {
    it("is empty", () => {
      expect(summarizeFlowChange(main, flowFrom(MAIN_YAML, "main"))).toEqual([]);
    });
  });

  describe("when the greeting's words change", () => {
    const after = mainWith((text) => text.replace("Thank you for calling the City of Lethbridge, 3 1 1.", "Welcome to Lethbridge 3 1 1."));

    it("says the greeting's words changed, with the old and the new words", () => {
      expect(summarizeFlowChange(main, after)).toEqual([
        {
          kind: "changed",
          state: "greeting",
          text: 'The words of "greeting" changed',
          before: "Thank you for calling the City of Lethbridge, 3 1 1.",
          after: "Welcome to Lethbridge 3 1 1.",
        },
      ]);
    });
  });

  describe("when a menu's prompt of several sentences changes one of them", () => {
    const after = mainWith((text) => text.replace("For bylaw and parking, press 4, or say parking.", "For bylaw, parking and animals, press 4."));
    const [change] = summarizeFlowChange(main, after);

    it("names the prompt of the menu", () => {
      expect(change).toMatchObject({ kind: "changed", state: "day-menu", text: 'The prompt of "day-menu" changed' });
    });

    it("gives the whole prompt before and after, as the caller hears it", () => {
      expect(change?.after).toContain("For bylaw, parking and animals, press 4. For an urgent problem");
      expect(change?.before).toContain("For bylaw and parking, press 4, or say parking. For an urgent problem");
    });
  });

  describe("when a default is written out", () => {
    const after = mainWith((text) => text.replace("  day-menu:\n    type: menu\n", "  day-menu:\n    type: menu\n    timeout: 5\n"));

    it("sees no change", () => {
      expect(summarizeFlowChange(main, after)).toEqual([]);
    });
  });

  describe("when a menu gains, loses and retargets choices", () => {
    const before = flowFrom(SMALL);
    const after = flowFrom(
      SMALL.replace('      - { key: "1", keywords: [billing, bill], next: billing }', '      - { key: "1", keywords: [billing, payment], next: bye }\n      - { key: "2", next: billing }'),
    );
    const changes = summarizeFlowChange(before, after);

    it("says where a kept key goes now", () => {
      expect(changes).toContainEqual({ kind: "changed", state: "menu", text: '"menu": key 1 now goes to "bye" instead of "billing"', before: "billing", after: "bye" });
    });

    it("says which words a kept key hears now and no longer", () => {
      expect(changes).toContainEqual({
        kind: "changed",
        state: "menu",
        text: '"menu": key 1 now also hears "payment"; no longer hears "bill"',
        before: "billing, bill",
        after: "billing, payment",
      });
    });

    it("says a new key was added and where it goes", () => {
      expect(changes).toContainEqual({ kind: "added", state: "menu", text: '"menu": new choice key 2 goes to "billing"', after: "key 2 -> billing" });
    });

    it("says a key was removed", () => {
      const fewer = flowFrom(SMALL.replace("choices:\n", 'choices:\n      - { key: "0", next: bye }\n'));
      expect(summarizeFlowChange(fewer, before)).toEqual([{ kind: "removed", state: "menu", text: '"menu": the choice key 0 removed (it went to "bye")', before: "key 0 -> bye" }]);
    });
  });

  describe("when a choice heard by speech stops being confirmed", () => {
    const after = mainWith((text) => text.replace("        confirm: A power outage or electrical problem, is that right? Say yes or press 1. If not, say no or press 2.\n", ""));
    const changes = summarizeFlowChange(main, after);

    it("says so once for each menu that shares the choices", () => {
      expect(changes.map((change) => [change.kind, change.text])).toEqual([
        ["removed", 'The read-back of key 1 in "urgent-menu" removed'],
        ["removed", 'The read-back of key 1 in "urgent-menu-again" removed'],
      ]);
    });
  });

  describe("when the hours state gains a holiday branch", () => {
    const after = mainWith((text) =>
      text
        .replace("    closed: after-hours\n    emergency: line-closed", "    closed: after-hours\n    holiday: holiday-message\n    emergency: line-closed")
        .replace("  line-closed:\n", "  holiday-message:\n    type: say\n    text: Happy {holiday}.\n    next: after-hours\n\n  line-closed:\n"),
    );
    const changes = summarizeFlowChange(main, after);

    it("says the new state was added, with its words", () => {
      expect(changes).toContainEqual({ kind: "added", state: "holiday-message", text: 'State "holiday-message" (say) added', after: "Happy {holiday}." });
    });

    it("says where holiday calls go now", () => {
      expect(changes).toContainEqual({ kind: "added", state: "check-hours", text: '"check-hours" now sends calls on a holiday to "holiday-message"', after: "holiday-message" });
    });
  });

  describe("when a state is removed and its callers sent elsewhere", () => {
    const after = mainWith((text) => text.replace("    next: safety\n", "    next: emergency-message\n").replace(/  safety:\n.*\n.*\n.*\n\n/, ""));
    const changes = summarizeFlowChange(main, after);

    it("says the state was removed, with its words", () => {
      expect(changes).toContainEqual({ kind: "removed", state: "safety", text: 'State "safety" (say) removed', before: "If this is a life-threatening emergency, hang up and dial 9-1-1." });
    });

    it("says where the state before it goes now", () => {
      expect(changes).toContainEqual({ kind: "changed", state: "greeting", text: '"greeting" now sends calls to "emergency-message" instead of "safety"', before: "safety", after: "emergency-message" });
    });
  });

  describe("when a state is renamed", () => {
    const after = flowFrom(SMALL.replace(/\bbye\b/g, "goodbye"));
    const changes = summarizeFlowChange(flowFrom(SMALL), after);

    it("says it was renamed rather than removed and added", () => {
      expect(changes.filter((change) => change.kind !== "changed" || change.text.includes("renamed"))).toEqual([
        { kind: "changed", state: "goodbye", text: 'State "bye" renamed to "goodbye"', before: "bye", after: "goodbye" },
      ]);
    });
  });

  describe("when a state changes type", () => {
    const after = flowFrom(SMALL.replace("  bye:\n    type: hangup\n    text: Goodbye.", "  bye:\n    type: enqueue\n    queue: general\n    onFail: billing"));

    it("says only that, not every field", () => {
      expect(summarizeFlowChange(flowFrom(SMALL), after)).toEqual([
        { kind: "changed", state: "bye", text: 'State "bye" is now an enqueue state instead of a hangup state', before: "hangup", after: "enqueue" },
      ]);
    });
  });

  describe("when a number setting changes", () => {
    const after = mainWith((text) => text.replace("    attempts: 3\n    # Never lose", "    attempts: 2\n    # Never lose"));

    it("gives the old and the new value", () => {
      expect(summarizeFlowChange(main, after)).toEqual([
        { kind: "changed", state: "urgent-callback", text: '"attempts" of "urgent-callback" changed from 3 to 2', before: "3", after: "2" },
      ]);
    });
  });

  describe("when the flow's voice and fallback queue change", () => {
    const after = mainWith((text) => text.replace("voice: Polly.Joanna", "voice: Polly.Matthew").replace("fallbackQueue: general", "fallbackQueue: utility-billing"));

    it("lists each setting with its old and new value", () => {
      expect(summarizeFlowChange(main, after)).toEqual([
        { kind: "changed", text: "The fallback queue changed from general to utility-billing", before: "general", after: "utility-billing" },
        { kind: "changed", text: "The voice changed from Polly.Joanna to Polly.Matthew", before: "Polly.Joanna", after: "Polly.Matthew" },
      ]);
    });

    it("says a voice left out falls back", () => {
      const withoutVoice = mainWith((text) => text.replace("voice: Polly.Joanna\n", ""));
      expect(summarizeFlowChange(main, withoutVoice)).toEqual([{ kind: "removed", text: "The voice removed (was Polly.Joanna)", before: "Polly.Joanna" }]);
    });
  });

  describe("for a flow's first version", () => {
    const changes = summarizeFlowChange(null, flowFrom(SMALL));

    it("lists every state as added, with what it says first", () => {
      expect(changes).toEqual([
        { kind: "added", state: "menu", text: 'State "menu" (menu) added', after: "Press 1 for billing." },
        { kind: "added", state: "billing", text: 'State "billing" (enqueue) added' },
        { kind: "added", state: "bye", text: 'State "bye" (hangup) added', after: "Goodbye." },
      ]);
    });
  });
});

describe("the summary of a change to another document", () => {
  describe("when a closure is added to the hours", () => {
    const after = HOURS_YAML.replace("closures:\n", 'closures:\n  - { date: 2027-01-15, reason: staff training }\n');
    const changes = summarizeDocumentChange(data(HOURS_YAML), data(after));

    it("is one addition named by its date, however the list shifted", () => {
      expect(changes).toEqual([
        {
          kind: "added",
          path: "closures[2027-01-15]",
          text: "Added closures[2027-01-15]: { date: 2027-01-15, reason: staff training }",
          after: "{ date: 2027-01-15, reason: staff training }",
        },
      ]);
    });
  });

  describe("when a closure's time changes", () => {
    const after = HOURS_YAML.replace('reason: Christmas Eve\n    closes: "12:00"', 'reason: Christmas Eve\n    closes: "13:00"');

    it("names the closure and its field, with the old and new time", () => {
      expect(summarizeDocumentChange(data(HOURS_YAML), data(after))).toEqual([
        { kind: "changed", path: "closures[2026-12-24].closes", text: "closures[2026-12-24].closes changed from 12:00 to 13:00", before: "12:00", after: "13:00" },
      ]);
    });
  });

  describe("when a holiday is removed", () => {
    const after = HOURS_YAML.replace("  - name: Boxing Day\n    kind: fixed\n    month: december\n    day: 26\n    observed: following-weekday\n", "");

    it("names the holiday removed, with what it was", () => {
      expect(summarizeDocumentChange(data(HOURS_YAML), data(after))).toEqual([
        {
          kind: "removed",
          path: "holidays[Boxing Day]",
          text: "Removed holidays[Boxing Day] (was { name: Boxing Day, kind: fixed, month: december, day: 26, observed: following-weekday })",
          before: "{ name: Boxing Day, kind: fixed, month: december, day: 26, observed: following-weekday }",
        },
      ]);
    });
  });

  describe("when the summary callers hear changes", () => {
    const after = HOURS_YAML.replace("summary: Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays", "summary: weekdays from 8 to 4:30");

    it("gives the old and new words", () => {
      expect(summarizeDocumentChange(data(HOURS_YAML), data(after))).toEqual([
        {
          kind: "changed",
          path: "summary",
          text: "summary changed from Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays to weekdays from 8 to 4:30",
          before: "Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays",
          after: "weekdays from 8 to 4:30",
        },
      ]);
    });
  });

  describe("when a roster gains an override and a crew member's number changes", () => {
    const before = waterRosterYaml();
    const after = waterRosterYaml({ overrides: "[{ from: 2026-12-24, to: 2026-12-26, primary: lee, reason: Lee covers Christmas }]" }).replace(
      'phone: "+14035550112"',
      'phone: "+14035550119"',
    );
    const changes = summarizeDocumentChange(data(before), data(after));

    it("names the member by id and the changed number", () => {
      expect(changes).toContainEqual({
        kind: "changed",
        path: "categories.water.members[sam].phone",
        text: "categories.water.members[sam].phone changed from +14035550112 to +14035550119",
        before: "+14035550112",
        after: "+14035550119",
      });
    });

    it("names the override added by its reason", () => {
      expect(changes).toContainEqual(
        expect.objectContaining({ kind: "added", path: "categories.water.overrides[Lee covers Christmas]" }),
      );
    });

    it("lists nothing else", () => {
      expect(changes).toHaveLength(2);
    });
  });

  describe("when a list of words changes", () => {
    it("gives the whole list before and after", () => {
      expect(summarizeDocumentChange({ weekly: [{ days: ["monday", "friday"], open: "08:00" }] }, { weekly: [{ days: ["monday"], open: "08:00" }] })).toEqual([
        { kind: "changed", path: "weekly[0].days", text: "weekly[0].days changed from [ monday, friday ] to [ monday ]", before: "[ monday, friday ]", after: "[ monday ]" },
      ]);
    });
  });

  describe("when a lunch break splits the weekly hours", () => {
    const before = { weekly: [{ days: ["monday"], open: "08:00", close: "16:30" }] };
    const after = { weekly: [{ days: ["monday"], open: "08:00", close: "12:00" }, { days: ["monday"], open: "13:00", close: "16:30" }] };

    it("names entries that have no name by their place in the list", () => {
      expect(summarizeDocumentChange(before, after).map((change) => change.text)).toEqual([
        "weekly[0].close changed from 16:30 to 12:00",
        "Added weekly[1]: { days: [ monday ], open: 13:00, close: 16:30 }",
      ]);
    });
  });

  describe("when a great many things changed", () => {
    const before = Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`field${index}`, index]));
    const after = Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`field${index}`, index + 1]));
    const changes = summarizeDocumentChange(before, after, 10);

    it("lists only as many as asked", () => {
      expect(changes).toHaveLength(10);
    });

    it("says how many more there are in the last item", () => {
      expect(changes.at(-1)).toEqual({ kind: "changed", text: "… and 91 more changes" });
    });
  });

  describe("for a document's first version", () => {
    it("lists each of its top-level parts as added", () => {
      expect(summarizeDocumentChange(null, { zone: "America/Edmonton", weekly: [] }).map((change) => change.text)).toEqual([
        "Added zone: America/Edmonton",
        "Added weekly: []",
      ]);
    });
  });
});
