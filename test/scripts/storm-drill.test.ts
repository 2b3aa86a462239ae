/**
 * What `npm run storm -- --url ...` says once a drill against a running line is over: the
 * incidents it opened page the line's real on-call phones until someone closes them, and the
 * voicemails it left wait on the worklist. The operator is given the command that closes the one
 * and the way to find the other, and nothing when there is nothing left.
 */
import { describe, expect, it } from "vitest";
import type { Incident, IncidentStatus } from "../../src/domain/oncall/incident.js";
import type { CallerKind, PromptMeaning } from "../../scripts/lib/storm-callers.js";
import { afterTheDrill, incidentsUnpaged, reportsMissing, type CallOutcome } from "../../scripts/lib/storm-line.js";
import { newCallSid } from "../helpers/line.js";
import { urgentReport } from "../helpers/records.js";

function incident(reference: string, status: IncidentStatus = "open"): Incident {
  return { reference, category: "power", place: "3rd avenue and 13th street south", status, createdAt: "2026-12-05T09:00:00.000Z", reports: [], plan: [], events: [] };
}

function caller(kind: CallerKind, met: PromptMeaning[]): CallOutcome {
  return { plan: { kind, category: "power", place: "3rd Avenue and 13th Street South", speaks: false, dayChoice: "1" }, callSid: newCallSid(), apology: false, met: new Set(met) };
}

describe("what a storm against a running line says is left when it is over", () => {
  it("gives the command that closes the incidents still open, in reference order, leaving out those fixed", () => {
    const said = afterTheDrill([incident("100012"), incident("100009", "acknowledged"), incident("100010", "resolved"), incident("100101")], []);
    expect(said).toEqual([
      "the storm's 3 incidents page the line's on-call phones until taken (and stay open until closed); when the drill is over, close them with:\n" +
        '  npm run requests -- close 100009 100012 100101 --note "storm drill"',
    ]);
  });

  it("speaks of one incident as one", () => {
    expect(afterTheDrill([incident("100004")], [])).toEqual([
      "the storm's incident pages the line's on-call phones until taken (and stays open until closed); when the drill is over, close it with:\n" +
        '  npm run requests -- close 100004 --note "storm drill"',
    ]);
  });

  it("counts the callers who left a voicemail, not those who hung up at the offer, and says where their callback requests are", () => {
    const outcomes = [caller("not-urgent", ["urgent-menu", "not-urgent-menu", "record"]), caller("not-urgent", ["urgent-menu", "not-urgent-menu", "record"]), caller("not-urgent", ["urgent-menu"]), caller("reporter", ["urgent-menu", "place", "confirm"])];
    expect(afterTheDrill([], outcomes)).toEqual([
      "2 callers left a voicemail: their callback requests are on the line's worklist. List them with\n  npm run requests -- list --service callback --status open\nand close them the same way.",
    ]);
    expect(afterTheDrill([], outcomes.slice(1))[0]).toMatch(/^1 caller left a voicemail: its callback request is on the line's worklist\./);
  });

  it("says when callers' reports were not among the incidents yet, and to look again: a held report can open an incident after the storm", () => {
    expect(afterTheDrill([], [], 2)).toEqual([
      "2 callers' reports were not among the incidents when the storm ended: a report is held while its call lasts, and may open or join an incident after this. Run npm run oncall -- incidents --open in a few minutes and close any more of the storm's.",
    ]);
  });

  it("says nothing when the drill left nothing open", () => {
    expect(afterTheDrill([incident("100010", "resolved")], [caller("hangs-up-early", ["urgent-menu"])])).toEqual([]);
  });
});

describe("what a storm counts as its goals", () => {
  it("finds each caller who gave a place by their own report, not by a count an extra report could make up", () => {
    const [first, second] = [caller("reporter", ["place"]), caller("reporter", ["place"])];
    const withReports = (...callSids: string[]): Incident => ({ ...incident("100001"), reports: callSids.map((callSid, n) => urgentReport({ reference: String(100001 + n), callSid })) });
    expect(reportsMissing([first, second], [withReports(first.callSid, second.callSid)])).toEqual([]);
    // Two reports in all, one of them not the second caller's: the second caller's report was lost.
    expect(reportsMissing([first, second], [withReports(first.callSid, newCallSid())])).toEqual([second]);
  });

  it("counts an incident still open with no page as unpaged, and one taken or fixed as not", () => {
    const paged: Incident = { ...incident("100002"), events: [{ at: "2026-12-05T09:00:05.000Z", kind: "paged", step: 0, name: "Ana Lopez", channel: "sms" }] };
    expect(incidentsUnpaged([incident("100001"), paged, incident("100003", "acknowledged"), incident("100004", "resolved")]).map((one) => one.reference)).toEqual(["100001"]);
  });
});
