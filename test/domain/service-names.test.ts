/**
 * The names supervisors know the services by: the line's own for its urgent categories and
 * callbacks, the department's for an agent queue it answers alone, and the code in words only when
 * the documents give nothing better.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadFlowSet } from "../../src/adapters/files/flow-source.js";
import type { FlowSet } from "../../src/domain/definitions.js";
import { NO_DEPARTMENTS } from "../../src/domain/departments.js";
import { readableServiceName, serviceNamesOf, type ServiceNames } from "../../src/domain/service-names.js";

describe("serviceNamesOf", () => {
  let shipped: FlowSet;
  beforeAll(async () => {
    shipped = await loadFlowSet("flows");
  });

  describe("with the definitions Lethbridge's line ships with", () => {
    let name: ServiceNames;
    beforeAll(() => {
      name = serviceNamesOf(shipped);
    });

    it("names each agent queue by the department that answers it", () => {
      expect(["utility-billing", "waste-recycling", "bylaw-parking"].map(name)).toEqual(["Utility Billing", "Waste and Recycling", "Bylaw and Parking"]);
    });

    it("names a queue by its department when the department's other services are urgent categories or callbacks", () => {
      // Transportation / Public Works also takes road hazards (urgent); 311 Customer Service also takes callbacks.
      expect(name("roads-transit")).toBe("Transportation / Public Works");
      expect(name("general")).toBe("311 Customer Service");
    });

    it("keeps the line's own names for the urgent categories and callbacks", () => {
      expect(["power", "water", "roads", "callback"].map(name)).toEqual(["Power outage or electrical hazard", "Water or sewer problem", "Road hazard", "Call back"]);
    });

    it("puts a service no department handles in words", () => {
      expect(name("snow-angels")).toBe("Snow angels");
    });
  });

  it("puts a queue in words when its department answers two queues, rather than give both one name", () => {
    const departments = { departments: [{ name: "Transportation / Public Works", services: ["roads", "roads-transit", "snow-clearing"] }] };
    const name = serviceNamesOf({ ...shipped, departments });
    expect([name("roads-transit"), name("snow-clearing")]).toEqual(["Roads transit", "Snow clearing"]);
  });

  it("puts every queue in words when there is no departments document", () => {
    expect(serviceNamesOf({ ...shipped, departments: NO_DEPARTMENTS })("utility-billing")).toBe("Utility billing");
  });
});

describe("readableServiceName, without the definitions", () => {
  it("gives the line's own names, and the others' codes in words", () => {
    expect([readableServiceName("callback"), readableServiceName("utility-billing")]).toEqual(["Call back", "Utility billing"]);
  });
});
