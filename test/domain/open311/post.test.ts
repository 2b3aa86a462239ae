import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { Open311Error } from "../../../src/domain/open311/errors.js";
import { mediaNote, newOnlineRequest, parseNewRequest, planUpdate } from "../../../src/domain/open311/post.js";
import { serviceRequest } from "./fixtures.js";

const NOW = DateTime.fromISO("2026-12-05T10:00:00", { zone: "America/Edmonton" });
const CODES = ["power", "water", "roads", "callback", "utility-billing"];

function refusal(read: () => unknown): { status: number; errors: string[] } {
  try {
    read();
  } catch (error) {
    if (error instanceof Open311Error) return { status: error.status, errors: error.toGeoReport().map((entry) => entry.description) };
    throw error;
  }
  throw new Error("accepted");
}

describe("a request posted by the web form", () => {
  describe("with an address", () => {
    const fields = parseNewRequest(
      { service_code: "water", address_string: " 420 6 St S ", description: "Hydrant leaking", first_name: "Pat", last_name: "Doe", email: "pat@example.org", phone: "403 555 0187" },
      CODES,
    );
    const request = newOnlineRequest(fields, { reference: "100200", department: { name: "Water and Wastewater", services: ["water"] }, keyName: "web-form", now: NOW });

    it("becomes an open online request for the service's department", () => {
      expect(request).toMatchObject({ reference: "100200", service: "water", department: "Water and Wastewater", channel: "online", status: "open", closedAt: null });
    });

    it("is filed by the key's holder", () => {
      expect(request.source).toBe("open311:web-form");
    });

    it("was requested and updated now", () => {
      expect([request.requestedAt, request.updatedAt]).toEqual(["2026-12-05T17:00:00.000Z", "2026-12-05T17:00:00.000Z"]);
    });

    it("keeps the place as typed (trimmed), the description and the contact, the phone in E.164", () => {
      expect(request).toMatchObject({ place: "420 6 St S", description: "Hydrant leaking", contactName: "Pat Doe", contactEmail: "pat@example.org", callbackNumber: "+14035550187" });
    });

    it("has no recording and no call", () => {
      expect(request).toMatchObject({ recordingUrl: null, callSid: null, incident: null });
    });
  });

  describe("with coordinates, form-encoded as text", () => {
    it("keeps them as numbers, with no address", () => {
      const fields = parseNewRequest({ service_code: "roads", lat: "49.6935", long: "-112.8418" }, CODES);
      expect(newOnlineRequest(fields, { reference: "1", department: undefined, keyName: "k", now: NOW })).toMatchObject({ lat: 49.6935, long: -112.8418, place: null, department: null });
    });
  });

  describe("a call back, which is about the resident and not a place", () => {
    it("needs no place, only the number to call", () => {
      const fields = parseNewRequest({ service_code: "callback", phone: "403-555-0187", description: "A question about my tax bill" }, CODES);
      expect(newOnlineRequest(fields, { reference: "1", department: undefined, keyName: "k", now: NOW })).toMatchObject({ place: null, lat: null, long: null, callbackNumber: "+14035550187" });
    });

    it("is still refused without the number", () => {
      expect(refusal(() => parseNewRequest({ service_code: "callback" }, CODES)).errors).toEqual(["phone: a call back needs the phone number to call"]);
    });
  });

  describe("with an address_id, the spec's third way to say where", () => {
    it("needs no address_string or coordinates", () => {
      expect(parseNewRequest({ service_code: "water", address_id: "A-1234" }, CODES)).toMatchObject({ address_id: "A-1234" });
    });
  });

  describe("with characters no one can read", () => {
    it("keeps the words without them, and takes a field of nothing else as not given", () => {
      expect(parseNewRequest({ service_code: "water", address_string: "420 6 St S\u0000", description: "Hydrant\u0007 leaking\nat the corner", first_name: "\u0000" }, CODES)).toEqual({
        service_code: "water",
        address_string: "420 6 St S",
        description: "Hydrant leaking\nat the corner",
      });
    });
  });

  describe("with blank fields, as forms send them", () => {
    it("takes them as not given", () => {
      const fields = parseNewRequest({ service_code: "roads", address_string: "Whoop-Up Drive", lat: "", long: "", email: "", phone: "" }, CODES);
      expect(fields).toEqual({ service_code: "roads", address_string: "Whoop-Up Drive" });
    });
  });

  describe("refused", () => {
    it("without a service_code", () => {
      expect(refusal(() => parseNewRequest({ address_string: "x" }, CODES))).toEqual({ status: 400, errors: ["service_code: is required: one of the service codes in services.json"] });
    });

    it("with a service code the line does not have", () => {
      expect(refusal(() => parseNewRequest({ service_code: "snow", address_string: "x" }, CODES))).toEqual({
        status: 400,
        errors: ['service_code: "snow" is not a service of this line; services.json lists them'],
      });
    });

    it("without a place", () => {
      expect(refusal(() => parseNewRequest({ service_code: "water" }, CODES)).errors).toEqual(["address_string: where is it? Give address_string, or lat and long"]);
    });

    it("with lat but no long", () => {
      expect(refusal(() => parseNewRequest({ service_code: "water", lat: "49.7" }, CODES)).errors).toEqual(["long: lat and long go together: give both, or address_string"]);
    });

    it("with coordinates off the globe", () => {
      expect(refusal(() => parseNewRequest({ service_code: "water", lat: "91", long: "abc" }, CODES)).errors).toEqual([
        "lat: must be a number from -90 to 90",
        "long: must be a number from -180 to 180",
      ]);
    });

    it("with a bad email or phone", () => {
      expect(refusal(() => parseNewRequest({ service_code: "water", address_string: "x", email: "pat at home", phone: "12" }, CODES)).errors).toEqual([
        "email: is not an email address",
        "phone: is not a phone number; write it with its area code, e.g. 403-555-0187",
      ]);
    });

    it("with a description over the spec's 4,000 characters", () => {
      expect(refusal(() => parseNewRequest({ service_code: "water", address_string: "x", description: "a".repeat(4001) }, CODES)).errors).toEqual([
        "description: must be at most 4000 characters",
      ]);
    });

    it("for a call back without the number to call", () => {
      expect(refusal(() => parseNewRequest({ service_code: "callback", address_string: "x" }, CODES)).errors).toEqual(["phone: a call back needs the phone number to call"]);
    });

    it("with a media_url that is not a web address", () => {
      expect(refusal(() => parseNewRequest({ service_code: "water", address_string: "x", media_url: "javascript:alert(1)" }, CODES)).errors).toEqual([
        "media_url: must be an http or https URL",
      ]);
    });
  });

  describe("with a media_url", () => {
    it("keeps it as a note on the request, by the key's holder", () => {
      const fields = parseNewRequest({ service_code: "water", address_string: "x", media_url: "https://forms.example.ca/photo/1.jpg" }, CODES);
      expect(mediaNote(fields, NOW, "web-form")).toEqual({ at: "2026-12-05T17:00:00.000Z", author: "open311:web-form", kind: "media", text: "https://forms.example.ca/photo/1.jpg" });
    });
  });
});

describe("a department's update", () => {
  const DEPARTMENT = "Water and Wastewater";

  describe("closing its open request", () => {
    const plan = planUpdate(serviceRequest({ status: "acknowledged" }), { status: "closed", description: "Valve replaced.", updated_datetime: "2026-12-05T09:30:00-07:00" }, DEPARTMENT, NOW);

    it("closes it at the time the department says, with its words", () => {
      expect(plan).toMatchObject({ action: "close", status: "closed", at: "2026-12-05T16:30:00.000Z", by: DEPARTMENT, description: "Valve replaced." });
    });

    it("says the department calls it closed, so an urgent report's pages stop", () => {
      expect(plan.saysClosed).toBe(true);
    });

    it("is keyed by its time, so a department's retry is kept once", () => {
      expect(plan.key).toBe(`open311-update:100123:${DEPARTMENT}:closed:2026-12-05T16:30:00.000Z`);
    });

    it("without a description, says who closed it in the status notes", () => {
      expect(planUpdate(serviceRequest(), { status: "closed" }, DEPARTMENT, NOW)).toMatchObject({ action: "close", description: `Closed by ${DEPARTMENT}.` });
    });
  });

  describe("reopening its closed request", () => {
    it("reopens it, with its words", () => {
      expect(planUpdate(serviceRequest({ status: "closed" }), { status: "open", description: "Leaking again" }, DEPARTMENT, NOW)).toMatchObject({
        action: "reopen",
        status: "open",
        at: "2026-12-05T17:00:00.000Z",
        description: "Leaking again",
        saysClosed: false,
      });
    });

    it("without a description, says who reopened it in the status notes", () => {
      expect(planUpdate(serviceRequest({ status: "closed" }), { status: "open" }, DEPARTMENT, NOW)).toMatchObject({ action: "reopen", description: `Reopened by ${DEPARTMENT}.` });
    });
  });

  describe("with a description alone", () => {
    const plan = planUpdate(serviceRequest(), { description: "Crew on site", updated_datetime: "2026-12-05T09:45:00-07:00" }, DEPARTMENT, NOW);

    it("becomes the status notes and the last update, the status as it is", () => {
      expect(plan).toEqual({
        action: "describe",
        status: "open",
        at: "2026-12-05T16:45:00.000Z",
        by: DEPARTMENT,
        description: "Crew on site",
        forwardOnly: true,
        noteKind: "update",
        saysClosed: false,
        key: `open311-update:100123:${DEPARTMENT}:note:2026-12-05T16:45:00.000Z`,
      });
    });

    it("on a closed request, keeps it closed", () => {
      expect(planUpdate(serviceRequest({ status: "closed" }), { description: "Road resurfaced too" }, DEPARTMENT, NOW)).toMatchObject({ action: "describe", status: "closed", forwardOnly: false, saysClosed: false });
    });
  });

  describe("saying open about an open request", () => {
    it("with a description, changes its status notes and never takes an acknowledgement back", () => {
      expect(planUpdate(serviceRequest({ status: "acknowledged" }), { status: "open", description: "Parts ordered" }, DEPARTMENT, NOW)).toMatchObject({
        action: "describe",
        status: "acknowledged",
        description: "Parts ordered",
        forwardOnly: true,
      });
    });

    it("without one, is only a note", () => {
      expect(planUpdate(serviceRequest(), { status: "open" }, DEPARTMENT, NOW)).toEqual({ action: "note", note: { at: "2026-12-05T17:00:00.000Z", author: DEPARTMENT, kind: "update", text: "Still open." }, saysClosed: false });
    });
  });

  describe("saying closed about a closed request", () => {
    it("is a note, and still says closed, so pages that were not stopped then are stopped now", () => {
      expect(planUpdate(serviceRequest({ status: "closed" }), { status: "closed" }, DEPARTMENT, NOW)).toMatchObject({ action: "note", saysClosed: true });
    });
  });

  describe("refused", () => {
    it("for another department's request", () => {
      expect(refusal(() => planUpdate(serviceRequest({ department: "Electric Utility" }), { status: "closed" }, DEPARTMENT, NOW))).toEqual({
        status: 403,
        errors: [`request 100123 is not ${DEPARTMENT}'s: a department's key updates only its own requests`],
      });
    });

    it("without a status or a description", () => {
      expect(refusal(() => planUpdate(serviceRequest(), {}, DEPARTMENT, NOW)).errors).toEqual(["status: an update needs a status (open or closed), a description, or both"]);
    });

    it("with a status GeoReport does not have", () => {
      expect(refusal(() => planUpdate(serviceRequest(), { status: "done" }, DEPARTMENT, NOW)).errors).toEqual(['status: must be "open" or "closed"']);
    });

    it("with a time without its offset", () => {
      expect(refusal(() => planUpdate(serviceRequest(), { status: "closed", updated_datetime: "2026-12-05T09:30:00" }, DEPARTMENT, NOW)).errors[0]).toMatch(/^updated_datetime: must be an ISO 8601 date and time with its offset/);
    });

    it("with a time before the request was made, which would close it before it was opened", () => {
      const request = serviceRequest({ requestedAt: "2026-12-05T16:00:00.000Z" });
      expect(refusal(() => planUpdate(request, { status: "closed", updated_datetime: "2026-12-04T09:30:00-07:00" }, DEPARTMENT, NOW))).toEqual({
        status: 400,
        errors: [
          "updated_datetime: is before the request was made (2026-12-05T09:00:00-07:00); send the time the change was made, and check the sending system's clock and zone",
        ],
      });
    });

    describe("with a time in the future", () => {
      it("beyond a few minutes of clock skew, saying why", () => {
        expect(refusal(() => planUpdate(serviceRequest(), { status: "closed", updated_datetime: "2026-12-05T10:06:00-07:00" }, DEPARTMENT, NOW))).toEqual({
          status: 400,
          errors: [
            "updated_datetime: is in the future: more than 5 minutes ahead of the line's clock (2026-12-05T10:00:00-07:00); send the time the change was made, and check the sending system's clock and zone",
          ],
        });
      });

      it("the next day, as a date typed wrong", () => {
        expect(refusal(() => planUpdate(serviceRequest(), { status: "closed", updated_datetime: "2026-12-06T09:30:00-07:00" }, DEPARTMENT, NOW)).errors[0]).toMatch(/^updated_datetime: is in the future/);
      });

      it("but not within the few minutes a clock may run fast", () => {
        expect(planUpdate(serviceRequest(), { status: "closed", updated_datetime: "2026-12-05T10:05:00-07:00" }, DEPARTMENT, NOW)).toMatchObject({ action: "close", at: "2026-12-05T17:05:00.000Z" });
      });
    });
  });
});
