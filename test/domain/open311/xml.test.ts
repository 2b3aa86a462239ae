import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { toGeoReportRequest } from "../../../src/domain/open311/requests.js";
import { geoReportServices } from "../../../src/domain/open311/services.js";
import { errorsXml, requestsXml, servicesXml } from "../../../src/domain/open311/xml.js";
import { serviceRequest } from "./fixtures.js";

const parser = new XMLParser({ parseTagValue: false, isArray: (name) => ["request", "service", "error"].includes(name) });

describe("GeoReport v2 in XML", () => {
  it("lists requests as <service_requests><request>, in the spec's element names", () => {
    const xml = requestsXml([toGeoReportRequest(serviceRequest(), "America/Edmonton"), toGeoReportRequest(serviceRequest({ reference: "100124" }), "America/Edmonton")]);
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests>')).toBe(true);
    const requests = parser.parse(xml).service_requests.request;
    expect(requests.map((request: { service_request_id: string }) => request.service_request_id)).toEqual(["100123", "100124"]);
    expect(requests[0]).toMatchObject({ status: "open", service_code: "water", requested_datetime: "2026-12-05T02:00:00-07:00", media_url: "" });
  });

  it("lists no requests as an empty <service_requests>", () => {
    expect(parser.parse(requestsXml([])).service_requests).toBe("");
  });

  it("lists services as <services><service>", () => {
    const services = parser.parse(servicesXml(geoReportServices({ departments: [] }, ["power", "water"]))).services.service;
    expect(services.map((service: { service_code: string }) => service.service_code)).toEqual(["power", "water"]);
    expect(services[0]).toMatchObject({ metadata: "false", type: "realtime" });
  });

  it("says errors as <errors><error> with code and description", () => {
    expect(parser.parse(errorsXml([{ code: 403, description: "api_key is required" }])).errors.error).toEqual([{ code: "403", description: "api_key is required" }]);
  });

  describe("what a resident typed", () => {
    const typed = `</description><script>alert("x")</script> & 'more'`;
    const xml = requestsXml([toGeoReportRequest(serviceRequest({ description: typed, place: "<b>Main & 1st</b>" }), "UTC")]);

    it("is escaped, never markup", () => {
      expect(xml).not.toContain("<script>");
      expect(xml).not.toContain("<b>");
      expect(xml).toContain("&lt;script&gt;");
    });

    it("reads back exactly as typed", () => {
      const request = parser.parse(xml).service_requests.request[0];
      expect([request.description, request.address]).toEqual([typed, "<b>Main & 1st</b>"]);
    });

    it("loses only the control characters XML cannot hold", () => {
      const request = parser.parse(requestsXml([toGeoReportRequest(serviceRequest({ description: "bell\u0007 and\ttab" }), "UTC")])).service_requests.request[0];
      expect(request.description).toBe("bell and\ttab");
    });
  });
});
