import { describe, expect, it } from "vitest";
import {
  alarmSms,
  crewReplies,
  gsmSafe,
  MAX_PAGE_LENGTH,
  pagePressPrompt,
  pageSms,
  pageSpeech,
  residentReply,
  unhandledReportSms,
  withArticle,
  type IncidentSummary,
} from "../../../src/domain/oncall/messages.js";
import type { UrgentReport } from "../../../src/domain/report.js";

const ZONE = "America/Edmonton";
/** Printable ASCII without the characters GSM-7 lacks (`) or sends as two ([ ] { } \ ^ | ~). */
const GSM_SINGLE_SEPTET = /^[\x20-\x5a\x5f\x61-\x7a]*$/;

function report(overrides: Partial<UrgentReport> = {}): UrgentReport {
  return {
    reference: "104273",
    category: "water",
    location: "1234 Mayor Magrath Drive",
    callbackNumber: "+14035550123",
    callSid: "CA0123",
    receivedAt: "2026-12-05T02:00:00-07:00",
    ...overrides,
  };
}

const RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1";
const longPlace = `1234 Mayor Magrath Drive, ${"beside the big yellow house ".repeat(20)}`;
const typographicPlace = `Côté’s place – “the red door” … near Zoë’s café — ${"l’école ".repeat(40)}`;

describe("gsmSafe", () => {
  it("drops accents", () => {
    expect(gsmSafe("Côté Crescent, école, Zoë, Ångström")).toBe("Cote Crescent, ecole, Zoe, Angstrom");
  });

  it("writes curly quotes as straight ones", () => {
    expect(gsmSafe("‘a’ “b” «c»")).toBe(`'a' "b" "c"`);
  });

  it("writes dashes as a hyphen", () => {
    expect(gsmSafe("a – b — c ‐ d")).toBe("a - b - c - d");
  });

  it("writes the ellipsis as three full stops", () => {
    expect(gsmSafe("wait…")).toBe("wait...");
  });

  it("makes whitespace one space and invisible characters nothing", () => {
    expect(gsmSafe(" a\u00a0\tb\nc\u200bd ")).toBe("a b cd");
  });

  it("replaces anything else with a question mark", () => {
    expect(gsmSafe("water 💧 ß 水")).toBe("water ? ? ?");
  });

  it("replaces ASCII that GSM-7 lacks or sends as two characters", () => {
    expect(gsmSafe("`a` [b] {c} d\\e f|g ~h")).toBe("'a' (b) (c) d/e f/g -h");
  });

  it("leaves plain GSM-7 text as it is", () => {
    const plain = `101 Scenic Drive South </Say><Dial>+19005550000</Dial> & "corner" @ 5% $1 #2 _x_ (ok?)`;
    expect(gsmSafe(plain)).toBe(plain);
  });
});

describe("pageSms", () => {
  describe("a short place", () => {
    const sms = pageSms(report(), "Water and sewer", ZONE);

    it("says everything needed to act", () => {
      expect(sms).toBe(
        "311 URGENT Water and sewer #104273. At: 1234 Mayor Magrath Drive. Caller 403-555-0123. Reported 02:00 Sat 5 Dec. Reply ACK 104273 to take it, DONE 104273 when fixed.",
      );
    });
  });

  describe("a long place", () => {
    const sms = pageSms(report({ location: longPlace }), "Water and sewer", ZONE);

    it("fits two segments", () => {
      expect(sms.length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
    });

    it("shortens only the place", () => {
      expect(sms).toMatch(/^311 URGENT Water and sewer #104273\. At: 1234 Mayor Magrath Drive, beside the big .*\.\.\.\. Caller /);
      expect(sms).toMatch(/\. Caller 403-555-0123\. Reported 02:00 Sat 5 Dec\. Reply ACK 104273 to take it, DONE 104273 when fixed\.$/);
    });
  });

  describe("a place and label with typographic punctuation and accents", () => {
    const sms = pageSms(report({ location: typographicPlace }), "Eau – “water” & égouts", ZONE);

    it("fits two GSM-7 segments", () => {
      expect(sms.length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
    });

    it("is entirely GSM-7 characters of one septet each", () => {
      expect(sms).toMatch(GSM_SINGLE_SEPTET);
    });

    it("keeps the place and label readable", () => {
      expect(sms).toContain(`311 URGENT Eau - "water" & egouts #104273. At: Cote's place - "the red door" ... near Zoe's cafe - l'ecole`);
    });

    it("keeps how to reply", () => {
      expect(sms).toMatch(/Reply ACK 104273 to take it, DONE 104273 when fixed\.$/);
    });
  });

  describe("a place the caller confirmed when it was read back", () => {
    it("says so", () => {
      expect(pageSms(report({ locationConfirmed: true }), "Water and sewer", ZONE)).toContain("At (caller confirmed): 1234 Mayor Magrath Drive. Caller");
    });
  });

  describe("a place that was recorded because speech was unsure", () => {
    const sms = pageSms(report({ location: "1234 mayor mcgrath drive", recordingUrl: RECORDING }), "Water and sewer", ZONE);

    it("never carries the recording's address", () => {
      expect(sms).not.toContain(RECORDING);
      expect(sms).not.toMatch(/https?:|twilio\.com|RE1/);
    });

    it("says the caller's words are recorded and how to hear them", () => {
      expect(sms).toContain("Caller's words recorded: answer the voice page and press 3 to hear them.");
    });

    it("gives what the line heard, marked as unsure", () => {
      expect(sms).toContain("Heard (unsure): 1234 mayor mcgrath drive.");
    });

    it("fits two segments even with a long transcript", () => {
      expect(pageSms(report({ location: longPlace, recordingUrl: RECORDING }), "Water and sewer", ZONE).length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
    });
  });

  describe("a place speech was unsure of, or the caller said was wrong, with no recording (they hung up)", () => {
    const sms = pageSms(report({ location: "15th avenue south", locationUnsure: true }), "Water and sewer", ZONE);

    it("is marked as unsure, never given as the place", () => {
      expect(sms).toContain("Heard (unsure): 15th avenue south.");
      expect(sms).not.toContain("At: ");
    });

    it("is said to be possibly wrong on the voice page", () => {
      expect(pageSpeech(report({ location: "15th avenue south", locationUnsure: true }), "Water and sewer", ZONE)).toContain(
        "The place as the line heard it, which may be wrong: 15th avenue south.",
      );
    });
  });

  describe("a place that was recorded because nothing was understood", () => {
    const sms = pageSms(report({ location: "(recorded: listen to the recording)", recordingUrl: RECORDING }), "Water and sewer", ZONE);

    it("names no place, and says how to hear the caller", () => {
      expect(sms).toBe(
        "311 URGENT Water and sewer #104273. Caller's words recorded: answer the voice page and press 3 to hear them. Caller 403-555-0123. Reported 02:00 Sat 5 Dec. Reply ACK 104273 to take it, DONE 104273 when fixed.",
      );
    });
  });

  describe("a caller who could not use the menu", () => {
    it("says so before the recording", () => {
      const sms = pageSms(report({ category: "general", location: "(not given)", recordingUrl: RECORDING, pageSupervisor: true }), "General", ZONE);
      expect(sms).toMatch(/^311 URGENT General #104273\. Caller could not use the menu\. Caller's words recorded: answer the voice page and press 3/);
      expect(sms).not.toContain(RECORDING);
    });
  });
});

describe("the voice page", () => {
  describe("a label that starts with a vowel sound", () => {
    it('says "an Electric report"', () => {
      expect(pageSpeech(report(), "Electric", ZONE)[1]).toBe("An Electric report, reference 1 0 4, 2 7 3.");
    });
  });

  describe("a label that starts with a consonant sound", () => {
    it('says "a Water and sewer report"', () => {
      expect(pageSpeech(report(), "Water and sewer", ZONE)[1]).toBe("A Water and sewer report, reference 1 0 4, 2 7 3.");
    });
  });

  it.each([
    ["Electric", "an Electric"],
    ["Roads and traffic signals", "a Roads and traffic signals"],
    ["Utility locates", "a Utility locates"],
    ["Urgent repairs", "an Urgent repairs"],
    ["One-way streets", "a One-way streets"],
    ["Hourly parking", "an Hourly parking"],
    ["Open spaces", "an Open spaces"],
  ])("takes the article by the first sound: %s", (label, said) => {
    expect(withArticle(label)).toBe(said);
  });

  describe("a recorded caller", () => {
    const speech = pageSpeech(report({ location: "1234 mayor mcgrath drive", recordingUrl: RECORDING }), "Water and sewer", ZONE).join(" ");

    it("says the place was heard unsurely", () => {
      expect(speech).toContain("The place as the line heard it, which may be wrong: 1234 mayor mcgrath drive.");
    });

    it("offers 3 for the caller's words", () => {
      expect(pagePressPrompt(true)).toBe("To take it, press 1. To hear it again, press 2. To hear the caller's words, press 3.");
    });
  });

  it("offers no 3 when there is no recording", () => {
    expect(pagePressPrompt(false)).toBe("To take it, press 1. To hear it again, press 2.");
  });
});

describe("alarmSms", () => {
  describe("a short place", () => {
    it("says what went unanswered, where, who called and how to take it", () => {
      expect(alarmSms(report(), "Water and sewer")).toBe(
        "311 ALARM: nobody acknowledged Water and sewer #104273 after every round of pages. At: 1234 Mayor Magrath Drive. Caller 403-555-0123. Reply ACK 104273 to take it.",
      );
    });
  });

  describe("a long place", () => {
    const sms = alarmSms(report({ location: longPlace }), "Water and sewer");

    it("fits two segments", () => {
      expect(sms.length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
    });

    it("shortens only the place, keeping the caller and how to take it", () => {
      expect(sms).toMatch(/ At: 1234 Mayor Magrath Drive, beside the big .*\.\.\.\. Caller 403-555-0123\. Reply ACK 104273 to take it\.$/);
    });
  });

  describe("a place and label with typographic punctuation and accents", () => {
    const sms = alarmSms(report({ location: typographicPlace }), "Eau – “water” & égouts");

    it("fits two GSM-7 segments", () => {
      expect(sms.length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
    });

    it("is entirely GSM-7 characters of one septet each", () => {
      expect(sms).toMatch(GSM_SINGLE_SEPTET);
    });

    it("keeps the caller and how to take it", () => {
      expect(sms).toMatch(/\. Caller 403-555-0123\. Reply ACK 104273 to take it\.$/);
    });
  });
});

describe("crewReplies.takenBy", () => {
  describe("a crew member's name with accents", () => {
    it("is written in GSM-7", () => {
      expect(crewReplies.takenBy("104273", "Zoë O’Brien", "2026-12-05T02:10:00-07:00", ZONE)).toBe(
        "311 #104273 was already taken by Zoe O'Brien at 02:10 Sat 5 Dec.",
      );
    });
  });
});

describe("alarmSms for a recorded place", () => {
  it("never carries the recording's address, and says how to hear it", () => {
    const sms = alarmSms(report({ location: "(recorded: listen to the recording)", recordingUrl: RECORDING }), "Water and sewer");
    expect(sms).not.toContain(RECORDING);
    expect(sms).toContain("Caller's words recorded: answer the voice page and press 3 to hear them.");
  });
});

describe("unhandledReportSms", () => {
  describe("a report whose job failed every attempt", () => {
    const sms = unhandledReportSms(report(), "Water and sewer", ZONE);

    it("says nobody was paged, and what was reported, where and by whom", () => {
      expect(sms).toBe(
        "311 ALARM: Water and sewer report #104273 could not be sent to the crew. NOBODY WAS PAGED: please call the crew yourself. At: 1234 Mayor Magrath Drive. Caller 403-555-0123. Reported 02:00 Sat 5 Dec.",
      );
    });
  });

  describe("a long place and a recording", () => {
    const sms = unhandledReportSms(report({ location: longPlace, recordingUrl: RECORDING }), "Water and sewer", ZONE);

    it("fits two segments, and keeps the caller", () => {
      expect(sms.length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
      expect(sms).toContain("Caller 403-555-0123.");
    });

    it("never carries the recording's address", () => {
      expect(sms).not.toContain(RECORDING);
    });
  });

  describe("a report of which little could be read", () => {
    it("still says nobody was paged", () => {
      expect(unhandledReportSms({ category: "water" }, "Water and sewer", ZONE)).toBe(
        "311 ALARM: Water and sewer report could not be sent to the crew. NOBODY WAS PAGED: please call the crew yourself. Caller withheld.",
      );
    });
  });
});

describe("replies that leave the reference out", () => {
  const incident = (reference: string, label: string, location: string): IncidentSummary => ({ reference, label, report: report({ reference, location }) });

  describe("a bare ACK with two open pages", () => {
    const sms = crewReplies.chooseAck([incident("100002", "Electric", "3 Avenue and 13 Street South"), incident("100001", "Water and sewer", "5th Avenue")]);

    it("lists each with its category and place, and asks for the number", () => {
      expect(sms).toBe(
        "311: you have 2 open pages. Open: #100002 Electric at 3 Avenue and 13 Street South; #100001 Water and sewer at 5th Avenue. Reply ACK and the number, e.g. ACK 100002.",
      );
    });
  });

  describe("a bare ACK with more open pages than fit", () => {
    const many = Array.from({ length: 12 }, (_, index) => incident(String(100_100 + index), "Roads and traffic signals", longPlace));
    const sms = crewReplies.chooseAck(many);

    it("fits two segments and says how many it left out", () => {
      expect(sms.length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
      expect(sms).toMatch(/\(\+\d+ more\) Reply ACK and the number, e\.g\. ACK 100100\.$/);
    });
  });

  describe("a bare DONE", () => {
    it("lists what they hold and what they were paged for, and closes nothing", () => {
      expect(crewReplies.doneNeedsReference([incident("100001", "Water and sewer", "5th Avenue")], [incident("100002", "Water and sewer", "6th Avenue")])).toBe(
        "311: DONE needs the number of what is fixed. Yours: #100001 Water and sewer at 5th Avenue. Paged, not taken: #100002 Water and sewer at 6th Avenue. Reply DONE and the number, e.g. DONE 100001.",
      );
    });

    it("says so when they hold nothing", () => {
      expect(crewReplies.doneNeedsReference([], [])).toBe("311: DONE needs the number of what is fixed, e.g. DONE 100234. You hold no open incident.");
    });
  });
});

describe("a joined report's own reference", () => {
  it("is named beside the incident's", () => {
    expect(crewReplies.acknowledged("100001", "100009")).toBe("311 #100009 is part of #100001. #100001 is yours. Reply DONE 100001 when it is fixed.");
  });
});

describe("residentReply", () => {
  it("gives their reference, where it stands, and the number to call", () => {
    expect(residentReply("100234", "taken")).toBe(
      "City of Lethbridge 311: your report 100234 has been received and a crew has it. This number does not take messages: to add anything, call 311. If anyone is in danger, call 911.",
    );
  });

  it.each(["received", "paging", "taken", "fixed"] as const)("fits one segment when the report is %s", (standing) => {
    expect(residentReply("100234", standing).length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
  });
});
