import { describe, expect, it } from "vitest";
import { placeKey } from "../../../src/domain/oncall/place.js";

describe("placeKey", () => {
  describe("an intersection", () => {
    it("is the same whichever street is said first and however the streets are written", () => {
      expect(placeKey("5th Avenue and 13 Street South")).toBe(placeKey("13 St S & 5th Ave"));
      expect(placeKey("5th Avenue and 13 Street South")).toBe("13 st s & 5 ave");
    });

    it("ignores how the caller introduces it", () => {
      expect(placeKey("At the corner of 5th Avenue and 13 Street South")).toBe("13 st s & 5 ave");
    });

    it("groups two named streets", () => {
      expect(placeKey("Mayor Magrath Drive at Scenic Drive")).toBe("mayor magrath dr & scenic dr");
    });

    it("groups a highway with a street", () => {
      expect(placeKey("Highway 3 and 43 Street")).toBe("43 st & hwy 3");
    });
  });

  describe("a street address", () => {
    it("is a house number on a named street", () => {
      expect(placeKey("1234 Mayor Magrath Drive")).toBe("1234 mayor magrath dr");
    });

    it("is a house number on a numbered street", () => {
      expect(placeKey("500 13 Street South")).toBe("500 13 st s");
    });

    it("is the same however the caller introduces or abbreviates it", () => {
      expect(placeKey("In front of 1234 Mayor Magrath Dr.")).toBe(placeKey("1234 Mayor Magrath Drive"));
    });

    it("keeps different houses on one street apart", () => {
      expect(placeKey("1234 Mayor Magrath Drive")).not.toBe(placeKey("1236 Mayor Magrath Drive"));
    });
  });

  describe("a place that could be many places", () => {
    it.each(["my house", "In front of my house", "at my house", "my place"])("has no key: %s", (location) => {
      expect(placeKey(location)).toBe("");
    });

    it.each(["West Lethbridge", "downtown", "the hospital"])("has no key for an area or landmark: %s", (location) => {
      expect(placeKey(location)).toBe("");
    });

    it.each(["Highway 3", "13 Street South", "Scenic Drive", "5th Avenue"])("has no key for a whole street: %s", (location) => {
      expect(placeKey(location)).toBe("");
    });

    it("has no key for a street and something that is not a street", () => {
      expect(placeKey("5th Avenue near the school")).toBe("");
    });

    it("has no key for a street and whose place it is", () => {
      expect(placeKey("my place near 5th Avenue")).toBe("");
    });

    it("has no key for one street said twice", () => {
      expect(placeKey("5th Avenue and 5th Avenue")).toBe("");
    });

    it("has no key for nothing said", () => {
      expect(placeKey("")).toBe("");
    });
  });
});
