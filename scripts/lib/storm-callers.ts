/**
 * The callers of `npm run storm`: who phones the line on a stormy night, and how each of them
 * answers what they hear. A caller decides from the words of the prompt (as a person would), not
 * from the flow's state names, so a supervisor's edits to the wording of the shipped flow's
 * choices are the only thing that can lead them astray; a prompt nobody here recognises is met
 * with silence, then a hang-up.
 */
import type { Prompt } from "./phone.js";

/** The kinds of caller in a storm. */
export type CallerKind =
  /** Reports an urgent problem and stays to the end: category, place, callback number. */
  | "reporter"
  /** Says what and where, then hangs up before the callback number: the report must still go out. */
  | "hangs-up-after-place"
  /** Hangs up at the first menu. */
  | "hangs-up-early"
  /** Says nothing at all, whatever is asked. */
  | "silent"
  /** Has something that is not urgent, and leaves a voicemail when offered. */
  | "not-urgent"
  /** Calls by day for an agent, and is answered. */
  | "day-caller";

/** What a storm's caller is to do on the call. */
export interface CallerPlan {
  kind: CallerKind;
  /** The urgent menu's key, for callers with a problem. */
  category: "power" | "water" | "roads";
  /** The place they report: places repeat, so repeat reports of one place join one incident. */
  place: string;
  /** Answers a menu by saying a word instead of pressing a key. */
  speaks: boolean;
  /** The day menu's key a day caller presses. */
  dayChoice: string;
}

const CATEGORY_KEY = { power: "1", water: "2", roads: "3" } as const;
const CATEGORY_WORD = { power: "power", water: "water", roads: "road" } as const;

/** A windstorm's places, by the crew that gets them. A storm reports each several times. */
export const STORM_PLACES: Record<CallerPlan["category"], readonly string[]> = {
  power: [
    "3rd Avenue and 13th Street South",
    "Mayor Magrath Drive and 20th Avenue South",
    "Scenic Drive and 6th Avenue South",
    "Whoop-Up Drive and University Drive",
    "Stafford Drive and 6th Avenue North",
    "43rd Street and 9th Avenue North",
    "Columbia Boulevard and McMaster Boulevard",
    "26th Avenue and 28th Street North",
  ],
  water: ["5th Avenue and 8th Street South", "Jerry Potts Boulevard and Garry Drive", "13th Street and 5th Avenue North"],
  roads: ["Crowsnest Trail and Scenic Drive", "Highway 3 and 43rd Street", "University Drive and Walsh Drive"],
};

/** A caller's number, E.164, distinct for each of a storm's calls. */
export function callerNumber(index: number): string {
  return `+1403555${String(2000 + (index % 8000)).padStart(4, "0")}`;
}

/** The share of each kind of caller in a storm after hours: most report, some give up, a few are silent. */
const NIGHT_MIX: readonly [CallerKind, number][] = [
  ["reporter", 0.55],
  ["hangs-up-after-place", 0.15],
  ["hangs-up-early", 0.1],
  ["silent", 0.1],
  ["not-urgent", 0.1],
];

/** The share of a storm's reports, and of its places, each crew gets: most about power. */
const CATEGORY_SHARE: readonly [CallerPlan["category"], number][] = [
  ["power", 0.6],
  ["water", 0.25],
  ["roads", 0.15],
];

/** Where a storm's places beyond {@link STORM_PLACES} are: a street of their own for each crew, by house number. */
const MORE_PLACES: Record<CallerPlan["category"], string> = { power: "Windstorm Drive", water: "Floodwater Road", roads: "Icefall Boulevard" };

/**
 * `total` distinct places, shared among the crews as their reports are (at least one each): the
 * storm's own places first, then addresses (`100 Windstorm Drive`), so that a storm can open as
 * many incidents as a City wants to drill its paging with.
 */
export function stormPlaces(total: number): Record<CallerPlan["category"], readonly string[]> {
  if (!Number.isInteger(total) || total < CATEGORY_SHARE.length) throw new RangeError(`a storm needs at least ${CATEGORY_SHARE.length} places, one for each crew (got ${total})`);
  const water = Math.max(1, Math.round(total * 0.25));
  const roads = Math.max(1, total - Math.max(1, Math.round(total * 0.6)) - water);
  const counts = { power: total - water - roads, water, roads };
  const places = {} as Record<CallerPlan["category"], readonly string[]>;
  for (const [category] of CATEGORY_SHARE) {
    const known = STORM_PLACES[category];
    const extra = Math.max(0, counts[category] - known.length);
    places[category] = [...known.slice(0, counts[category]), ...Array.from({ length: extra }, (_, n) => `${n + 100} ${MORE_PLACES[category]}`)];
  }
  return places;
}

/** How many places a storm's callers report when not told: {@link STORM_PLACES}, all of them. */
export const STORM_PLACE_COUNT = Object.values(STORM_PLACES).reduce((sum, places) => sum + places.length, 0);

/**
 * The callers of a storm of `count` calls, the same for the same seed: a windstorm's mix (most
 * about power), places that repeat, half of them speaking their choices. Day callers are not in
 * it: a caller who meets the day menu becomes one, whatever their plan.
 *
 * @param places - the places they report, by crew (default {@link STORM_PLACES})
 */
export function stormCallers(count: number, random: () => number, places: Record<CallerPlan["category"], readonly string[]> = STORM_PLACES): CallerPlan[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, () => {
    let roll = random();
    const kind = NIGHT_MIX.find(([, share]) => (roll -= share) < 0)?.[0] ?? "reporter";
    let categoryRoll = random();
    const category = CATEGORY_SHARE.find(([, share]) => (categoryRoll -= share) < 0)?.[0] ?? "roads";
    return { kind, category, place: pick(places[category]), speaks: random() < 0.5, dayChoice: pick(["1", "2", "3", "4", "0"]) };
  });
}

/** What a caller recognised in a prompt. */
export type PromptMeaning = "urgent-menu" | "day-menu" | "not-urgent-menu" | "confirm" | "place" | "callback-number" | "record-place" | "record" | "queue" | "transfer" | "unknown";

/** What a prompt asks, from the words heard just before it and its kind. */
export function meaningOf(prompt: Prompt, words: string): PromptMeaning {
  const heard = words.toLowerCase();
  if (prompt.kind === "queue") return "queue";
  if (prompt.kind === "dial") return "transfer";
  if (prompt.kind === "record") return /where the problem is/.test(heard) ? "record-place" : "record";
  if (/is that right|if that's right/.test(heard)) return "confirm";
  if (/for a power outage, press 1/.test(heard)) return "urgent-menu";
  if (/utility billing and accounts, press 1/.test(heard)) return "day-menu";
  if (/leave a voicemail/.test(heard)) return "not-urgent-menu";
  if (/where the problem is|what street is that on|nearest intersection/.test(heard)) return "place";
  if (/phone number where the crew can reach you|doesn't look like a phone number/.test(heard)) return "callback-number";
  return "unknown";
}

/** How a caller answers: null hangs up; "" is silence. */
export interface CallerAnswer {
  answer: string | null;
  meaning: PromptMeaning;
}

/**
 * A caller following `plan`: answers each prompt from the words heard since the last answer.
 * Unrecognised prompts get silence twice, then a hang-up, so no caller loops for ever.
 */
export function callerFor(plan: CallerPlan, number: string): (prompt: Prompt, words: string) => CallerAnswer {
  let unknown = 0;
  let confirmations = 0;
  let placeConfirmed = false;
  return (prompt, words) => {
    const meaning = meaningOf(prompt, words);
    const say = (answer: string | null): CallerAnswer => ({ answer, meaning });
    // Gone once the place is said and confirmed, before anything else is asked.
    if (plan.kind === "hangs-up-after-place" && placeConfirmed) return say(null);
    if (plan.kind === "silent") return say(meaning === "queue" ? "h" : meaning === "transfer" ? "n" : "");
    switch (meaning) {
      case "urgent-menu":
        if (plan.kind === "hangs-up-early") return say(null);
        if (plan.kind === "not-urgent") return say(plan.speaks ? "something else" : "0");
        return say(plan.speaks ? CATEGORY_WORD[plan.category] : CATEGORY_KEY[plan.category]);
      case "day-menu":
        if (plan.kind === "hangs-up-early") return say(null);
        return say(plan.dayChoice);
      case "not-urgent-menu":
        return say(plan.kind === "not-urgent" ? "1" : null);
      case "confirm":
        if (/i heard/i.test(words)) placeConfirmed = true;
        // A caller asked over and over to confirm is stuck: they give up as a person would.
        return say(++confirmations > 6 ? null : plan.speaks ? "yes" : "1");
      case "place":
      case "record-place":
        return say(plan.place);
      case "callback-number":
        return say(plan.kind === "hangs-up-after-place" ? null : `${number.slice(2)}#`);
      case "record":
        return say(plan.kind === "not-urgent" ? "The recycling was missed on our street this week." : "");
      case "queue":
        return say("a");
      case "transfer":
        return say("c");
      case "unknown":
        return say(++unknown > 2 ? null : "");
    }
  };
}
