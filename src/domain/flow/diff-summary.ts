import { diffArrays } from "diff";
import { stringify } from "yaml";
import type { Text } from "./nodes/common.js";
import type { Flow, FlowNode } from "./schema.js";

/** One change between two versions of a document, in plain words. */
export interface ChangeItem {
  kind: "added" | "removed" | "changed";
  /** The flow state it is about; absent for a flow's own settings and for other documents. */
  state?: string;
  /** Where in the document it is, for hours and rosters: `closures[2026-12-24].closes`. */
  path?: string;
  /** The change as a sentence: `The prompt of "day-menu" changed`. */
  text: string;
  /** The old words or value, when there was one. */
  before?: string;
  /** The new words or value, when there is one. */
  after?: string;
}

/** Changes a document summary lists before it says how many more there are. */
export const DOCUMENT_CHANGES_SHOWN = 40;

type MenuNode = Extract<FlowNode, { type: "menu" }>;
type Choice = MenuNode["choices"][number];

/** The flow's own settings a supervisor may change, in words. */
const SETTINGS = [
  ["start", "The first state"],
  ["fallbackQueue", "The fallback queue"],
  ["voice", "The voice"],
  ["language", "The language"],
  ["description", "The description"],
] as const satisfies readonly (readonly [keyof Flow, string])[];

/** The texts a caller hears, by field, as a supervisor calls them. */
const TEXT_FIELDS: Record<string, string> = {
  text: "The words",
  prompt: "The prompt",
  intro: "The introduction",
  confirm: "The read-back",
  vague: "The follow-up question for a vague place",
  noInput: "What the caller hears after a silence",
  invalid: "What the caller hears after a wrong answer",
  unsure: "What the caller hears when speech is unsure",
  unclear: "What the caller hears when the words name several choices",
  voicemailOffer: "The voicemail offer",
  "hold.message": "The hold message",
  "onFail.say": "What the caller hears once the tries are used up",
  "onNoInput.say": "What the caller hears after the last silence",
  "onInvalid.say": "What the caller hears after the last wrong answer",
};

/** Transitions, by field: which calls take them, said after "sends calls". */
const TRANSITION_FIELDS: Record<string, string> = {
  next: "",
  open: " when the line is open",
  closed: " when the line is closed",
  holiday: " on a holiday",
  emergency: " in an emergency",
  onEmpty: " with nothing recorded",
  voicemail: " that choose voicemail",
  "onFail.next": " once the tries are used up",
  "onNoInput.next": " silent at the last try",
  "onInvalid.next": " with a wrong answer at the last try",
};

/**
 * What changed between two versions of a call flow, in plain words, for the console's diff and
 * the audit log: the flow's settings, states added, removed and renamed, and in each state that
 * stayed, its type, its words (old and new), its menu choices (by key) and where it sends calls.
 * Both flows are as the loader parsed them, defaults filled in, so writing out a default changes
 * nothing. Pure.
 *
 * @param before - the live version, or null for a flow's first version
 * @example summarizeFlowChange(live, draft)
 *   // [{ kind: "changed", state: "greeting", text: 'The words of "greeting" changed', before: "Thank you for calling ...", after: "Welcome to ..." }]
 */
export function summarizeFlowChange(before: Flow | null, after: Flow): ChangeItem[] {
  const changes: ChangeItem[] = [];
  const old = before?.states ?? {};
  if (before) {
    for (const [field, name] of SETTINGS) {
      const was = before[field];
      const is = after[field];
      if (was !== is) changes.push(valueChange(name, was, is, {}));
    }
  }

  const removed = Object.keys(old).filter((id) => !Object.hasOwn(after.states, id));
  const added = Object.keys(after.states).filter((id) => !Object.hasOwn(old, id));
  // A state moved to a new name, unchanged, is one rename rather than a removal and an addition.
  const renamed = new Map<string, string>();
  for (const to of added) {
    const from = removed.find((id) => !renamed.has(id) && sameValue(old[id], after.states[to]));
    if (from) renamed.set(from, to);
  }
  for (const [from, to] of renamed) changes.push({ kind: "changed", state: to, text: `State "${from}" renamed to "${to}"`, before: from, after: to });
  for (const id of removed) {
    if (!renamed.has(id)) changes.push({ kind: "removed", state: id, text: `State "${id}" (${old[id]!.type}) removed`, ...words("before", mainText(old[id]!)) });
  }
  const renamedTo = new Set(renamed.values());
  for (const id of added) {
    if (!renamedTo.has(id)) {
      const node = after.states[id]!;
      changes.push({ kind: "added", state: id, text: `State "${id}" (${node.type}) added`, ...words("after", mainText(node)) });
    }
  }
  for (const [id, node] of Object.entries(after.states)) {
    const was = old[id];
    if (was) changes.push(...stateChanges(id, was, node));
  }
  return changes;
}

/** What changed in a state that is in both versions. */
function stateChanges(id: string, before: FlowNode, after: FlowNode): ChangeItem[] {
  if (before.type !== after.type) {
    return [{ kind: "changed", state: id, text: `State "${id}" is now ${withArticle(after.type)} state instead of ${withArticle(before.type)} state`, before: before.type, after: after.type }];
  }
  const changes: ChangeItem[] = [];
  const was = leaves(before);
  const is = leaves(after);
  for (const path of new Set([...was.keys(), ...is.keys()])) {
    if (path === "choices") continue;
    const old = was.get(path);
    const now = is.get(path);
    if (!sameValue(old, now)) changes.push(fieldChange(id, after.type, path, old, now));
  }
  if (before.type === "menu" && after.type === "menu") changes.push(...choiceChanges(id, before.choices, after.choices));
  return changes;
}

/** A state's fields as `path -> value`: texts and lists of words are single values. */
function leaves(node: FlowNode): Map<string, unknown> {
  const found = new Map<string, unknown>();
  const visit = (value: unknown, path: string) => {
    if (value === undefined) return;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) visit(item, path ? `${path}.${key}` : key);
    } else {
      found.set(path, value);
    }
  };
  visit(node, "");
  return found;
}

function fieldChange(state: string, type: FlowNode["type"], path: string, before: unknown, after: unknown): ChangeItem {
  const kind = before === undefined ? "added" : after === undefined ? "removed" : "changed";
  const text = TEXT_FIELDS[path];
  if (text !== undefined) {
    const verb = { added: "added", removed: "removed", changed: "changed" }[kind];
    return { kind, state, text: `${text} of "${state}" ${verb}`, ...words("before", textWords(before)), ...words("after", textWords(after)) };
  }
  const calls = whichCalls(type, path);
  if (calls !== undefined) {
    const target = (value: unknown) => `"${String(value)}"`;
    if (kind === "removed") return { kind, state, text: `"${state}" no longer sends calls${calls} to ${target(before)}`, before: String(before) };
    return {
      kind,
      state,
      text: `"${state}" now sends calls${calls} to ${target(after)}${kind === "changed" ? ` instead of ${target(before)}` : ""}`,
      ...words("before", before === undefined ? undefined : String(before)),
      after: String(after),
    };
  }
  return valueChange(`"${path}" of "${state}"`, before, after, { state });
}

/** Which calls a transition takes, said after "sends calls"; undefined for a field that is no transition. */
function whichCalls(type: FlowNode["type"], path: string): string | undefined {
  if (path === "onFail" && type === "transfer") return " nobody answers";
  if (path === "onFail" && type === "enqueue") return " the queue cannot take";
  return TRANSITION_FIELDS[path];
}

/** A setting or field that is not words nor a transition: its old and new values. */
function valueChange(name: string, before: unknown, after: unknown, where: { state?: string; path?: string }): ChangeItem {
  if (before === undefined) return { kind: "added", ...where, text: `${name} set to ${inWords(after)}`, after: inWords(after) };
  if (after === undefined) return { kind: "removed", ...where, text: `${name} removed (was ${inWords(before)})`, before: inWords(before) };
  return { kind: "changed", ...where, text: `${name} changed from ${inWords(before)} to ${inWords(after)}`, before: inWords(before), after: inWords(after) };
}

/** A menu's choices, matched by key: added, removed, sent elsewhere, their words and confirmations. */
function choiceChanges(state: string, before: readonly Choice[], after: readonly Choice[]): ChangeItem[] {
  const changes: ChangeItem[] = [];
  const byKey = (choices: readonly Choice[]) => new Map(choices.map((choice) => [choice.key, choice]));
  const was = byKey(before);
  const is = byKey(after);
  for (const [key, choice] of was) {
    if (!is.has(key)) changes.push({ kind: "removed", state, text: `"${state}": the choice ${pressed(key)} removed (it went to "${choice.next}")`, before: choiceWords(choice) });
  }
  for (const [key, choice] of is) {
    const old = was.get(key);
    if (!old) {
      changes.push({ kind: "added", state, text: `"${state}": new choice ${pressed(key)} goes to "${choice.next}"`, after: choiceWords(choice) });
      continue;
    }
    const choiceName = `"${state}": ${pressed(key)}`;
    if (old.next !== choice.next) {
      changes.push({ kind: "changed", state, text: `${choiceName} now goes to "${choice.next}" instead of "${old.next}"`, before: old.next, after: choice.next });
    }
    const heardNow = choice.keywords.filter((word) => !old.keywords.includes(word));
    const heardNoMore = old.keywords.filter((word) => !choice.keywords.includes(word));
    if (heardNow.length > 0 || heardNoMore.length > 0) {
      const parts = [
        ...(heardNow.length > 0 ? [`now also hears ${quotedList(heardNow)}`] : []),
        ...(heardNoMore.length > 0 ? [`no longer hears ${quotedList(heardNoMore)}`] : []),
      ];
      changes.push({ kind: "changed", state, text: `${choiceName} ${parts.join("; ")}`, before: old.keywords.join(", "), after: choice.keywords.join(", ") });
    }
    if (!sameValue(old.confirm, choice.confirm)) {
      const kind = old.confirm === undefined ? "added" : choice.confirm === undefined ? "removed" : "changed";
      changes.push({ kind, state, text: `The read-back of ${pressed(key)} in "${state}" ${kind}`, ...words("before", textWords(old.confirm)), ...words("after", textWords(choice.confirm)) });
    }
    if (!sameValue(old.set, choice.set)) changes.push(valueChange(`What ${pressed(key)} in "${state}" sets`, old.set, choice.set, { state }));
  }
  return changes;
}

function withArticle(type: string): string {
  return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

function pressed(key: string): string {
  return `key ${key === "*" ? "star" : key === "#" ? "pound" : key}`;
}

function choiceWords(choice: Choice): string {
  return choice.keywords.length > 0 ? `${pressed(choice.key)} or say ${quotedList(choice.keywords)} -> ${choice.next}` : `${pressed(choice.key)} -> ${choice.next}`;
}

function quotedList(words: readonly string[]): string {
  return words.map((word) => `"${word}"`).join(", ");
}

/** The words a state says first, to show beside it when it is added or removed. */
function mainText(node: FlowNode): string | undefined {
  if ("prompt" in node) return textWords(node.prompt);
  if ("text" in node) return textWords(node.text);
  return undefined;
}

/** A text as the words the caller hears, sentence after sentence. */
function textWords(text: unknown): string | undefined {
  if (typeof text === "string") return text;
  if (Array.isArray(text)) return (text as Text[]).join(" ");
  return undefined;
}

function words(side: "before" | "after", value: string | undefined): { before?: string; after?: string } {
  return value === undefined ? {} : { [side]: value };
}

/** A value as a supervisor reads it: as written for words and numbers, in flow YAML for lists and maps. */
function inWords(value: unknown): string {
  if (value === null) return "nothing";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  return stringify(value, { collectionStyle: "flow", lineWidth: 0 }).trim();
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, index) => sameValue(item, (b as unknown[])[index]));
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  return keysA.length === keysB.length && keysA.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Fields that name an entry of a list, in the order they are tried: a member's id, a closure's date. */
const IDENTITY_FIELDS = ["id", "name", "date", "reason", "from", "key"];

/**
 * What changed between two versions of any YAML document (the hours, the on-call roster), as
 * paths added, removed and changed with their old and new values. List entries are matched as
 * a text diff matches lines (the `diff` package), and an entry changed in place is matched by
 * what names it (`id`, `name`, `date`, ...), so adding a closure at the top of the list is one
 * addition rather than every closure changed. At most `limit` changes are listed; when there are
 * more, the last item says how many were left out. Pure.
 *
 * @param before - the live version's data (`parseDocument(text).toJS()`), or null for a first version
 * @example summarizeDocumentChange(liveHours, draftHours)
 *   // [{ kind: "added", path: "closures[2027-01-15]", text: "Added closures[2027-01-15]: { date: 2027-01-15, reason: staff training }", after: "{ date: 2027-01-15, reason: staff training }" }]
 */
export function summarizeDocumentChange(before: unknown, after: unknown, limit = DOCUMENT_CHANGES_SHOWN): ChangeItem[] {
  const changes: ChangeItem[] = [];
  // A first version: each of its parts is new, rather than one change holding the whole document.
  compare(before ?? (isMap(after) ? {} : undefined), after ?? undefined, "", changes);
  if (changes.length <= limit) return changes;
  const shown = changes.slice(0, Math.max(0, limit - 1));
  const more = changes.length - shown.length;
  return [...shown, { kind: "changed", text: `… and ${more} more changes` }];
}

function compare(before: unknown, after: unknown, path: string, changes: ChangeItem[]): void {
  if (sameValue(before, after)) return;
  const name = path || "the document";
  if (before === undefined) {
    changes.push({ kind: "added", ...where(path), text: `Added ${name}: ${inWords(after)}`, after: inWords(after) });
  } else if (after === undefined) {
    changes.push({ kind: "removed", ...where(path), text: `Removed ${name} (was ${inWords(before)})`, before: inWords(before) });
  } else if (isMap(before) && isMap(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) compare(before[key], after[key], path ? `${path}.${key}` : key, changes);
  } else if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].some((item) => isMap(item))) {
    compareLists(before, after, path, changes);
  } else {
    changes.push({ kind: "changed", ...where(path), text: `${name} changed from ${inWords(before)} to ${inWords(after)}`, before: inWords(before), after: inWords(after) });
  }
}

/** Lists of entries: kept, added and removed as a diff sees them; an entry named the same on both sides is compared field by field. */
function compareLists(before: unknown[], after: unknown[], path: string, changes: ChangeItem[]): void {
  const hunks = diffArrays(before, after, { comparator: sameValue });
  // Where each hunk starts, in the old list and in the new one: an unnamed entry is named by its place.
  let oldAt = 0;
  let newAt = 0;
  for (let at = 0; at < hunks.length; at++) {
    const hunk = hunks[at]!;
    if (!hunk.added && !hunk.removed) {
      oldAt += hunk.value.length;
      newAt += hunk.value.length;
      continue;
    }
    // A removal followed by an addition is where entries were changed in place.
    const removed = hunk.removed ? hunk.value : [];
    const next = hunk.removed ? hunks[at + 1] : undefined;
    const added = hunk.added ? hunk.value : next?.added ? next.value : [];
    if (next?.added) at++;
    const matched = new Set<number>();
    removed.forEach((old, offset) => {
      const id = identity(old);
      // Entries with nothing to name them (a weekly window) are matched in order instead.
      const partner = added.findIndex((candidate, place) => !matched.has(place) && isMap(old) && isMap(candidate) && identity(candidate) === id);
      if (partner >= 0) {
        matched.add(partner);
        compare(old, added[partner], `${path}[${id ?? newAt + partner}]`, changes);
      } else {
        compare(old, undefined, `${path}[${id ?? oldAt + offset}]`, changes);
      }
    });
    added.forEach((entry, place) => {
      if (!matched.has(place)) compare(undefined, entry, `${path}[${identity(entry) ?? newAt + place}]`, changes);
    });
    oldAt += removed.length;
    newAt += added.length;
  }
}

/** What names a list entry: the first of its identity fields that it has, as text. */
function identity(entry: unknown): string | undefined {
  if (!isMap(entry)) return undefined;
  for (const field of IDENTITY_FIELDS) {
    const value = entry[field];
    if (typeof value === "string" || typeof value === "number") return String(value);
  }
  return undefined;
}

function where(path: string): { path?: string } {
  return path ? { path } : {};
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
