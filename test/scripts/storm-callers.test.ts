/**
 * A storm's callers: the same for the same seed, most about power, and the places they report
 * chosen so that a City can drill as many incidents as it likes (`npm run storm -- --places 60`).
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../scripts/lib/bench.js";
import { placeKey } from "../../src/domain/oncall/place.js";
import { STORM_PLACES, stormCallers, stormPlaces } from "../../scripts/lib/storm-callers.js";

describe("a storm's places", () => {
  it("share 60 places among the crews as their reports are, all distinct, the storm's own first", () => {
    const places = stormPlaces(60);
    expect(Object.fromEntries(Object.entries(places).map(([crew, list]) => [crew, list.length]))).toEqual({ power: 36, water: 15, roads: 9 });
    const all = Object.values(places).flat();
    expect(new Set(all).size).toBe(60);
    expect(places.power.slice(0, STORM_PLACES.power.length)).toEqual(STORM_PLACES.power);
    expect(places.power.at(-1)).toBe("127 Windstorm Drive");
    // Each a place of its own to the line, as its reports are joined by.
    expect(new Set(all.map(placeKey)).size).toBe(60);
    expect(all.map(placeKey)).not.toContain("");
  });

  it("give each crew a place at least, and refuse fewer than three", () => {
    expect(Object.values(stormPlaces(3)).map((list) => list.length)).toEqual([1, 1, 1]);
    expect(() => stormPlaces(2)).toThrow(/at least 3 places/);
  });

  it("are what the callers report: a storm told 60 places has its callers report them all, given enough calls", () => {
    const callers = stormCallers(2_000, seededRandom(1), stormPlaces(60));
    expect(new Set(callers.map((caller) => caller.place)).size).toBe(60);
  });
});
