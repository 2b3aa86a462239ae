import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { Open311ValidationError } from "../../../src/domain/open311/errors.js";
import { DEFAULT_PAGE_SIZE, MAX_DEPTH, parseRequestQuery } from "../../../src/domain/open311/query.js";

const NOW = DateTime.fromISO("2026-12-05T10:00:00", { zone: "America/Edmonton" });
const parse = (query: Record<string, unknown>) => parseRequestQuery(query, NOW);

function refusal(query: Record<string, unknown>): string[] {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof Open311ValidationError) return error.toGeoReport().map((entry) => `${entry.code} ${entry.description}`);
    throw error;
  }
  throw new Error("accepted");
}

describe("the requests list's filters", () => {
  describe("with none given", () => {
    const query = parse({});

    it("ask for the last 90 days, as the spec's default", () => {
      expect(query.from).toBe("2026-09-06T16:00:00.000Z");
      expect(query.to).toBeUndefined();
    });

    it("ask for every service and status, the first page", () => {
      expect(query).toMatchObject({ services: [], statuses: [], page: 1, pageSize: DEFAULT_PAGE_SIZE });
    });
  });

  describe("status", () => {
    it("open means open or acknowledged, since the spec has no acknowledged", () => {
      expect(parse({ status: "open" }).statuses).toEqual(["open", "acknowledged"]);
    });

    it("closed means closed", () => {
      expect(parse({ status: "closed" }).statuses).toEqual(["closed"]);
    });

    it("both, comma-separated or repeated, means every status", () => {
      expect(parse({ status: "open,closed" }).statuses).toEqual([]);
      expect(parse({ status: ["open", "closed"] }).statuses).toEqual([]);
    });

    it("anything else is refused, naming the parameter", () => {
      expect(refusal({ status: "acknowledged" })).toEqual(['400 status[0]: must be "open" or "closed"']);
    });
  });

  describe("service_code", () => {
    it("takes a comma-separated list", () => {
      expect(parse({ service_code: "water,power" }).services).toEqual(["water", "power"]);
    });

    it("refuses what cannot be a code", () => {
      expect(refusal({ service_code: "<script>" })[0]).toMatch(/^400 service_code\[0\]: is not a service code/);
    });
  });

  describe("dates", () => {
    it("read a bare date in the City's zone, end_date including the whole day", () => {
      const query = parse({ start_date: "2026-12-01", end_date: "2026-12-01" });
      expect([query.from, query.to]).toEqual(["2026-12-01T07:00:00.000Z", "2026-12-02T07:00:00.000Z"]);
    });

    it("keep the offset a date and time is given with", () => {
      expect(parse({ start_date: "2026-12-01T08:00:00Z" }).from).toBe("2026-12-01T08:00:00.000Z");
    });

    it("with only end_date, ask for the 90 days before it", () => {
      expect(parse({ end_date: "2026-12-01T00:00:00Z" }).from).toBe("2026-09-02T00:00:00.000Z");
    });

    it("with only updated_after, ask for every request updated since, however old", () => {
      const query = parse({ updated_after: "2026-12-04T00:00:00-07:00" });
      expect(query).toMatchObject({ updatedAfter: "2026-12-04T07:00:00.000Z" });
      expect(query.from).toBeUndefined();
    });

    it("refuse what is not a date, saying how to write one", () => {
      expect(refusal({ start_date: "yesterday" })).toEqual([
        '400 start_date: "yesterday" is not a date; write it in ISO 8601, e.g. 2026-12-01 or 2026-12-01T08:00:00-07:00',
      ]);
      expect(refusal({ updated_before: "2026-13-45" })[0]).toMatch(/^400 updated_before: /);
    });

    it("refuse a date the records cannot compare (the year 0, past 9999), saying which years may be asked for", () => {
      expect(refusal({ start_date: "0000-12-31T23:59:59.999Z" })).toEqual(['400 start_date: "0000-12-31T23:59:59.999Z" is out of range: give a date from 1900 to 9998']);
      expect(refusal({ end_date: "9999-12-31" })[0]).toMatch(/^400 end_date: "9999-12-31" is out of range/);
      // The last day named is included: 9998-12-31 may be asked for, though its end is in 9999.
      expect(parseRequestQuery({ end_date: "9998-12-31" }, NOW).to).toBe("9999-01-01T07:00:00.000Z");
    });

    it("refuse an end before the start", () => {
      expect(refusal({ start_date: "2026-12-05", end_date: "2026-12-01" })).toEqual(["400 end_date: must be after start_date"]);
    });

    it("refuse a date given twice", () => {
      expect(refusal({ start_date: ["2026-12-01", "2026-12-02"] })).toEqual(["400 start_date: give it once"]);
    });
  });

  describe("paging", () => {
    it("reads page and page_size", () => {
      expect(parse({ page: "3", page_size: "20" })).toMatchObject({ page: 3, pageSize: 20 });
    });

    it.each([["page", "0"], ["page", "-1"], ["page", "two"], ["page_size", "0"], ["page_size", "1001"], ["page_size", "1.5"]])("refuses %s=%s", (name, value) => {
      expect(refusal({ [name]: value })[0]).toMatch(new RegExp(`^400 ${name}: must be a whole number from 1 to `));
    });
  });

  describe("how deep a page reaches", () => {
    it("goes as far as the 10,000th request of the list", () => {
      expect(MAX_DEPTH).toBe(10_000);
      expect(parse({ page: "10", page_size: "1000" })).toMatchObject({ page: 10, pageSize: 1000 });
      expect(parse({ page: "100" })).toMatchObject({ page: 100, pageSize: DEFAULT_PAGE_SIZE });
    });

    it("no further: a page past it is refused, saying to narrow the list by dates", () => {
      expect(refusal({ page: "11", page_size: "1000" })).toEqual([
        "400 page: page 11 of 1000 goes past the first 10,000 requests of the list, as deep as a list is read: narrow it with start_date and end_date (or updated_after and updated_before) instead",
      ]);
    });

    it("counts the default page size", () => {
      expect(refusal({ page: "101" })[0]).toMatch(/^400 page: page 101 of 100 goes past/);
    });
  });

  describe("service_request_id", () => {
    it("asks for those requests only, ignoring the other filters as the spec says", () => {
      expect(parse({ service_request_id: "100123,100124", status: "closed", start_date: "2026-12-01" })).toEqual({
        ids: ["100123", "100124"],
        services: [],
        statuses: [],
        page: 1,
        pageSize: DEFAULT_PAGE_SIZE,
      });
    });
  });

  it("says every bad parameter at once", () => {
    expect(refusal({ status: "maybe", page: "0", end_date: "soon" })).toHaveLength(3);
  });

  it("leaves parameters it does not know alone (api_key, jurisdiction_id)", () => {
    expect(() => parse({ api_key: "x", jurisdiction_id: "lethbridge.ca" })).not.toThrow();
  });
});
