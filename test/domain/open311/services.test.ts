import { describe, expect, it } from "vitest";
import type { Departments } from "../../../src/domain/departments.js";
import { geoReportServices, postedNotice, serviceCodesOf, serviceName, urgentCodesOf } from "../../../src/domain/open311/services.js";
import { parseRoster } from "../../../src/domain/oncall/roster/index.js";
import { readFileSync } from "node:fs";
import { mainFlow } from "../../helpers/flow.js";

const departments: Departments = {
  departments: [
    { name: "Water and Wastewater", services: ["water"], endpoint: "https://works.example.ca/open311/v2/requests.json" },
    { name: "Parks", services: ["tree-down"] },
  ],
};

describe("the services list", () => {
  const services = geoReportServices(departments, ["power", "water", "callback", "utility-billing"]);
  const byCode = (code: string) => services.find((service) => service.service_code === code)!;

  it("has every known service code and every department's service, once each, by code", () => {
    expect(services.map((service) => service.service_code)).toEqual(["callback", "power", "tree-down", "utility-billing", "water"]);
  });

  it("groups each service under the department that handles it", () => {
    expect(byCode("water").group).toBe("Water and Wastewater");
    expect(byCode("tree-down").group).toBe("Parks");
  });

  it("leaves the group empty for a service no department handles yet", () => {
    expect(byCode("power").group).toBe("");
  });

  it("asks for no attributes (metadata false) and gives ids at once (realtime)", () => {
    for (const service of services) expect(service).toMatchObject({ metadata: false, type: "realtime" });
  });

  it("describes the line's own services in words residents use, with keywords", () => {
    expect(byCode("power")).toMatchObject({ service_name: "Power outage or electrical hazard" });
    expect(byCode("power").keywords).toContain("outage");
    expect(byCode("callback").service_name).toBe("Call back");
  });

  it("names an agent queue from its code", () => {
    expect(byCode("utility-billing")).toMatchObject({ service_name: "Utility billing", keywords: "utility, billing" });
    expect(serviceName("bylaw-parking")).toBe("Bylaw parking");
  });
});

describe("an urgent category in the services list", () => {
  const services = geoReportServices(departments, ["power", "water", "callback", "utility-billing"], ["power", "water"]);
  const byCode = (code: string) => services.find((service) => service.service_code === code)!;

  it("says plainly that a report made online does not page the on-call crew", () => {
    for (const code of ["power", "water"]) expect(byCode(code).description).toContain("does NOT page the on-call crew");
  });

  it("says to phone 311 for something happening now, and 911 when a life is in danger", () => {
    expect(byCode("water").description).toMatch(/happening now .*phone 311, day or night; if anyone's life is in danger, phone 911\./);
  });

  it("says the report is kept and sent to a department with an endpoint", () => {
    expect(byCode("water").description).toContain("Reported online, it is kept and sent to Water and Wastewater.");
  });

  it("says the report is kept, without claiming it is sent, for a service no department's system takes", () => {
    expect(byCode("power").description).toContain("Reported online, it is kept for the City's 311 centre.");
  });

  it("never promises that the crew is paged", () => {
    for (const service of services) expect(service.description).not.toMatch(/crew is paged|is paged/);
  });

  it("is not said of a service that is not urgent", () => {
    expect(byCode("callback").description).not.toContain("on-call");
    expect(byCode("utility-billing").description).not.toContain("on-call");
  });

  it("is, unless told otherwise, power, water and roads", () => {
    const defaults = geoReportServices({ departments: [] }, ["power", "roads", "water", "general"]);
    expect(defaults.filter((service) => service.description.includes("does NOT page")).map((service) => service.service_code)).toEqual(["power", "roads", "water"]);
  });
});

describe("the notice given on filing a request online", () => {
  it("for an urgent category, says where it went, that nobody is paged, and to phone 311 or 911", () => {
    expect(postedNotice({ department: "Water and Wastewater", sent: true, urgent: true })).toBe(
      "Your report is kept and sent to Water and Wastewater. A report made here does NOT page the on-call crew. If it is happening now (an outage, a break, a hazard), phone 311, day or night; if anyone's life is in danger, phone 911.",
    );
  });

  it("does not say sent when it was not queued for the department's system", () => {
    expect(postedNotice({ department: "Electric Utility", sent: false, urgent: true })).toMatch(/^Your report is kept for Electric Utility\. A report made here does NOT page/);
  });

  it("for anything else, says who has it", () => {
    expect(postedNotice({ department: "Utility Billing", sent: false, urgent: false })).toBe("Your request is kept for Utility Billing.");
    expect(postedNotice({ department: null, sent: false, urgent: false })).toBe("Your request is kept for the City's 311 centre.");
  });
});

describe("the urgent categories of the City's definitions", () => {
  const roster = parseRoster(readFileSync("flows/oncall.yaml", "utf8"), "flows/oncall.yaml");

  it("are the roster's categories", () => {
    expect(urgentCodesOf({ flows: new Map([["main", mainFlow()]]), roster })).toEqual(["power", "roads", "water"]);
  });

  it("are not the agent queues or callback", () => {
    const codes = urgentCodesOf({ flows: new Map([["main", mainFlow()]]), roster });
    expect(codes).not.toContain("callback");
    expect(codes).not.toContain("utility-billing");
  });
});

describe("the service codes of the City's definitions", () => {
  const roster = parseRoster(readFileSync("flows/oncall.yaml", "utf8"), "flows/oncall.yaml");
  const codes = serviceCodesOf({ flows: new Map([["main", mainFlow()]]), roster });

  it("are the urgent categories, the agent queues and callback", () => {
    expect(codes).toEqual(expect.arrayContaining(["power", "water", "roads", "callback", "utility-billing", "waste-recycling", "roads-transit", "bylaw-parking", "general"]));
  });

  it("are each listed once, in order", () => {
    expect(codes).toEqual([...new Set(codes)].sort());
  });
});
