/**
 * The departments as the console shows them, from the line's own flows and rosters: what each
 * service is, the endpoint without its query, and when a department's deliveries need someone.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadFlowSet, type FlowSet } from "../../src/adapters/files/flow-source.js";
import type { Departments } from "../../src/domain/departments.js";
import { departmentsView, type DeliveryCounts } from "../../src/domain/departments-view.js";

const DEPARTMENTS: Departments = {
  departments: [
    { name: "Electric Utility", services: ["power"] },
    { name: "Utility Billing", services: ["utility-billing", "general", "callback", "animal-control"], endpoint: "https://billing.example.ca/open311/v2/requests.json?jurisdiction_id=lethbridge.ca" },
  ],
};

const counts = (changes: Partial<DeliveryCounts> = {}): DeliveryCounts => ({ waiting: 0, failed: 0, lastError: null, lastDeliveredAt: null, ...changes });

describe("departmentsView", () => {
  let set: FlowSet;
  beforeAll(async () => {
    set = await loadFlowSet("flows");
  });

  it("says each service is an urgent category (by its label), an agent queue (the fallback one too), voicemails, or online requests only", () => {
    const view = departmentsView(DEPARTMENTS, set, undefined);
    expect(view.departments[0]!.services).toEqual([{ code: "power", kind: "urgent", what: "Electric" }]);
    expect(view.departments[1]!.services.map((service) => [service.code, service.what])).toEqual([
      ["utility-billing", "agent queue"],
      ["general", "agent queue"],
      ["callback", "voicemails"],
      ["animal-control", "online requests only"],
    ]);
  });

  it("shows an endpoint as scheme, host and path, and none as kept here", () => {
    const view = departmentsView(DEPARTMENTS, set, {});
    expect(view.departments[1]!.delivery.endpoint).toBe("https://billing.example.ca/open311/v2/requests.json");
    expect(view.departments[0]!.delivery.endpoint).toBeNull();
  });

  it("knows no deliveries' state when the queue cannot be read, and none for a department the queue has never seen", () => {
    expect(departmentsView(DEPARTMENTS, set, undefined).departments[1]!.delivery.counts).toBeNull();
    expect(departmentsView(DEPARTMENTS, set, {}).departments[1]!.delivery.counts).toEqual(counts());
  });

  describe("a department's deliveries", () => {
    const billing = (state: DeliveryCounts) => departmentsView(DEPARTMENTS, set, { "Utility Billing": state }).departments[1]!;

    it("need nobody while they arrive", () => {
      expect(billing(counts({ waiting: 2, lastDeliveredAt: "2026-12-02T16:59:00Z" })).needsAttention).toBe(false);
    });

    it("need nobody once a failure was followed by a delivery", () => {
      const recovered = billing(counts({ lastError: { at: "2026-12-02T16:00:00Z", message: "HTTP 503" }, lastDeliveredAt: "2026-12-02T16:05:00Z", waiting: 1 }));
      expect(recovered).toMatchObject({ needsAttention: false, delivery: { retrying: false } });
    });

    it("need someone when the last try failed, nothing was delivered since, and deliveries wait", () => {
      const failing = billing(counts({ lastError: { at: "2026-12-02T16:10:00Z", message: "HTTP 503" }, lastDeliveredAt: "2026-12-02T16:05:00Z", waiting: 3 }));
      expect(failing).toMatchObject({ needsAttention: true, delivery: { retrying: true, failedForGood: 0 } });
    });

    it("need someone when a delivery failed for good, whatever came after", () => {
      const refused = billing(counts({ failed: 1, lastDeliveredAt: "2026-12-02T17:00:00Z" }));
      expect(refused).toMatchObject({ needsAttention: true, delivery: { retrying: false, failedForGood: 1 } });
    });
  });

  describe("deliveries under a name the document no longer has", () => {
    it("are listed while they wait or failed, and forgotten once nothing is left", () => {
      const view = departmentsView(DEPARTMENTS, set, {
        "Bylaw Office": counts({ failed: 2 }),
        "Old Works": counts({ lastDeliveredAt: "2026-11-02T16:00:00Z" }),
      });
      expect(view.former).toEqual([{ name: "Bylaw Office", needsAttention: true, delivery: { endpoint: null, counts: counts({ failed: 2 }), retrying: false, failedForGood: 2 } }]);
    });
  });
});
