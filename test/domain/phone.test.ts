import { describe, expect, it } from "vitest";
import { callerNumber, toE164 } from "../../src/domain/phone.js";

describe("toE164", () => {
  describe("a North American number", () => {
    it.each([
      ["403 555 0123", "+14035550123"],
      ["(403) 555-0123", "+14035550123"],
      ["1-403-555-0123", "+14035550123"],
      ["+14035550123", "+14035550123"],
    ])("reads %j as %s", (raw, e164) => {
      expect(toE164(raw)).toBe(e164);
    });

    it.each(["+1403555012", "+140355501234", "403555012", "+10035550123", "4031550123"])(
      "refuses %j: not ten digits, or not a dialable area code and exchange",
      (raw) => {
        expect(toE164(raw)).toBeNull();
      },
    );
  });

  describe("a number with another country code", () => {
    it("keeps it as written, without spaces", () => {
      expect(toE164("+44 20 7946 0000")).toBe("+442079460000");
    });

    it("refuses one too short or too long for E.164", () => {
      expect(toE164("+4420794")).toBeNull();
      expect(toE164("+4420794600001234")).toBeNull();
    });
  });

  it("refuses letters", () => {
    expect(toE164("call me")).toBeNull();
  });
});

describe("callerNumber", () => {
  it("is the caller's E.164 number", () => {
    expect(callerNumber("+14035550123")).toBe("+14035550123");
  });

  it("is null when the caller ID is withheld, spelled on a keypad", () => {
    expect(callerNumber("+266696687")).toBeNull();
  });

  it("is null for a +1 caller ID that is a digit short, so the caller is asked for a number", () => {
    expect(callerNumber("+1403555012")).toBeNull();
  });
});
