import { isDeepStrictEqual } from "node:util";
import { Pair, Scalar, YAMLMap, YAMLSeq, isMap, isSeq, parseDocument, visit, type Document } from "yaml";
import { DefinitionError, type Problem } from "../validation.js";
import { isClosingTime, isIsoDate, isTimeOfDay, minutesOfDay } from "./calendar.js";
import { parseHours } from "./parse.js";

/*
 * The console's calendar edits the hours document a supervisor also edits by hand, and publishes
 * it as a new version beside the old one: the result keeps every comment and the layout of the
 * rest of the file, so the diff a supervisor reviews shows the closure and nothing else. The
 * yaml library's Document API keeps comments; text is never spliced by hand.
 */

/** A dated closure as the calendar asks for it: a whole day, or a day with other hours. */
export interface ClosureEdit {
  /** The local date, `yyyy-MM-dd`. */
  date: string;
  /** Why, in words that follow "closed today for": "staff training", "Christmas Eve". */
  reason: string;
  /** When the line opens that day, `HH:mm`, if not at its usual time. */
  opens?: string;
  /** When the line closes that day, `HH:mm` (`24:00` for midnight), if not at its usual time. */
  closes?: string;
}

/** What an edit was refused for: a field of the request, or the document as a whole. */
export type ClosureEditField = keyof ClosureEdit | "source";

/** An edit from the calendar that cannot be made; the message says what to change, for a supervisor. */
export class HoursEditError extends Error {
  override readonly name = "HoursEditError";
  constructor(
    message: string,
    /** The field of the request to point at; `source` when the document itself is at fault. */
    readonly field: ClosureEditField,
    /** What the hours loader found, when it was the loader that refused. */
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

const TIME_HINT = 'write a 24-hour time like "08:00" or "16:30"';

/**
 * The hours document with a dated closure added: closed all day when neither time is given, a
 * shortened (or longer) day otherwise, exactly as the hours file's own comments describe. An
 * entry already listed for that date is replaced where it stands, never duplicated; a new one goes
 * in date order. Times are written in quotes, as in the rest of the file (`closes: "12:00"`).
 *
 * @param source - the hours document's YAML text, valid as it stands
 * @param file - the name the supervisor knows it by, for the loader's messages
 * @returns the new YAML text, which `parseHours` accepts
 * @throws HoursEditError for a date that is not one, a missing reason, a time that is not one, a
 *   closing time not after the opening time, a closure the hours refuse (`closes` before the day
 *   opens), or a document that was not valid to begin with
 * @example addClosure(source, { date: "2026-12-24", reason: "Christmas Eve", closes: "12:00" })
 */
export function addClosure(source: string, edit: ClosureEdit, file = "hours.yaml"): string {
  const closure = checkedEdit(edit);
  const document = validSource(source, file, `add a closure on ${closure.date}`);
  const closures = closuresOf(document);
  const entry = closureNode(document, closure);

  const index = closures.items.findIndex((item) => dateOf(item) === closure.date);
  if (index >= 0) {
    const replaced = closures.items[index] as YAMLMap;
    // The supervisor's notes about the date stay with it.
    entry.commentBefore = replaced.commentBefore;
    entry.comment = replaced.comment;
    entry.spaceBefore = replaced.spaceBefore;
    closures.items[index] = entry;
  } else {
    const later = closures.items.findIndex((item) => (dateOf(item) ?? "") > closure.date);
    if (closures.items.length === 0) closures.flow = false;
    closures.items.splice(later < 0 ? closures.items.length : later, 0, entry);
  }
  return checkedResult(document, source, file, `the closure on ${closure.date}`);
}

/**
 * The hours document without the dated entry for `date`. A comment written just before the entry
 * is kept, on the entry that follows it: the console never loses what a supervisor wrote.
 *
 * @param source - the hours document's YAML text, valid as it stands
 * @throws HoursEditError when `date` is not a date, no entry has that date, or the document was
 *   not valid to begin with
 * @example removeClosure(source, "2027-01-15")
 */
export function removeClosure(source: string, date: string, file = "hours.yaml"): string {
  checkDate(date);
  const document = validSource(source, file, `remove the closure on ${date}`);
  const closures = closuresOf(document);
  const index = closures.items.findIndex((item) => dateOf(item) === date);
  if (index < 0) {
    const listed = closures.items.map(dateOf).filter((listedDate): listedDate is string => listedDate !== undefined);
    throw new HoursEditError(
      `there is no closure on ${date} to remove${listed.length > 0 ? ` (closures are listed on ${listed.join(", ")})` : " (no closures are listed)"}`,
      "date",
    );
  }
  const [removed] = closures.items.splice(index, 1) as [YAMLMap];
  if (removed.commentBefore) {
    const next = closures.items[index] as YAMLMap | undefined;
    if (next) next.commentBefore = [removed.commentBefore, next.commentBefore].filter(Boolean).join("\n");
    else closures.comment = [closures.comment, removed.commentBefore].filter(Boolean).join("\n");
  }
  return checkedResult(document, source, file, `removing the closure on ${date}`);
}

/** The request, trimmed, or the reason it cannot be made. */
function checkedEdit(edit: ClosureEdit): ClosureEdit {
  checkDate(edit.date);
  const reason = typeof edit.reason === "string" ? edit.reason.trim() : "";
  if (reason === "") {
    throw new HoursEditError('a closure needs a reason, in words that follow "closed today for", e.g. staff training', "reason");
  }
  const opens = edit.opens?.trim() || undefined;
  const closes = edit.closes?.trim() || undefined;
  if (opens !== undefined && !isTimeOfDay(opens)) throw new HoursEditError(`opens "${opens}" is not a time: ${TIME_HINT}`, "opens");
  if (closes !== undefined && !isClosingTime(closes)) {
    throw new HoursEditError(`closes "${closes}" is not a time: ${TIME_HINT}, or "24:00" for midnight`, "closes");
  }
  if (opens !== undefined && closes !== undefined && minutesOfDay(closes) <= minutesOfDay(opens)) {
    throw new HoursEditError(`closes at ${closes}, which is not after it opens at ${opens}`, "closes");
  }
  return { date: edit.date, reason, ...(opens !== undefined ? { opens } : {}), ...(closes !== undefined ? { closes } : {}) };
}

function checkDate(date: string): void {
  if (typeof date !== "string" || !isIsoDate(date)) {
    throw new HoursEditError(`${JSON.stringify(date) ?? "no date"} is not a date: write it as yyyy-MM-dd, e.g. 2026-12-24`, "date");
  }
}

/** The source as a Document, once the loader has accepted it: an edit never hides problems already there. */
function validSource(source: string, file: string, doing: string): Document {
  try {
    parseHours(source, file);
  } catch (error) {
    if (!(error instanceof DefinitionError)) throw error;
    throw new HoursEditError(
      `cannot ${doing}: the hours document has problems of its own, fix them first: ${error.problems.map(problemText).join("; ")}`,
      "source",
      error.problems,
    );
  }
  return parseDocument(source);
}

/** The `closures` sequence, made at the end of the document when it has none. */
function closuresOf(document: Document): YAMLSeq {
  const node = document.get("closures", true);
  if (isSeq(node)) return node;
  // The source was accepted, so the document is a mapping, and a closures it has is a list.
  const closures = new YAMLSeq(document.schema);
  const key = new Scalar("closures");
  key.spaceBefore = true;
  (document.contents as YAMLMap).items.push(new Pair(key, closures));
  return closures;
}

function dateOf(item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  const date = item.get("date");
  return typeof date === "string" ? date : undefined;
}

/** The entry, in the order the hours file's comments write it: date, reason, opens, closes. */
function closureNode(document: Document, closure: ClosureEdit): YAMLMap {
  const entry = new YAMLMap(document.schema);
  entry.set("date", closure.date);
  entry.set("reason", closure.reason);
  for (const field of ["opens", "closes"] as const) {
    const time = closure[field];
    if (time === undefined) continue;
    // Quoted as the file asks: unquoted, a YAML 1.1 reader takes 12:00 for the number 720.
    const scalar = new Scalar(time);
    scalar.type = Scalar.QUOTE_DOUBLE;
    entry.set(field, scalar);
  }
  return entry;
}

/** The edited document as text, refused if the loader would refuse it. */
function checkedResult(document: Document, source: string, file: string, what: string): string {
  const text = inOwnSpelling(document.toString({ lineWidth: 0, flowCollectionPadding: padsFlowCollections(document, source) }), source);
  try {
    parseHours(text, file);
  } catch (error) {
    if (!(error instanceof DefinitionError)) throw error;
    const field = fieldOf(error.problems);
    throw new HoursEditError(`${what} cannot be kept: ${error.problems.map(problemText).join("; ")}`, field, error.problems);
  }
  return text;
}

/**
 * Whether the file writes flow collections with spaces inside the brackets (`{ a: 1 }`) or
 * without (`[monday, friday]`), by what most of them do: the library writes them all one way.
 */
function padsFlowCollections(document: Document, source: string): boolean {
  let padded = 0;
  let tight = 0;
  const count = (node: YAMLMap | YAMLSeq) => {
    if (!node.flow || node.items.length === 0 || !node.range) return;
    const inside = source[node.range[0] + 1];
    // `[{` says nothing about spaces: the list's first item is a collection of its own.
    if (inside === " ") padded++;
    else if (inside !== "{" && inside !== "[") tight++;
  };
  visit(document, { Map: (_, node) => count(node), Seq: (_, node) => count(node) });
  return padded > tight;
}

/**
 * The library writes every flow collection one way, `{ a: 1 }` or `{a: 1}`, where a file may mix
 * the two; so a line that differs from one of the source's only in that spacing is given back as
 * the source wrote it. Kept only when the text still means exactly the same document.
 */
function inOwnSpelling(rendered: string, source: string): string {
  const unpadded = (line: string) => line.replace(/([[{]) +/g, "$1").replace(/ +([\]}])/g, "$1");
  const spelled = new Map<string, string>();
  for (const line of source.split("\n")) if (!spelled.has(unpadded(line))) spelled.set(unpadded(line), line);
  const restored = rendered
    .split("\n")
    .map((line) => spelled.get(unpadded(line)) ?? line)
    .join("\n");
  return isDeepStrictEqual(parseDocument(restored).toJS(), parseDocument(rendered).toJS()) ? restored : rendered;
}

/** The request's field a loader problem is about, when it is about a closure's field (paths as `formatPath` writes them). */
function fieldOf(problems: readonly Problem[]): ClosureEditField {
  for (const problem of problems) {
    const field = /^closures\[\d+\]\.(date|reason|opens|closes)$/.exec(problem.path)?.[1];
    if (field) return field as keyof ClosureEdit;
  }
  return "source";
}

function problemText(problem: Problem): string {
  return `${problem.path ? `${problem.path}: ` : ""}${problem.message}${problem.hint ? ` (${problem.hint})` : ""}`;
}
