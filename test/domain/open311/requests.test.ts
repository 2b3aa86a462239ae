import { describe, expect, it } from "vitest";
import { geoReportStatus, scrub, toGeoReportRequest, WITHHELD } from "../../../src/domain/open311/requests.js";
import { serviceRequest } from "./fixtures.js";

const ZONE = "America/Edmonton";

describe("a request in GeoReport v2", () => {
  describe("its fields", () => {
    const view = toGeoReportRequest(serviceRequest(), ZONE);

    it("are the spec's, every one present", () => {
      expect(Object.keys(view).sort()).toEqual(
        [
          "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible", "service_notice",
          "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
        ].sort(),
      );
    });

    it("say what was reported, where, by whom it is handled", () => {
      expect(view).toMatchObject({
        service_request_id: "100123",
        service_code: "water",
        service_name: "Water or sewer problem",
        description: "Water coming up through the road",
        address: "5th Avenue and 13th Street South",
        agency_responsible: "Water and Wastewater",
        service_notice: "Handled by Water and Wastewater.",
      });
    });

    it("give times in the City's zone with its offset, to the second", () => {
      expect(view.requested_datetime).toBe("2026-12-05T02:00:00-07:00");
      expect(view.updated_datetime).toBe("2026-12-05T02:00:00-07:00");
    });

    it("leave what the line does not know null", () => {
      expect(view).toMatchObject({ expected_datetime: null, address_id: null, zipcode: null, lat: null, long: null });
    });
  });

  describe("what is never in it", () => {
    const json = JSON.stringify(toGeoReportRequest(serviceRequest(), ZONE));

    it("the callback number", () => {
      expect(json).not.toContain("5550187");
    });

    it("the recording, not even as media_url", () => {
      expect(json).not.toContain("Recordings");
      expect(toGeoReportRequest(serviceRequest(), ZONE).media_url).toBeNull();
    });

    it("the resident's name and email, nor the call", () => {
      expect(json).not.toContain("Pat Doe");
      expect(json).not.toContain("pat@example.org");
      expect(json).not.toContain("CA0123456789");
    });
  });

  describe("its status", () => {
    it("is open while open", () => {
      expect(geoReportStatus("open")).toBe("open");
    });

    it("is open while acknowledged, since the spec has only open and closed", () => {
      expect(geoReportStatus("acknowledged")).toBe("open");
    });

    it("is closed once closed", () => {
      expect(geoReportStatus("closed")).toBe("closed");
    });

    it("has notes saying an acknowledged request is being worked on, when nobody said more", () => {
      expect(toGeoReportRequest(serviceRequest({ status: "acknowledged" }), ZONE).status_notes).toBe("Acknowledged: someone is working on it.");
    });

    it("has the public word on it as notes when there is one", () => {
      expect(toGeoReportRequest(serviceRequest({ status: "closed", statusDescription: "Valve replaced." }), ZONE).status_notes).toBe("Valve replaced.");
    });

    it("has no notes for an open request nobody commented on", () => {
      expect(toGeoReportRequest(serviceRequest(), ZONE).status_notes).toBeNull();
    });
  });

  describe("a request without a department", () => {
    it("names no agency and gives no notice", () => {
      expect(toGeoReportRequest(serviceRequest({ department: null }), ZONE)).toMatchObject({ agency_responsible: null, service_notice: null });
    });
  });

  describe("a request from the web form with coordinates", () => {
    it("gives lat and long as numbers", () => {
      expect(toGeoReportRequest(serviceRequest({ lat: 49.6935, long: -112.8418 }), ZONE)).toMatchObject({ lat: 49.6935, long: -112.8418 });
    });
  });
});

describe("scrubbing free text of the callback number", () => {
  const request = serviceRequest();

  it.each([
    ["in E.164", "call me at +14035550187 please"],
    ["with dashes", "call me at 403-555-0187 please"],
    ["with brackets and spaces", "call me at (403) 555 0187 please"],
    ["with the country code", "call me at 1 403 555 0187 please"],
    ["as a local number", "call me at 555-0187 please"],
  ])("takes it out written %s", (_how, text) => {
    const scrubbed = scrub(text, request)!;
    expect(scrubbed.replace(/\D/g, "")).not.toContain("5550187");
    expect(scrubbed).toContain(WITHHELD);
    expect(scrubbed).toMatch(/^call me at .*please$/);
  });

  it("leaves other numbers alone: a house number, a date, a longer number", () => {
    expect(scrub("1234 5th Avenue, since 2026-12-05, meter 45550187", request)).toBe("1234 5th Avenue, since 2026-12-05, meter 45550187");
  });

  it("takes out the recording's address", () => {
    expect(scrub(`heard on ${request.recordingUrl}`, request)).toBe(`heard on ${WITHHELD}`);
  });

  it("reaches every text field of the view", () => {
    const view = toGeoReportRequest(
      serviceRequest({ description: "call 403 555 0187", place: "at +14035550187's house", statusDescription: "left a message at 555-0187" }),
      ZONE,
    );
    expect(JSON.stringify(view)).not.toMatch(/555.?0187/);
  });

  it("leaves text alone when there is no callback number", () => {
    expect(scrub("call 403 555 0187", serviceRequest({ callbackNumber: null }))).toBe("call 403 555 0187");
  });
});
