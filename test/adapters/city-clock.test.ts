import { DateTime, IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { cityClock, RememberingZone, rememberingZone } from "../../src/adapters/city-clock.js";

const MINUTE = 60_000;

/** Every minute from `from` for `minutes`, as epoch milliseconds. */
function minutes(from: string, count: number): number[] {
  const start = DateTime.fromISO(from, { zone: "utc" }).toMillis();
  return Array.from({ length: count }, (_, i) => start + i * MINUTE + (i % 7) * 1_234);
}

describe("the City's clock", () => {
  it("reads now in the zone the live hours name, by that name", () => {
    let zone = "America/Edmonton";
    const clock = cityClock(() => zone);
    expect(clock().zoneName).toBe("America/Edmonton");
    zone = "America/Halifax";
    expect(clock().zoneName).toBe("America/Halifax");
    expect(Math.abs(clock().toMillis() - Date.now())).toBeLessThan(1_000);
  });

  it("is the same zone as Luxon's own to anything that compares zones", () => {
    const now = cityClock(() => "America/Edmonton")();
    expect(now.zone.equals(IANAZone.create("America/Edmonton"))).toBe(true);
    expect(now.setZone("America/Edmonton").zone).toBe(now.zone);
  });

  // Offsets change only at transitions: each zone here is checked minute by minute across its own.
  describe.each([
    ["America/Edmonton", "spring forward", "2026-03-08T07:00:00"],
    ["America/Edmonton", "fall back", "2026-11-01T06:00:00"],
    ["America/St_Johns", "a half-hour zone's spring forward", "2026-03-08T04:00:00"],
    ["Australia/Lord_Howe", "a half-hour change of offset", "2026-04-04T14:00:00"],
    ["Asia/Kathmandu", "a quarter-hour zone", "2026-06-01T00:00:00"],
    ["Asia/Kathmandu", "its change from local mean time in 1920 (+5:41:16 to +5:30)", "1919-12-31T16:00:00"],
    ["America/Phoenix", "a 0:01 switch in 1944", "1944-04-01T05:00:00"],
  ])("%s, across %s", (name, _what, around) => {
    it("gives every minute the offset Luxon works out itself, in any order asked", () => {
      const remembering = new RememberingZone(name);
      const luxons = IANAZone.create(name);
      const times = minutes(around, 4 * 60);
      // Forwards, then backwards: what is remembered must not depend on the order it was asked in.
      for (const ts of [...times, ...times.reverse()]) expect(remembering.offset(ts), new Date(ts).toISOString()).toBe(luxons.offset(ts));
    });

    it("gives the same local times as Luxon's zone around it", () => {
      const remembering = rememberingZone(name);
      for (const ts of minutes(around, 4 * 60).filter((_, i) => i % 13 === 0)) {
        expect(DateTime.fromMillis(ts, { zone: remembering }).toISO()).toBe(DateTime.fromMillis(ts, { zone: name }).toISO());
      }
      // And local wall-clock times that a transition skips or repeats resolve as Luxon's do.
      const local = DateTime.fromISO(around, { zone: "utc" }).setZone(name);
      for (const hour of [0, 1, 2, 3]) {
        const wall = { year: local.year, month: local.month, day: local.day, hour, minute: 30 };
        expect(DateTime.fromObject(wall, { zone: remembering }).toISO()).toBe(DateTime.fromObject(wall, { zone: name }).toISO());
      }
    });
  });
});
