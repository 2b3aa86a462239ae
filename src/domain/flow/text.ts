import { spellDigits } from "../phone.js";

const formatters: Record<string, (value: string) => string> = {
  digits: spellDigits,
};

/** Names of the formatters a template may use after a `|`. */
export const templateFormatters = Object.keys(formatters);

const placeholder = /\{([a-zA-Z][a-zA-Z0-9]*)(?:\|([a-z]+))?\}/g;

/**
 * Fills `{name}` and `{name|digits}` placeholders from the call's values. A value that is not
 * known yet reads as nothing, so a prompt never says "undefined".
 *
 * @example fillTemplate("Your reference is {reference|digits}.", { reference: "1042" })
 * // "Your reference is 1 0 4, 2."
 */
export function fillTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  if (!template.includes("{")) return fixedText(template);
  return tidy(
    template.replace(placeholder, (_, name: string, format?: string) => {
      const value = vars[name] ?? "";
      const formatter = format ? formatters[format] : undefined;
      return formatter ? formatter(value) : value;
    }),
  );
}

function tidy(text: string): string {
  return text.replace(/\s{2,}/g, " ").trim();
}

/** A template with no placeholders, as it is said: most of a flow's texts, heard on every call. */
function fixedText(template: string): string {
  let said = fixedTexts.get(template);
  if (said === undefined) {
    said = tidy(template);
    // Flows hold a few hundred texts; a bound all the same, for texts that come and go with edits.
    if (fixedTexts.size >= 2_000) fixedTexts.clear();
    fixedTexts.set(template, said);
  }
  return said;
}
const fixedTexts = new Map<string, string>();

/** The placeholders a template uses, for checks. */
export function templatePlaceholders(template: string): { name: string; format?: string }[] {
  return [...template.matchAll(placeholder)].map((match) => ({ name: match[1]!, format: match[2] }));
}

const numberWords: Record<string, string> = {
  // Not "oh": callers start sentences with it ("Oh no, there's no water").
  zero: "0", one: "1", two: "2", three: "3", four: "4", five: "5",
  six: "6", seven: "7", eight: "8", nine: "9", star: "*", pound: "#",
};

/** Lower-case words only: punctuation, markup and odd characters become spaces. */
export function normaliseSpeech(speech: string): string {
  return speech
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** A word as it is compared: "lights" and "light", "sewers" and "sewer" are the same word. */
function stem(word: string): string {
  return word.length > 3 && word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word;
}

function words(text: string): string[] {
  return normaliseSpeech(text).split(" ").filter(Boolean).map(stem);
}

// Sounds and words callers put around an answer without changing it.
const FILLER = "(?:uh|um|umm|er|erm|ah|oh|okay|ok|so|well|yeah|and|i think|i guess|maybe|please|thanks|thank you)";
// "press one", "number one", "option 2", "it's the third one" is not a key: only these forms are.
const KEY_LEAD = "(?:(?:press|push|dial|pick|choose|select|hit|i ll take|i want|number|option|choice|the|it s|that s)\\s+)*";

/**
 * The key a caller said instead of pressing it, when the number is the whole answer: "one",
 * "press one", "number one", "option two", "2, please". A number inside a sentence ("no one is
 * hurt", "two houses are flooded") is not a key.
 */
export function spokenKey(speech: string): string | undefined {
  const text = normaliseSpeech(speech);
  const match = new RegExp(`^(?:${FILLER}\\s+)*${KEY_LEAD}([a-z]+|[0-9])(?:\\s+${FILLER})*$`).exec(text);
  if (!match) return undefined;
  const said = match[1]!;
  return /^[0-9]$/.test(said) ? said : numberWords[said];
}

/** What a caller's words name among a menu's choices. */
export type SpokenChoice<T> =
  | { kind: "one"; choice: T }
  /** Words of more than one choice: ask which, never guess. */
  | { kind: "several"; choices: T[] }
  | { kind: "none" };

/**
 * Which of `choices` the caller's words name. Keywords win: a choice's keyword said anywhere as
 * whole words ("no one is hurt but the water main burst" names water, not key 1). A longer
 * keyword beats a shorter one inside it ("traffic lights" over "lights"). When the words name
 * more than one choice, the answer is `several`, so the line can ask rather than page the wrong
 * crew. Only when no keyword is said does a key said as the whole answer count ("one", "press 2").
 */
export function matchSpokenChoice<T extends { key: string; keywords: readonly string[] }>(
  speech: string,
  choices: readonly T[],
): SpokenChoice<T> {
  const said = words(speech);
  const found: { choice: T; from: number; to: number }[] = [];
  for (const choice of choices) {
    for (const keyword of choice.keywords) {
      const phrase = words(keyword);
      if (phrase.length === 0) continue;
      for (let at = 0; at + phrase.length <= said.length; at++) {
        if (phrase.every((word, index) => said[at + index] === word)) found.push({ choice, from: at, to: at + phrase.length });
      }
    }
  }
  const kept = found.filter(
    (match) => !found.some((other) => other !== match && other.from <= match.from && other.to >= match.to && other.to - other.from > match.to - match.from),
  );
  const named = [...new Set(kept.map((match) => match.choice))];
  if (named.length === 1) return { kind: "one", choice: named[0]! };
  if (named.length > 1) return { kind: "several", choices: named };
  const key = spokenKey(speech);
  const byKey = key === undefined ? undefined : choices.find((choice) => choice.key === key);
  return byKey ? { kind: "one", choice: byKey } : { kind: "none" };
}

// Read in order: the first of these a caller says decides. Phrases that turn a yes around come
// first ("not right", "isn't correct"), then doubt, then the plain words.
const NO_PHRASES = ["not right", "not correct", "not quite", "not exactly", "not it", "that s wrong", "don t think so", "i don t think", "wrong"];
// "Yeah, no" means no in Alberta, and "yeah, no problem" yes: asked again.
const UNSURE_PHRASES = ["yeah no", "not sure", "don t know", "dunno", "no idea", "maybe", "i guess", "kind of", "sort of", "sure"];
const YES_WORDS = ["yes", "yeah", "yep", "yup", "yea", "correct", "right", "affirmative", "uh huh", "exactly", "ok", "okay", "absolutely", "definitely", "that s it", "perfect"];
const NO_WORDS = ["no", "nope", "nah", "incorrect", "negative"];
/** Words that turn the yes after them into a no: "not right", "isn't correct" ("isn t"), "never". */
const NEGATORS = new Set(["not", "t", "never"]);

/** Words that help speech recognition hear the answer to a confirmation. */
export const CONFIRMATION_HINTS = ["yes", "no", "that's right", "wrong"];

/**
 * The answer to "If that's right, press 1 or say yes; if not, press 2 or say no": the key, the
 * key said as a word ("one"), or a spoken yes or no. Null when it is none of these.
 */
export function confirmation(digits: string, speech: string): "yes" | "no" | null {
  const key = digits || spokenKey(speech);
  if (key === "1") return "yes";
  if (key === "2") return "no";
  return digits ? null : spokenYesNo(speech);
}

/**
 * A spoken yes or no: "yes", "yeah that's right", "no", "nope, wrong street", "that isn't
 * correct". The first yes or no said decides ("yes, there's no power" is a yes), a yes after
 * "not" is a no, and doubt ("I'm not sure", "maybe") is neither: null, so the caller is asked
 * again rather than taken at a guess.
 */
export function spokenYesNo(speech: string): "yes" | "no" | null {
  const words = normaliseSpeech(speech).split(" ").filter(Boolean);
  const saysAt = (at: number, phrase: string) => phrase.split(" ").every((word, index) => words[at + index] === word);
  for (let at = 0; at < words.length; at++) {
    if (NO_PHRASES.some((phrase) => saysAt(at, phrase))) return "no";
    if (UNSURE_PHRASES.some((phrase) => saysAt(at, phrase))) return null;
    if (YES_WORDS.some((phrase) => saysAt(at, phrase))) {
      const negated = words.slice(Math.max(0, at - 2), at).some((word) => NEGATORS.has(word));
      return negated ? "no" : "yes";
    }
    if (NO_WORDS.some((phrase) => saysAt(at, phrase))) return "no";
  }
  return null;
}
