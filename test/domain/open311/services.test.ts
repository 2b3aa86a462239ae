import { describe, expect, it } from "vitest";
import type { Departments } from "../../../src/domain/departments.js";
import { geoReportServices, serviceCodesOf, serviceName } from "../../../src/domain/open311/services.js";
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
