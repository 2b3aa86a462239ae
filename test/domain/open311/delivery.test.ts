import { describe, expect, it } from "vitest";
import {
  answerReason,
  deliveredNote,
  deliveryForm,
  deliveryOutcome,
  endpointOrigin,
  failedNote,
  idempotencyKey,
  keyForEndpoint,
  loggableEndpoint,
  readReceipt,
} from "../../../src/domain/open311/delivery.js";
import { serviceRequest } from "./fixtures.js";

const ZONE = "America/Edmonton";

describe("what is posted to a department", () => {
  const form = deliveryForm(serviceRequest(), ZONE);

  it("is GeoReport's POST requests.json fields", () => {
    expect(Object.keys(form).sort()).toEqual(["address_string", "description", "email", "first_name", "last_name", "phone", "service_code"]);
  });

  it("names the service and the place", () => {
    expect(form).toMatchObject({ service_code: "water", address_string: "5th Avenue and 13th Street South" });
  });

  it("carries the line's reference in the description, for the department's updates", () => {
    expect(form.description).toBe("Water coming up through the road\n\nCity 311 reference 100123 (Water or sewer problem, phoned in after hours, 2026-12-05T02:00:00-07:00).");
  });

  it("gives the department the resident's number and name, to reach them", () => {
    expect(form).toMatchObject({ phone: "+14035550187", first_name: "Pat", last_name: "Doe", email: "pat@example.org" });
  });

  it("never the caller's recording", () => {
    expect(JSON.stringify(form)).not.toContain("Recordings");
  });

  it("gives coordinates when there are some", () => {
    expect(deliveryForm(serviceRequest({ lat: 49.69, long: -112.84 }), ZONE)).toMatchObject({ lat: "49.69", long: "-112.84" });
  });

  it("describes a request nobody described by its service", () => {
    expect(deliveryForm(serviceRequest({ description: null }), ZONE).description).toMatch(/^Water or sewer problem\n\nCity 311 reference 100123/);
  });

  it("keeps the description within the spec's 4,000 characters", () => {
    expect(deliveryForm(serviceRequest({ description: "a".repeat(4000) }), ZONE).description!.length).toBeLessThanOrEqual(4000);
  });
});

describe("the department's answer", () => {
  it.each([
    [200, "delivered"],
    [201, "delivered"],
    [408, "retry"],
    [429, "retry"],
    [500, "retry"],
    [503, "retry"],
    [400, "refused"],
    [403, "refused"],
    [404, "refused"],
    [301, "refused"],
  ] as const)("HTTP %i means %s", (status, outcome) => {
    expect(deliveryOutcome(status)).toBe(outcome);
  });

  describe("read as a receipt", () => {
    it("gives the department's id from GeoReport JSON", () => {
      expect(readReceipt('[{"service_request_id":"W-77","service_notice":"Crew within 2 hours","account_id":null}]', "application/json")).toEqual({
        serviceRequestId: "W-77",
        serviceNotice: "Crew within 2 hours",
      });
    });

    it("gives the department's id from GeoReport XML", () => {
      const xml = '<?xml version="1.0" encoding="utf-8"?><service_requests><request><service_request_id>00293</service_request_id></request></service_requests>';
      expect(readReceipt(xml, "text/xml")).toEqual({ serviceRequestId: "00293" });
    });

    it("gives a batch system's token", () => {
      expect(readReceipt('[{"token":"12345"}]', "application/json")).toEqual({ token: "12345" });
    });

    it("is empty, not an error, when the answer says nothing readable", () => {
      expect(readReceipt("OK", "text/plain")).toEqual({});
    });
  });

  describe("as a reason", () => {
    it("gives the spec's error descriptions", () => {
      expect(answerReason(400, '[{"code":400,"description":"service_code not found"}]')).toBe("HTTP 400: service_code not found");
    });

    it("gives the start of any other answer, on one line", () => {
      expect(answerReason(502, "<html>\n<body>Bad gateway</body>\n</html>")).toBe("HTTP 502: <html> <body>Bad gateway</body> </html>");
    });

    it("says where a redirect points, and what to do", () => {
      expect(answerReason(301, "", "https://new.example.ca/requests.json")).toBe(
        "HTTP 301, redirected to https://new.example.ca/requests.json: set the department's endpoint to where it points",
      );
    });
  });
});

describe("the notes a delivery leaves", () => {
  it("say who has it and under which id, after how many attempts", () => {
    expect(deliveredNote("Water and Wastewater", { serviceRequestId: "W-77" }, "2026-12-05T17:00:00.000Z", 3)).toEqual({
      at: "2026-12-05T17:00:00.000Z",
      author: "line",
      kind: "delivered",
      text: "Delivered to Water and Wastewater as their request W-77 after 3 attempts.",
    });
  });

  it("say why it failed, and that it must be handed over another way", () => {
    expect(failedNote("Water and Wastewater", "HTTP 400: bad service", "2026-12-05T17:00:00.000Z").text).toBe(
      "Not delivered to Water and Wastewater: HTTP 400: bad service. Hand it over another way.",
    );
  });
});

describe("an endpoint in the log", () => {
  it("is shown without its query", () => {
    expect(loggableEndpoint("https://works.example.ca/open311/v2/requests.json?jurisdiction=x")).toBe("https://works.example.ca/open311/v2/requests.json");
  });
});

describe("a department's key", () => {
  const keys = { "https://works.example.ca": "works-key", "https://water.example.ca:8443/": "water-key" };

  it("is the one configured for the endpoint's origin, whatever the path", () => {
    expect(keyForEndpoint(keys, "https://works.example.ca/open311/v2/requests.json")).toBe("works-key");
    expect(keyForEndpoint(keys, "https://water.example.ca:8443/georeport/requests.json?jurisdiction_id=lethbridge.ca")).toBe("water-key");
  });

  it("matches the origin however it is written: host case, the default port, a trailing slash", () => {
    expect(keyForEndpoint(keys, "https://WORKS.Example.ca:443/requests.json")).toBe("works-key");
    expect(keyForEndpoint({ "https://Works.example.ca:443/": "k" }, "https://works.example.ca/requests.json")).toBe("k");
  });

  describe("is not given", () => {
    it("to another host, even one that starts the same", () => {
      expect(keyForEndpoint(keys, "https://works.example.ca.attacker.example/requests.json")).toBeUndefined();
      expect(keyForEndpoint(keys, "https://evil.example/works.example.ca/requests.json")).toBeUndefined();
    });

    it("to another port of the same host", () => {
      expect(keyForEndpoint(keys, "https://works.example.ca:8443/requests.json")).toBeUndefined();
      expect(keyForEndpoint(keys, "https://water.example.ca/requests.json")).toBeUndefined();
    });

    it("to the same host over another scheme", () => {
      expect(keyForEndpoint(keys, "http://works.example.ca/requests.json")).toBeUndefined();
    });

    it("to a user name smuggled in front of the host", () => {
      expect(keyForEndpoint(keys, "https://works.example.ca@attacker.example/requests.json")).toBeUndefined();
    });

    it("to something that is not an http(s) URL", () => {
      expect(keyForEndpoint(keys, "not a url")).toBeUndefined();
      expect(keyForEndpoint({ "ftp://works.example.ca": "k" }, "ftp://works.example.ca/x")).toBeUndefined();
    });
  });

  it("is configured by origin: scheme, host and port", () => {
    expect(endpointOrigin("https://Works.Example.ca:443/open311/v2/requests.json?x=1")).toBe("https://works.example.ca");
    expect(endpointOrigin("http://127.0.0.1:8080/requests.json")).toBe("http://127.0.0.1:8080");
  });
});

describe("the Idempotency-Key of a delivery", () => {
  it("is the reference and the department, the same on every retry", () => {
    expect(idempotencyKey("100123", "Water and Wastewater")).toBe("100123-water-and-wastewater");
    expect(idempotencyKey("100123", "Water and Wastewater")).toBe(idempotencyKey("100123", "Water and Wastewater"));
  });

  it("tells two departments' deliveries of one request apart", () => {
    expect(idempotencyKey("100123", "Transportation / Public Works")).toBe("100123-transportation-public-works");
  });

  it("holds only characters a header may", () => {
    expect(idempotencyKey("100 123\n", "Travaux publics é")).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
