/**
 * What the callback worklist says of each caller's message: what the line really has, each thing
 * labelled for what it is (the recording to listen to, the place they gave, which queue they were
 * waiting for, what they wrote online), and never the line's own description of a voicemail as if
 * the caller had said it. Rendered from requests as the line files them (requestFromVoicemail).
 */
import { DateTime } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import { loadFlowSet } from "../../src/adapters/files/flow-source.js";
import type { CallbackItem } from "../../src/domain/callbacks.js";
import { requestFromVoicemail, type CallRecord, type ServiceRequest } from "../../src/domain/records.js";
import { serviceNamesOf, type ServiceNames } from "../../src/domain/service-names.js";
import { escapeHtml } from "../../src/http/console/html.js";
import type { PageContext } from "../../src/http/console/layout.js";
import { callbacksPage, slug } from "../../src/http/console/pages/callbacks.js";
import { voicemailCall } from "../helpers/records.js";

const ZONE = "America/Edmonton";
const NOW = DateTime.fromISO("2026-12-02T10:30", { zone: ZONE });
const CONTEXT: PageContext = { username: "dana", role: "supervisor", csrfToken: "token", assets: undefined, zone: ZONE };

/** The record of a call that ended in a voicemail a few minutes ago, left while waiting for utility billing unless `changes` say otherwise. */
const voicemail = (reference: string, changes: Partial<Omit<CallRecord, "reference">> = {}): CallRecord =>
  voicemailCall({
    reference,
    from: "+14035550177",
    startedAt: NOW.minus({ minutes: 5 }).toUTC().toISO()!,
    durationSeconds: 180,
    path: ["check-hours", "day-menu", "queue-billing", "voicemail"],
    queue: { name: "utility-billing", waitSeconds: 95, result: "leave" },
    ...changes,
  });

function item(request: ServiceRequest): CallbackItem {
  return { request, requestedAt: DateTime.fromISO(request.requestedAt, { zone: ZONE }), dueBy: null, overdue: false };
}

/** The row group of one callback on the worklist. */
function row(page: string, reference: string): string {
  const start = page.indexOf(`id="callback-${slug(reference)}"`);
  expect(start).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf("</tbody>", start));
}

/** The cell with the caller's message. */
function message(page: string, reference: string): string {
  return /<td class="message">([\s\S]*?)<\/td>/.exec(row(page, reference))![1]!;
}

describe("the callback worklist's messages", () => {
  let names: ServiceNames;
  let queued: ServiceRequest;
  let afterHours: ServiceRequest;
  let online: ServiceRequest;
  let older: ServiceRequest;
  let coded: ServiceRequest;
  let page: string;

  beforeAll(async () => {
    names = serviceNamesOf(await loadFlowSet("flows"));
    // As the records worker files it: the queue by its name.
    queued = requestFromVoicemail(voicemail("8101"), "311 Customer Service", names("utility-billing"))!;
    // As it was filed before the line named queues: by the flow's code.
    coded = requestFromVoicemail(voicemail("8105"), "311 Customer Service")!;
    afterHours = requestFromVoicemail(voicemail("8102", { afterHours: true, queue: null, path: ["check-hours", "after-hours", "urgent-menu", "voicemail"] }), "311 Customer Service")!;
    online = {
      ...queued,
      reference: "8103",
      channel: "online",
      source: "open311:web-form",
      recordingUrl: null,
      callSid: null,
      place: "<b>1204</b> 3 Ave S",
      description: `Please call about my bill <script>alert(1)</script>`,
    };
    older = { ...queued, reference: "8104", description: "Voicemail from the old menu: call back." };
    page = callbacksPage(CONTEXT, { open: [queued, afterHours, online, older, coded].map(item), more: false, closed: [], now: NOW, serviceNames: names });
  });

  it("heads the column for the message, not for what the caller said", () => {
    expect(page).toContain("<th>Their message</th>");
    expect(page).not.toContain("What they said");
  });

  describe("a voicemail left while waiting in an agent queue", () => {
    it("offers the recording to listen to, first: what the caller said is in it", () => {
      expect(message(page, "8101")).toMatch(
        /^<p class="listen"><a href="https:\/\/api\.twilio\.com\/2010-04-01\/Accounts\/AC0\/Recordings\/RE8101" target="_blank" rel="noopener noreferrer">Listen to the message<span class="visually-hidden"> for 8101<\/span><\/a><\/p>/,
      );
    });

    it("says which queue they were waiting for, by the name supervisors know it by", () => {
      expect(message(page, "8101")).toContain("<li>Left while waiting for Utility Billing</li>");
    });

    it("does not show the line's own description of it", () => {
      expect(queued.description).toBe("Voicemail left while waiting for Utility Billing: call back.");
      expect(row(page, "8101")).not.toContain("call back.");
    });

    it("names the queue of one filed before the line named queues (by its code) as supervisors know it", () => {
      expect(coded.description).toBe("Voicemail left while waiting for utility-billing: call back.");
      expect(message(page, "8105")).toContain("<li>Left while waiting for Utility Billing</li>");
      expect(row(page, "8105")).not.toContain("utility-billing");
    });

    it("names such a queue by its code in words when the console has no definitions to name it by", () => {
      const bare = callbacksPage(CONTEXT, { open: [item(coded)], more: false, closed: [], now: NOW });
      expect(message(bare, "8105")).toContain("<li>Left while waiting for Utility billing</li>");
    });
  });

  it("says a voicemail left on the trouble line was left after hours, and nothing the caller did not say", () => {
    expect(afterHours.description).toBe("Voicemail: call back.");
    expect(message(page, "8102")).toContain("Listen to the message<span class=\"visually-hidden\"> for 8102</span>");
    expect(message(page, "8102")).toContain("<li>Left on the after-hours line</li>");
    expect(message(page, "8102")).not.toContain("call back");
  });

  describe("a callback asked for on the web form", () => {
    it("says there is no recording", () => {
      expect(message(page, "8103")).toContain('<p class="listen"><span class="muted">no recording</span></p>');
    });

    it("gives the place and the words the resident wrote, labelled, escaped", () => {
      expect(message(page, "8103")).toContain(`<span class="fact-label">Place they gave:</span> <span class="said-place">${escapeHtml("<b>1204</b> 3 Ave S")}</span>`);
      expect(message(page, "8103")).toContain(`<span class="fact-label">They wrote:</span> <span class="said-text">“${escapeHtml("Please call about my bill <script>alert(1)</script>")}”</span>`);
      expect(page).not.toContain("<script>alert");
    });
  });

  it("labels a voicemail's description in words it does not know as the line's note, not the caller's", () => {
    expect(message(page, "8104")).toContain(`<span class="fact-label">The line's note:</span> Voicemail from the old menu: call back.`);
  });
});
