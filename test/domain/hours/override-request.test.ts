import { describe, expect, it } from "vitest";
import { OverrideRequestError, planOverride, type OverrideRequest } from "../../../src/domain/hours/index.js";
import { lethbridgeHours, local, utc } from "../../fixtures/hours/load.js";

const hours = lethbridgeHours();

/** The override a request becomes at a local time in Lethbridge. */
const planAt = (isoLocal: string, request: OverrideRequest) => planOverride(request, hours, local(isoLocal));

/** The message a refused request gets; fails the test if it is not refused. */
function refusal(isoLocal: string, request: OverrideRequest): string {
  try {
    planAt(isoLocal, request);
  } catch (error) {
    expect(error).toBeInstanceOf(OverrideRequestError);
    return (error as Error).message;
  }
  throw new Error("the request was not refused");
}

describe("planOverride", () => {
  describe("--open without --until", () => {
    it("on a weekday afternoon, ends at that day's closing time, 16:30", () => {
      expect(planAt("2026-12-02T14:00", { mode: "open" }).override.until).toBe("2026-12-02T16:30:00.000-07:00");
    });

    it("before the line opens on a weekday, ends at that day's closing time", () => {
      expect(planAt("2026-12-02T06:00", { mode: "open" }).override.until).toBe("2026-12-02T16:30:00.000-07:00");
    });

    it("on a shortened day (Christmas Eve), ends at its early closing, noon", () => {
      expect(planAt("2026-12-24T09:00", { mode: "open" }).override.until).toBe("2026-12-24T12:00:00.000-07:00");
    });

    it("says when it ends, in words", () => {
      expect(planAt("2026-12-02T14:00", { mode: "open" }).note).toBe(
        "The day menu stays on until today's closing time, 4:30 p.m.; give --until for another end.",
      );
    });

    describe("is refused, and told to give --until,", () => {
      it.each([
        ["on a weekday evening, after closing", "2026-12-02T16:30"],
        ["on a Saturday", "2026-12-05T10:00"],
        ["on a holiday (Christmas Day)", "2026-12-25T10:00"],
        ["on a day closed all day (staff training)", "2027-01-15T10:00"],
        ["on Christmas Eve after its noon closing", "2026-12-24T13:00"],
      ])("%s", (_, time) => {
        expect(refusal(time, { mode: "open" })).toMatch(/^--open needs --until today: the line has no more scheduled hours on .*, e\.g\. --until \d{4}-\d\d-\d\dT\d\d:00$/);
      });

      it("with the day named and an example an hour or few ahead", () => {
        expect(refusal("2026-12-05T21:10", { mode: "open" })).toBe(
          "--open needs --until today: the line has no more scheduled hours on Saturday 5 December, " +
            "so say when the day menu should stop and the trouble line take calls again, e.g. --until 2026-12-06T01:00",
        );
      });
    });
  });

  describe("--until", () => {
    it("is read as local time in the hours' zone", () => {
      expect(planAt("2026-12-05T21:00", { mode: "open", until: "2026-12-06T02:00" }).override.until).toBe("2026-12-06T02:00:00.000-07:00");
    });

    it("may carry its own offset, and is stored in the hours' zone", () => {
      expect(planAt("2026-12-05T21:00", { mode: "open", until: "2026-12-06T09:00:00Z" }).override.until).toBe("2026-12-06T02:00:00.000-07:00");
    });

    it("ends a --closed too, when given", () => {
      expect(planAt("2026-12-02T10:00", { mode: "closed", until: "2026-12-02T12:00" }).override).toMatchObject({ mode: "closed", until: "2026-12-02T12:00:00.000-07:00" });
    });

    it("is refused when already past, saying the time it is now", () => {
      expect(refusal("2026-12-02T10:00", { message: "Storm.", until: "2026-12-02T09:59" })).toBe(
        "--until 2026-12-02 09:59 is already past (it is now 2026-12-02 10:00 in America/Edmonton); give a later time",
      );
    });

    it("is refused when it is now", () => {
      expect(refusal("2026-12-02T10:00", { mode: "open", until: "2026-12-02T10:00" })).toMatch(/is already past/);
    });

    it.each(["tonight", "2026-12-32T08:00", "8am"])("is refused when it is not a time: %j", (until) => {
      expect(refusal("2026-12-02T10:00", { mode: "open", until })).toBe(
        `--until "${until}" is not a date and time; write it like 2026-12-03T08:00 (local time in America/Edmonton)`,
      );
    });
  });

  describe("--closed without --until", () => {
    it("has no end: it sends callers to the trouble line, which is the safe way to be wrong", () => {
      expect(planAt("2026-12-02T10:00", { mode: "closed" }).override).not.toHaveProperty("until");
    });
  });

  it("records who set it and when, in the hours' zone", () => {
    expect(planOverride({ message: "Storm.", setBy: "Dana" }, hours, utc("2026-12-02T17:00:00Z")).override).toEqual({
      message: "Storm.",
      setBy: "Dana",
      setAt: "2026-12-02T10:00:00.000-07:00",
    });
  });

  it("refuses a request that would do nothing", () => {
    expect(refusal("2026-12-02T10:00", { setBy: "Dana" })).toBe("set needs --message, --closed or --open (or several)");
  });

  it("refuses an empty message", () => {
    expect(refusal("2026-12-02T10:00", { message: "   " })).toBe("message is empty");
  });
});
