import { describe, expect, it } from "vitest";
import { alarmSms, crewReplies, gsmSafe, MAX_PAGE_LENGTH, pageSms } from "../../../src/domain/oncall/messages.js";
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

  describe("a recorded place", () => {
    it("gives the recording's URL", () => {
      const url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1";
      expect(pageSms(report({ recordingUrl: url }), "Water and sewer", ZONE)).toContain(`Place recorded: ${url}.`);
    });
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
