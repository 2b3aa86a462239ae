import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { definitionJsonSchemas } from "../../../src/domain/json-schemas.js";
import { nodeTypes } from "../../../src/domain/flow/nodes/index.js";

/** The parts of a JSON Schema object this specification looks at. */
interface ObjectSchema {
  type?: string;
  title?: string;
  properties?: Record<string, ObjectSchema & { const?: string }>;
  required?: string[];
  additionalProperties?: boolean | { oneOf?: ObjectSchema[] };
  propertyNames?: { pattern?: string };
}

const schemas = definitionJsonSchemas();
const schema = JSON.parse(schemas["schema.json"]!) as ObjectSchema;
const states = schema.properties!.states!;
const stateSchemas = (states.additionalProperties as { oneOf: ObjectSchema[] }).oneOf;
const stateTypeOf = (stateSchema: ObjectSchema) => stateSchema.properties!.type!.const!;

const main = parse(readFileSync("flows/main.yaml", "utf8")) as { states: Record<string, Record<string, unknown>> } & Record<string, unknown>;

describe("the flow JSON Schema", () => {
  describe("flows/schema.json, the copy editors read", () => {
    it("is exactly what the flow schema generates now (run npm run flows:schema after changing a node)", () => {
      expect(readFileSync("flows/schema.json", "utf8")).toBe(schemas["schema.json"]);
    });
  });

  describe("at the top level", () => {
    it("describes an object with a title", () => {
      expect(schema).toMatchObject({ type: "object", title: "Civic Line call flow" });
    });

    it("requires start, fallbackQueue and states", () => {
      expect(schema.required?.sort()).toEqual(["fallbackQueue", "start", "states"]);
    });

    it("refuses fields it does not know", () => {
      expect(schema.additionalProperties).toBe(false);
    });

    it("knows every top-level field flows/main.yaml uses", () => {
      expect(Object.keys(schema.properties!)).toEqual(expect.arrayContaining(Object.keys(main)));
    });
  });

  describe("states", () => {
    it("is an object keyed by state names", () => {
      expect(states).toMatchObject({ type: "object", propertyNames: { pattern: "^[a-z][a-z0-9-]{0,63}$" } });
    });

    it("lists the 11 state types", () => {
      expect(stateSchemas.map(stateTypeOf).sort()).toEqual(Object.keys(nodeTypes).sort());
    });

    it("accepts a name for every state of flows/main.yaml", () => {
      const pattern = new RegExp(states.propertyNames!.pattern!);
      expect(Object.keys(main.states).filter((id) => !pattern.test(id))).toEqual([]);
    });

    it.each(Object.entries(main.states))("accepts flows/main.yaml's %s state: a known type, known fields, none required missing", (_, state) => {
      const stateSchema = stateSchemas.find((candidate) => stateTypeOf(candidate) === state.type);
      expect(stateSchema).toBeDefined();
      expect(Object.keys(stateSchema!.properties!)).toEqual(expect.arrayContaining(Object.keys(state)));
      expect(Object.keys(state)).toEqual(expect.arrayContaining(stateSchema!.required ?? []));
    });
  });
});

describe("the JSON Schemas of the hours, the on-call rosters and the departments", () => {
  const files = [
    { yaml: "flows/hours.yaml", schemaFile: "hours.schema.json", title: "Civic Line hours" },
    { yaml: "flows/oncall.yaml", schemaFile: "oncall.schema.json", title: "Civic Line on-call rosters" },
    { yaml: "flows/departments.yaml", schemaFile: "departments.schema.json", title: "Civic Line departments" },
  ];

  describe.each(files)("$yaml", ({ yaml, schemaFile, title }) => {
    const generated = JSON.parse(schemas[schemaFile]!) as ObjectSchema;
    const document = parse(readFileSync(yaml, "utf8")) as Record<string, unknown>;

    it(`names flows/${schemaFile} on its first line, for editors`, () => {
      expect(readFileSync(yaml, "utf8").split("\n")[0]).toBe(`# yaml-language-server: $schema=./${schemaFile}`);
    });

    it(`has a flows/${schemaFile} exactly as the schema generates it now (run npm run flows:schema)`, () => {
      expect(readFileSync(`flows/${schemaFile}`, "utf8")).toBe(schemas[schemaFile]);
    });

    it("describes a titled object that refuses fields it does not know", () => {
      expect(generated).toMatchObject({ type: "object", title, additionalProperties: false });
    });

    it("knows every top-level field the file uses, and the file has every required one", () => {
      expect(Object.keys(generated.properties!)).toEqual(expect.arrayContaining(Object.keys(document)));
      expect(Object.keys(document)).toEqual(expect.arrayContaining(generated.required ?? []));
    });
  });
});
