import { describe, expect, it } from "vitest";
import { voicemailDescription, voicemailQueue } from "../../src/domain/records.js";
import { serviceRequest } from "../helpers/records.js";

describe("a voicemail's request says the queue it was left from", () => {
  it("in the line's words, read back as the queue", () => {
    const request = serviceRequest({ reference: "8101", service: "callback", source: "voicemail", description: voicemailDescription("utility-billing") });
    expect(voicemailQueue(request)).toBe("utility-billing");
  });

  it("by the queue's name, which is what the line files it with", () => {
    const request = serviceRequest({ reference: "8103", service: "callback", source: "voicemail", description: voicemailDescription("Transportation / Public Works") });
    expect(voicemailQueue(request)).toBe("Transportation / Public Works");
  });

  it("and says none when it was not left from a queue", () => {
    expect(voicemailQueue(serviceRequest({ reference: "8101", service: "callback", source: "voicemail", description: voicemailDescription(undefined) }))).toBeNull();
  });

  it("never reads a queue from what a resident typed, even in the same words", () => {
    const typed = serviceRequest({ reference: "8102", service: "callback", source: "open311:web-form", description: voicemailDescription("utility-billing") });
    expect(voicemailQueue(typed)).toBeNull();
  });
});
