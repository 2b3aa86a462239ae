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
  return template
    .replace(placeholder, (_, name: string, format?: string) => {
      const value = vars[name] ?? "";
      const formatter = format ? formatters[format] : undefined;
      return formatter ? formatter(value) : value;
    })
    .replace(/\s{2,}/g, " ")
    .trim();
}

/** The placeholders a template uses, for checks. */
export function templatePlaceholders(template: string): { name: string; format?: string }[] {
  return [...template.matchAll(placeholder)].map((match) => ({ name: match[1]!, format: match[2] }));
}

const numberWords: Record<string, string> = {
  // Not "oh": callers start sentences with it ("Oh no, there's no water").
  zero: "0", one: "1", two: "2", three: "3", four: "4", five: "5",
  six: "6", seven: "7", eight: "8", nine: "9",
};

/** Lower-case words only: punctuation, markup and odd characters become spaces. */
export function normaliseSpeech(speech: string): string {
  return speech
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Which of `choices` the caller's words name: a keyword said anywhere as whole words, or the
 * choice's key said as a number ("one", "press 2"). When several match, the one said first wins.
 */
export function matchSpokenChoice<T extends { key: string; keywords: readonly string[] }>(
  speech: string,
  choices: readonly T[],
): T | undefined {
  const words = ` ${normaliseSpeech(speech)} `;
  let best: { choice: T; at: number } | undefined;
  for (const choice of choices) {
    const phrases = choice.keywords.map(normaliseSpeech).filter(Boolean);
    const spokenKey = Object.entries(numberWords).filter(([, digit]) => digit === choice.key).map(([word]) => word);
    for (const phrase of [...phrases, ...spokenKey, choice.key]) {
      const at = words.indexOf(` ${phrase} `);
      if (at >= 0 && (!best || at < best.at)) best = { choice, at };
    }
  }
  return best?.choice;
}
