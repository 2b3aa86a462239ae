/** A service request as the records keep it, for the Open311 specification: change what a test is about. */
import type { ServiceRequest } from "../../../src/domain/records.js";

export function serviceRequest(overrides: Partial<ServiceRequest> = {}): ServiceRequest {
  return {
    reference: "100123",
    service: "water",
    department: "Water and Wastewater",
    channel: "after-hours",
    status: "open",
    statusDescription: null,
    requestedAt: "2026-12-05T09:00:00.000Z",
    updatedAt: "2026-12-05T09:00:00.000Z",
    closedAt: null,
    place: "5th Avenue and 13th Street South",
    lat: null,
    long: null,
    description: "Water coming up through the road",
    recordingUrl: "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0123456789",
    callbackNumber: "+14035550187",
    contactName: "Pat Doe",
    contactEmail: "pat@example.org",
    callSid: "CA0123456789",
    incident: "100123",
    source: "ivr",
    ...overrides,
  };
}
