import { describe, expect, it } from "vitest";
import { pagingBoundMs, sendIntervalMs, smsSegments } from "../../../src/domain/oncall/sending-limits.js";

describe("sendIntervalMs", () => {
  it("spaces sends evenly at the rate: one a second, one every two seconds, ten a second", () => {
    expect(sendIntervalMs(1)).toBe(1_000);
    expect(sendIntervalMs(0.5)).toBe(2_000);
    expect(sendIntervalMs(10)).toBe(100);
  });

  it("rounds up, so a rate that does not divide a second is never exceeded", () => {
    expect(sendIntervalMs(3)).toBe(334);
    expect(sendIntervalMs(30)).toBe(34);
    expect(1000 / sendIntervalMs(30)).toBeLessThanOrEqual(30);
  });

  it("refuses a rate that is not a positive number", () => {
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => sendIntervalMs(rate)).toThrow(RangeError);
  });
});

describe("pagingBoundMs", () => {
  it("is N / rate for one kind of send", () => {
    expect(pagingBoundMs({ sms: 60, calls: 0 }, { smsPerSecond: 1, callsPerSecond: 1 })).toBe(60_000);
    expect(pagingBoundMs({ sms: 0, calls: 60 }, { smsPerSecond: 1, callsPerSecond: 0.5 })).toBe(120_000);
  });

  it("is the longer of the two queues, since SMS and calls go out side by side", () => {
    expect(pagingBoundMs({ sms: 60, calls: 60 }, { smsPerSecond: 30, callsPerSecond: 1 })).toBe(60_000);
    expect(pagingBoundMs({ sms: 200, calls: 20 }, { smsPerSecond: 1, callsPerSecond: 1 })).toBe(200_000);
  });

  it("is nothing when nothing is owed", () => {
    expect(pagingBoundMs({ sms: 0, calls: 0 }, { smsPerSecond: 1, callsPerSecond: 1 })).toBe(0);
  });
});

describe("smsSegments", () => {
  it("counts a text as Twilio sends it: 160 GSM-7 characters in one segment, 153 in each joined one", () => {
    expect(smsSegments("URGENT water 100123")).toBe(1);
    expect(smsSegments("a".repeat(160))).toBe(1);
    expect(smsSegments("a".repeat(161))).toBe(2);
    expect(smsSegments("a".repeat(306))).toBe(2);
    expect(smsSegments("a".repeat(307))).toBe(3);
  });

  it("counts a text with a character GSM-7 lacks in UCS-2's 70 (or 67 when joined)", () => {
    expect(smsSegments("“".repeat(70))).toBe(1);
    expect(smsSegments("“".repeat(71))).toBe(2);
  });

  it("counts an empty text as one send", () => {
    expect(smsSegments("")).toBe(1);
  });
});
