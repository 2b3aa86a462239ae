import { z } from "zod";
import type { Departments } from "./departments.js";
import { quoted, text } from "./hours/fields.js";

/*
 * `departments.yaml` is data a supervisor edits by hand, so the schema is strict (an unknown or
 * misspelled field is refused rather than ignored) and has no transforms: what is parsed is what
 * was written, so the console can show it and write it back unchanged. The checks across
 * departments (a name or a service twice) run even when one department is otherwise wrong, so
 * one mistake does not hide the others.
 *
 * No secret is ever written here: the file is published, versioned, diffed into the audit log
 * and shown in the console to every viewer. A department's key for its endpoint is configured
 * outside the file; an endpoint that carries credentials is refused without repeating them.
 */

/** A service code (`power`, `callback`, an agent queue's name): lower-case letters, digits and dashes, as queue names are written. */
export const SERVICE_CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** What a written code would look like as a service code, to show in the fix: `"Utility Billing"` -> `"utility-billing"`. */
function asServiceCode(written: string): string {
  return written
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}

const serviceCode = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a service code` })
  .superRefine((code, ctx) => {
    if (SERVICE_CODE.test(code)) return;
    const example = asServiceCode(code);
    ctx.addIssue({
      code: "custom",
      message: `${quoted(code)} is not a service code`,
      params: {
        hint: `use lower-case letters, digits and dashes, as the urgent categories and queue names are written${example && example !== code ? `, e.g. "${example}"` : ""}`,
      },
    });
  })
  .meta({ pattern: SERVICE_CODE.source });

/** Query parameters that carry a key or a password in an address, whatever the system calls them. */
const SECRET_PARAMETER = /key|token|secret|passw|pwd|auth|signature|^sig$|credential/i;

/** Where an example endpoint points: a placeholder, never a real system. */
const ENDPOINT_EXAMPLE = "https://works.example.ca/open311/v2/requests.json";
const KEY_OUTSIDE = "a department's key is configured outside this file, never written in it";

const endpoint = z
  .string({ error: "endpoint must be an http or https address" })
  .superRefine((written, ctx) => {
    const fail = (message: string, hint: string) => ctx.addIssue({ code: "custom", message, params: { hint } });
    let url: URL;
    try {
      url = new URL(written);
    } catch {
      return fail(`${quoted(written.length > 60 ? `${written.slice(0, 60)}…` : written)} is not a web address`, `write the whole address, e.g. "${ENDPOINT_EXAMPLE}"`);
    }
    // Before anything that repeats the address: a password in it must not be echoed into a problem.
    if (url.username || url.password) return fail("the endpoint has a user name or password in it", `remove it: ${KEY_OUTSIDE}`);
    const secret = [...url.searchParams.keys()].find((name) => SECRET_PARAMETER.test(name));
    if (secret !== undefined) return fail(`the endpoint's address carries "${secret}"`, `remove it: ${KEY_OUTSIDE}`);
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      return fail(`"${url.protocol}" addresses cannot be delivered to`, `write an https (or http) address, e.g. "${ENDPOINT_EXAMPLE}"`);
    }
  })
  .meta({
    description: `Where each new request for the department's services is POSTed, in GeoReport v2 form (its system's requests.json): an http or https address. Leave it out to keep the requests here only. No key, user name or password in it: ${KEY_OUTSIDE}.`,
    format: "uri",
    examples: [ENDPOINT_EXAMPLE],
  });

const departmentFields = {
  name: text("name", 100).meta({ description: 'The department as people say it: "Electric Utility". Unique.' }),
  services: z
    .array(serviceCode, { error: "services must be a list of service codes, e.g. [power]" })
    .min(1, { error: "services is empty" })
    .superRefine((list, ctx) => {
      list.forEach((code, index) => {
        if (list.indexOf(code) < index) ctx.addIssue({ code: "custom", path: [index], message: `"${code}" is listed twice`, params: { hint: "list each service once" } });
      });
    })
    .meta({
      description:
        "The services it handles, each in one department only: an urgent category of oncall.yaml (power), an agent queue's name (utility-billing), callback for voicemails.",
    }),
  endpoint: endpoint.optional(),
};

const department = z.strictObject(departmentFields, {
  error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? "a department must have a name and services, e.g. { name: Electric Utility, services: [power] }" : undefined),
});

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Names are unique (as people read them: case and spacing aside), and a service belongs to one
 * department at most, or requests for it would have two owners. Reads the list defensively: it
 * may be only partly valid.
 */
function checkAcrossDepartments(value: unknown, ctx: z.RefinementCtx): void {
  if (!Array.isArray(value)) return;
  const names = new Map<string, number>();
  const owners = new Map<string, { index: number; name: string }>();
  value.forEach((entry: unknown, index) => {
    if (!isObject(entry)) return;
    const name = typeof entry["name"] === "string" ? entry["name"].trim() : undefined;
    if (name) {
      const key = name.toLowerCase().replace(/\s+/g, " ");
      const first = names.get(key);
      if (first === undefined) names.set(key, index);
      else {
        ctx.addIssue({ code: "custom", path: [index, "name"], message: `"${name}" is already the name of departments[${first}]`, params: { hint: "give each department its own name" } });
      }
    }
    if (!Array.isArray(entry["services"])) return;
    const seen = new Set<string>();
    entry["services"].forEach((code: unknown, position) => {
      if (typeof code !== "string" || seen.has(code)) return;
      seen.add(code);
      const owner = owners.get(code);
      if (owner === undefined) owners.set(code, { index, name: name ?? `departments[${index}]` });
      else {
        ctx.addIssue({
          code: "custom",
          path: [index, "services", position],
          message: `"${code}" is already a service of "${owner.name}" (departments[${owner.index}])`,
          params: { hint: "a service goes to one department: remove it from one of them" },
        });
      }
    });
  });
}

const TOP_LEVEL_FIELDS = ["departments"] as const;

/** The field names allowed in the object at `path` of a departments document, for suggesting the one meant. */
export function departmentsFieldNamesAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return TOP_LEVEL_FIELDS;
  if (path.length === 2 && path[0] === "departments" && typeof path[1] === "number") return Object.keys(departmentFields);
  return [];
}

/**
 * The whole `departments.yaml` document. Use `parseDepartments` for YAML text; use this directly
 * for a document that is already an object.
 */
export const DepartmentsSchema: z.ZodType<Departments> = z
  .strictObject(
    {
      departments: z
        .array(department, { error: "departments must be a list of { name, services, endpoint }" })
        .superRefine(checkAcrossDepartments, { when: () => true })
        .meta({ description: "The City's departments, each with the services whose requests it handles." }),
    },
    {
      error: (issue) =>
        issue.code === "invalid_type"
          ? `expected departments: with the list of departments under it, found ${Array.isArray(issue.input) ? "a list on its own" : quoted(issue.input)}`
          : undefined,
    },
  )
  .meta({
    description:
      "Which department handles each service a request can have, and where its requests are delivered. A department's key for its endpoint is configured outside this file, never written in it: the file is shown to everyone who can read the console, and every version of it is kept.",
  });
