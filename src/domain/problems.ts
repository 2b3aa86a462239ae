import type { z } from "zod";
import { didYouMean, formatPath, type Problem } from "./validation.js";

/*
 * zod's issues say what is wrong; a supervisor also needs to know what to write instead. This
 * turns each issue into a Problem and adds the fix: the closest allowed word for a misspelled
 * weekday, rule kind or field, and whatever hint the schema attached to its own checks.
 */

/**
 * Turns zod's issues for a document into problems for `file`, with a fix hint where one helps.
 *
 * @param document - the value that was validated, to read what was actually written at a path
 * @param fieldNamesAt - the field names allowed in the object at a path (given that object), to
 *   suggest one for a misspelled field
 */
export function problemsFromIssues(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  document: unknown,
  fieldNamesAt: FieldNamesAt,
): Problem[] {
  return issues.flatMap((issue) => describeIssue(file, issue, document, fieldNamesAt));
}

/** The field names allowed in the object at `path`, whose value as written is `value`. */
export type FieldNamesAt = (path: readonly PropertyKey[], value: unknown) => readonly string[];

function describeIssue(file: string, issue: z.core.$ZodIssue, document: unknown, fieldNamesAt: FieldNamesAt): Problem[] {
  const path = formatPath(issue.path);
  const written = valueAt(document, issue.path);
  const problem = (message: string, hint?: string): Problem => (hint ? { file, path, message, hint } : { file, path, message });

  switch (issue.code) {
    case "unrecognized_keys": {
      // One problem per field, each at its own path, so each can be found and fixed on its own.
      // A field already written is not what a misspelled one meant.
      const present = written !== null && typeof written === "object" ? Object.keys(written) : [];
      const missing = fieldNamesAt(issue.path, written).filter((name) => !present.includes(name));
      return issue.keys.map((key) => {
        const suggestion = suggest(key, missing);
        return {
          file,
          path: formatPath([...issue.path, key]),
          message: `unknown field "${key}"`,
          hint: suggestion ? `did you mean "${suggestion}"?` : "remove it",
        };
      });
    }
    case "invalid_union":
      if (issue.discriminator !== undefined && "options" in issue) {
        const options = (issue.options ?? []).map(String);
        if (written === undefined) return [problem(`${issue.discriminator} is missing`, `add ${issue.discriminator}: one of ${options.join(", ")}`)];
        return [problem(`unknown ${issue.discriminator} "${String(written)}"`, choose(written, options))];
      }
      if (written === undefined) return [problem(`${lastFieldName(issue.path) ?? "a value"} is missing`)];
      if (!isZodDefault(issue.message)) return [problem(issue.message)];
      return [problem(`${describeValue(written)} is not allowed here`, `write ${expectedOf(issue)}`)];
    case "invalid_key": {
      const reason = issue.issues[0]?.message;
      return [problem(`"${String(issue.path.at(-1))}" is not a valid name`, reason)];
    }
    case "invalid_value":
      return [problem(issue.message, choose(written, issue.values.map(String)))];
    case "invalid_type":
      if (written === undefined) return [problem(`${lastFieldName(issue.path) ?? "a value"} is missing`)];
      if (issue.path.length === 0 && written === null) return [problem("the file is empty")];
      if (!isZodDefault(issue.message)) return [problem(issue.message)];
      return [problem(`${describeValue(written)} is not allowed here`, `write ${article(issue.expected)}`)];
    case "custom": {
      const hint: unknown = issue.params?.["hint"];
      return [problem(issue.message, typeof hint === "string" ? hint : undefined)];
    }
    default:
      return [problem(issue.message)];
  }
}

/** "did you mean ...?" when `written` is close to an allowed word, otherwise the allowed words. */
function choose(written: unknown, allowed: readonly string[]): string {
  const suggestion = typeof written === "string" ? suggest(written, allowed) : undefined;
  return suggestion ? `did you mean "${suggestion}"?` : `use one of: ${allowed.join(", ")}`;
}

/** A likely intended word: a near spelling ("tuseday" -> "tuesday") or an abbreviation ("feb" -> "february"). */
function suggest(written: string, allowed: readonly string[]): string | undefined {
  const near = didYouMean(written, allowed);
  if (near) return near;
  const lower = written.toLowerCase();
  return lower.length >= 3 ? allowed.find((word) => word.toLowerCase().startsWith(lower)) : undefined;
}

/** zod's own wording ("Invalid input: ..."), as opposed to a message the schema wrote for people. */
function isZodDefault(message: string): boolean {
  return message.startsWith("Invalid input");
}

/** What the alternatives of a union expected, in words: "text or a list". */
function expectedOf(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected = new Set(
    issue.errors.flatMap((alternative) =>
      alternative.filter((inner) => inner.code === "invalid_type" && inner.path.length === 0).map((inner) => article((inner as z.core.$ZodIssueInvalidType).expected)),
    ),
  );
  return expected.size > 0 ? [...expected].join(" or ") : "one of the allowed forms";
}

function article(expected: string): string {
  const words: Record<string, string> = {
    string: "text",
    array: "a list",
    object: "a set of fields",
    number: "a number",
    boolean: "true or false",
  };
  return words[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a set of fields";
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return String(value);
}

function lastFieldName(path: readonly PropertyKey[]): string | undefined {
  const key = path.findLast((segment) => typeof segment === "string");
  return typeof key === "string" ? key : undefined;
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
