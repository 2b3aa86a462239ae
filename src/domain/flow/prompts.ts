import { isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";

/**
 * The words callers hear, field by field, so a supervisor can change them in plain text boxes
 * without reading YAML: each state's texts, in the order the flow lists its states. Editing them
 * writes the new words into the same source, keeping its comments and layout.
 */

/** The fields of a state that hold what the caller hears, and how a supervisor would name each. */
export const PROMPT_FIELDS: Readonly<Record<string, string>> = {
  text: "what the caller hears",
  prompt: "the question asked",
  intro: "said before the emergency message",
  confirm: "the read-back",
  invalid: "after a wrong answer",
  noInput: "after silence",
  unclear: "when the answer is not understood",
  unsure: "when the place may be misheard",
  vague: "when no street is named",
};

export interface FlowPrompt {
  state: string;
  field: string;
  /** `greeting.text`: the name of the form field. */
  key: string;
  /** In words: "greeting: what the caller hears". */
  label: string;
  /** One sentence per entry, as the flow lists them. */
  sentences: string[];
}

/** A change that cannot be written: the message says what to do. */
export class PromptEditError extends Error {
  override readonly name = "PromptEditError";
}

/** Every editable text of the flow in `source`; an unreadable source has none. */
export function flowPrompts(source: string): FlowPrompt[] {
  const document = parseDocument(source);
  if (document.errors.length > 0) return [];
  const states = document.get("states");
  if (!isMap(states)) return [];
  const prompts: FlowPrompt[] = [];
  for (const item of states.items) {
    const state = isScalar(item.key) ? String(item.key.value) : "";
    if (!isMap(item.value)) continue;
    for (const [field, label] of Object.entries(PROMPT_FIELDS)) {
      const sentences = sentencesOf(item.value.get(field, true));
      if (sentences) prompts.push({ state, field, key: `${state}.${field}`, label: `${state}: ${label}`, sentences });
    }
  }
  return prompts;
}

/**
 * The source with new words for the prompts named in `changes` (by key, one sentence per entry).
 * A prompt left as it was is not touched; an emptied one is refused, since a caller would hear
 * nothing there.
 *
 * @throws PromptEditError
 */
export function setPrompts(source: string, changes: Readonly<Record<string, readonly string[]>>): string {
  const document: Document = parseDocument(source);
  if (document.errors.length > 0) throw new PromptEditError("the flow cannot be read as it is: fix it in the editor first");
  const known = new Map(flowPrompts(source).map((prompt) => [prompt.key, prompt]));
  // Each changed sentence is written over the old one where it stands, so everything else stays
  // byte for byte; only a prompt whose number of sentences changed is written out anew.
  const replacements: { from: number; to: number; text: string }[] = [];
  let rewritten = false;
  for (const [key, written] of Object.entries(changes)) {
    const prompt = known.get(key);
    if (!prompt) throw new PromptEditError(`there is no text "${key}" in this flow: reload the page`);
    const sentences = written.map((sentence) => sentence.trim()).filter((sentence) => sentence !== "");
    if (sentences.length === 0) throw new PromptEditError(`${prompt.label} is empty: callers would hear nothing there`);
    if (sentences.join("\n") === prompt.sentences.join("\n")) continue;
    const node = document.getIn(["states", prompt.state, prompt.field], true);
    const scalars = isSeq(node) ? node.items : [node];
    if (scalars.length === sentences.length && scalars.every((item) => isScalar(item) && item.range)) {
      scalars.forEach((item, index) => {
        const [from, to] = (item as { range: [number, number, number] }).range;
        replacements.push({ from, to, text: yamlScalar(sentences[index]!) });
      });
    } else {
      document.setIn(["states", prompt.state, prompt.field], sentences.length === 1 ? sentences[0] : sentences);
      rewritten = true;
    }
  }
  if (rewritten) {
    if (replacements.length > 0) return setPrompts(document.toString({ lineWidth: 0 }), changes);
    return document.toString({ lineWidth: 0 });
  }
  let result = source;
  for (const { from, to, text } of replacements.sort((a, b) => b.from - a.from)) result = result.slice(0, from) + text + result.slice(to);
  return result;
}

/** A sentence as a YAML value: plain when it reads back the same, else double-quoted. */
function yamlScalar(sentence: string): string {
  const plain = parseDocument(`x: ${sentence}`);
  return plain.errors.length === 0 && plain.get("x") === sentence && !sentence.includes("#") ? sentence : JSON.stringify(sentence);
}

function sentencesOf(node: unknown): string[] | undefined {
  if (isScalar(node) && typeof node.value === "string") return [node.value];
  if (isSeq(node) && node.items.length > 0 && node.items.every((item) => isScalar(item) && typeof item.value === "string")) {
    return node.items.map((item) => String((item as { value: string }).value));
  }
  return undefined;
}
