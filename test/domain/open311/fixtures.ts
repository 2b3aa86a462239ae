/** A service request as the records keep it, for the Open311 specification: change what a test is about. */
import type { ServiceRequest } from "../../../src/domain/records.js";
import { serviceRequest as request } from "../../helpers/records.js";

/** Water coming up through a road after hours, reported by phone with everything GeoReport can carry filled in. */
export function serviceRequest(overrides: Partial<ServiceRequest> = {}): ServiceRequest {
  return request({
    reference: "100123",
    service: "water",
    department: "Water and Wastewater",
    channel: "after-hours",
    requestedAt: "2026-12-05T09:00:00.000Z",
    place: "5th Avenue and 13th Street South",
    description: "Water coming up through the road",
    recordingUrl: "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0123456789",
    callbackNumber: "+14035550187",
    contactName: "Pat Doe",
    contactEmail: "pat@example.org",
    callSid: "CA0123456789",
    incident: "100123",
    ...overrides,
  });
}
