/**
 * `departments.yaml`: which department handles each service, and where its requests are
 * delivered. Read from YAML as the supervisor wrote it, every problem said with its path and a fix.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { departmentFor, NO_DEPARTMENTS } from "../../src/domain/departments.js";
import { parseDepartments } from "../../src/domain/departments-parse.js";
import { DepartmentsSchema } from "../../src/domain/departments-schema.js";
import { formatProblem } from "../../src/domain/validation.js";
import { problemsOf } from "../helpers/problems.js";

const FILE = "flows/departments.yaml";
const shipped = readFileSync(FILE, "utf8");

/** The problems `yamlText` has, formatted as supervisors read them. */
const problemsIn = (yamlText: string) => problemsOf(() => parseDepartments(yamlText, "departments.yaml"), "the text").map(formatProblem);

/** One department, `fields` written under its name. */
const oneDepartment = (fields: string) => `departments:\n  - name: Electric Utility\n${fields}`;

describe("parseDepartments", () => {
  describe("flows/departments.yaml, the departments Lethbridge's line ships with", () => {
    const { departments } = parseDepartments(shipped, FILE);

    it("names seven departments, each with the services it handles", () => {
      expect(departments.map(({ name, services }) => [name, services])).toEqual([
        ["Electric Utility", ["power"]],
        ["Water and Wastewater", ["water"]],
        ["Transportation / Public Works", ["roads", "roads-transit"]],
        ["Utility Billing", ["utility-billing"]],
        ["Waste and Recycling", ["waste-recycling"]],
        ["Bylaw and Parking", ["bylaw-parking"]],
        ["311 Customer Service", ["callback", "general"]],
      ]);
    });

    it("delivers to no endpoint: requests are kept by the line until a department's system is set up", () => {
      expect(departments.filter((department) => department.endpoint !== undefined)).toEqual([]);
    });

    it("shows, in a comment, how to add an endpoint, and that a key is never written in the file", () => {
      expect(shipped).toMatch(/^#\s+endpoint: https:\/\/\S+$/m);
      expect(shipped).toMatch(/Never write a key/);
    });
  });

  describe("a department with an endpoint", () => {
    it("keeps the address as written", () => {
      const parsed = parseDepartments(oneDepartment("    services: [power]\n    endpoint: https://works.example.ca/open311/v2/requests.json\n"), "departments.yaml");
      expect(parsed.departments[0]).toEqual({ name: "Electric Utility", services: ["power"], endpoint: "https://works.example.ca/open311/v2/requests.json" });
    });

    it("may be http, for a system inside the City's network", () => {
      expect(parseDepartments(oneDepartment("    services: [power]\n    endpoint: http://10.1.2.3:8080/requests.json\n"), "departments.yaml").departments[0]?.endpoint).toBe(
        "http://10.1.2.3:8080/requests.json",
      );
    });
  });

  it("reads an empty list as no departments", () => {
    expect(parseDepartments("departments: []\n", "departments.yaml")).toEqual(NO_DEPARTMENTS);
  });

  describe("refuses", () => {
    it("the same name twice, however it is capitalized or spaced", () => {
      expect(problemsIn(`${oneDepartment("    services: [power]\n")}  - name: electric  utility\n    services: [water]\n`)).toEqual([
        'departments.yaml: departments[1].name: "electric  utility" is already the name of departments[0] (give each department its own name)',
      ]);
    });

    it("a service in two departments, naming the one that has it", () => {
      expect(problemsIn(`${oneDepartment("    services: [power]\n")}  - name: Water\n    services: [water, power]\n`)).toEqual([
        'departments.yaml: departments[1].services[1]: "power" is already a service of "Electric Utility" (departments[0]) (a service goes to one department: remove it from one of them)',
      ]);
    });

    it("a service listed twice in one department", () => {
      expect(problemsIn(oneDepartment("    services: [power, power]\n"))).toEqual(['departments.yaml: departments[0].services[1]: "power" is listed twice (list each service once)']);
    });

    it("a service code that is not lower-case letters, digits and dashes, with the code to write", () => {
      expect(problemsIn(oneDepartment("    services: [Utility Billing]\n"))).toEqual([
        'departments.yaml: departments[0].services[0]: "Utility Billing" is not a service code (use lower-case letters, digits and dashes, as the urgent categories and queue names are written, e.g. "utility-billing")',
      ]);
    });

    it("a department without services", () => {
      expect(problemsIn(oneDepartment("    services: []\n"))).toEqual(["departments.yaml: departments[0].services: services is empty"]);
      expect(problemsIn(oneDepartment(""))).toEqual(["departments.yaml: departments[0].services: services is missing (add services: the service codes it handles, e.g. [power])"]);
    });

    it("a department without a name", () => {
      expect(problemsIn("departments:\n  - services: [power]\n")).toEqual([
        'departments.yaml: departments[0].name: name is missing (add name: the department as people say it, e.g. "Electric Utility")',
      ]);
    });

    it("an endpoint that is not a web address", () => {
      expect(problemsIn(oneDepartment("    services: [power]\n    endpoint: works.example.ca\n"))).toEqual([
        'departments.yaml: departments[0].endpoint: "works.example.ca" is not a web address (write the whole address, e.g. "https://works.example.ca/open311/v2/requests.json")',
      ]);
    });

    it("an endpoint that is not http or https", () => {
      expect(problemsIn(oneDepartment("    services: [power]\n    endpoint: ftp://works.example.ca/requests\n"))).toEqual([
        'departments.yaml: departments[0].endpoint: "ftp:" addresses cannot be delivered to (write an https (or http) address, e.g. "https://works.example.ca/open311/v2/requests.json")',
      ]);
    });

    it("a misspelled field, with the one meant", () => {
      expect(problemsIn(oneDepartment("    services: [power]\n    endpiont: https://works.example.ca/requests.json\n"))).toEqual([
        'departments.yaml: departments[0].endpiont: unknown field "endpiont" (did you mean "endpoint"?)',
      ]);
    });

    it("a list without departments: above it", () => {
      expect(problemsIn("- name: Electric Utility\n  services: [power]\n")).toEqual(["departments.yaml: expected departments: with the list of departments under it, found a list on its own"]);
    });

    it("an empty file, pointing at the example", () => {
      expect(problemsIn("# nothing yet\n")).toEqual(["departments.yaml: the file is empty (start from the example in flows/departments.yaml)"]);
    });

    it("every problem at once, one per place", () => {
      expect(problemsIn(`departments:\n  - name: A\n    services: [Power]\n  - name: B\n    services: []\n    endpoint: nowhere\n`)).toHaveLength(3);
    });
  });

  // The file is published, kept in every version, diffed into the audit log and shown to every
  // viewer of the console: a key written in it would be everywhere.
  describe("refuses a secret in the file, without repeating it", () => {
    it("a user name and password in the endpoint", () => {
      const problems = problemsIn(oneDepartment("    services: [power]\n    endpoint: https://dana:hunter2@works.example.ca/requests.json\n"));
      expect(problems).toEqual([
        "departments.yaml: departments[0].endpoint: the endpoint has a user name or password in it (remove it: a department's key is configured outside this file, never written in it)",
      ]);
      expect(problems.join()).not.toContain("hunter2");
    });

    it("a key in the endpoint's query", () => {
      const problems = problemsIn(oneDepartment("    services: [power]\n    endpoint: https://works.example.ca/requests.json?api_key=s3cr3t\n"));
      expect(problems).toEqual([
        'departments.yaml: departments[0].endpoint: the endpoint\'s address carries "api_key" (remove it: a department\'s key is configured outside this file, never written in it)',
      ]);
      expect(problems.join()).not.toContain("s3cr3t");
    });

    it.each(["key", "api_key", "apiKey", "token", "password"])("a field named %s, saying where keys belong", (field) => {
      const problems = problemsIn(oneDepartment(`    services: [power]\n    ${field}: s3cr3t\n`));
      expect(problems).toEqual([
        `departments.yaml: departments[0].${field}: unknown field "${field}" (remove it: a department's key is configured outside this file, never written in it)`,
      ]);
    });
  });
});

describe("DepartmentsSchema", () => {
  it("reads a document that is already an object, as the console may have it", () => {
    expect(DepartmentsSchema.parse({ departments: [{ name: " Water ", services: ["water"] }] })).toEqual({ departments: [{ name: "Water", services: ["water"] }] });
  });
});

describe("departmentFor", () => {
  const departments = parseDepartments(shipped, FILE);

  it("finds the department that lists the service", () => {
    expect(departmentFor(departments, "roads-transit")?.name).toBe("Transportation / Public Works");
    expect(departmentFor(departments, "callback")?.name).toBe("311 Customer Service");
  });

  it("finds none for a service no department lists", () => {
    expect(departmentFor(departments, "snow")).toBeUndefined();
    expect(departmentFor(NO_DEPARTMENTS, "power")).toBeUndefined();
  });
});
