import { normaliseSpeech } from "../flow/text.js";

const ABBREVIATIONS: Record<string, string> = {
  street: "st", avenue: "ave", road: "rd", drive: "dr", boulevard: "blvd", crescent: "cres",
  court: "ct", place: "pl", trail: "tr", highway: "hwy", lane: "ln", way: "way",
  north: "n", south: "s", east: "e", west: "w",
  first: "1", second: "2", third: "3", fourth: "4", fifth: "5", sixth: "6", seventh: "7",
  eighth: "8", ninth: "9", tenth: "10",
};

const STREET_TYPES = new Set(["st", "ave", "rd", "dr", "blvd", "cres", "ct", "pl", "tr", "hwy", "ln", "way"]);
const DIRECTIONS = new Set(["n", "s", "e", "w"]);
// "my place", "our lane": whose place it is, not which street.
const NOT_A_STREET_NAME = new Set(["my", "our", "your", "his", "her", "their", "a", "an"]);
const HOUSE_NUMBER = /^\d+[a-z]?$/;

const SEPARATORS = new Set(["and", "at", "near", "by"]);
const FILLER = new Set(["the", "of", "on", "corner", "intersection", "block", "in", "front"]);

/** A street named by its type and something more: "5 ave", "mayor magrath dr", "hwy 3"; not "st s" or "my pl". */
function namesStreet(words: readonly string[]): boolean {
  return (
    words.some((word) => STREET_TYPES.has(word)) &&
    words.some((word) => !STREET_TYPES.has(word) && !DIRECTIONS.has(word)) &&
    !words.some((word) => NOT_A_STREET_NAME.has(word))
  );
}

/** A house number on a street: "1234 mayor magrath dr", "500 13 st s"; not "13 st s", which is the whole street. */
function isAddress(words: readonly string[]): boolean {
  return words.length > 1 && HOUSE_NUMBER.test(words[0]!) && namesStreet(words.slice(1));
}

/**
 * A key under which repeat urgent reports of one place meet, so that they join one open incident
 * and page nobody new. Only a specific place has a key:
 *
 * - an intersection, two or more streets each named with its type: "5th Avenue and 13 Street
 *   South" and "13 St S & 5th Ave" both give `13 st s & 5 ave`;
 * - a street address, a house number on a named street: "In front of 1234 Mayor Magrath Drive"
 *   gives `1234 mayor magrath dr`.
 *
 * Anything else gives "", and the report opens its own incident: "my house", "West Lethbridge",
 * a whole street ("Highway 3", "13 Street South") or a street and a landmark could be many
 * places, and a report joined to the wrong incident is never paged. Paging a crew twice for one
 * problem is the safe side.
 *
 * @example placeKey("at 1234 Mayor Magrath Dr.") // "1234 mayor magrath dr"
 * @example placeKey("in front of my house") // ""
 */
export function placeKey(location: string): string {
  const words = normaliseSpeech(location.replace(/[&+/@]/g, " and "))
    .split(" ")
    .filter(Boolean)
    .map((word) => ABBREVIATIONS[word] ?? word.replace(/^(\d+)(st|nd|rd|th)$/, "$1"))
    .filter((word) => !FILLER.has(word));
  const parts: string[][] = [[]];
  for (const word of words) {
    if (SEPARATORS.has(word)) parts.push([]);
    else parts.at(-1)!.push(word);
  }
  const named = parts.filter((part) => part.length > 0);
  // "5th Avenue and 5th Avenue" is one street said twice, not a corner.
  const streets = [...new Set(named.map((part) => part.join(" ")))];
  const specific = named.length === 1 ? isAddress(named[0]!) : streets.length > 1 && named.every(namesStreet);
  return specific ? streets.sort().join(" & ") : "";
}

function placeWords(text: string): string[] {
  return normaliseSpeech(text.replace(/[&+/@]/g, " and "))
    .split(" ")
    .filter(Boolean)
    .map((word) => ABBREVIATIONS[word] ?? word.replace(/^(\d+)(st|nd|rd|th)$/, "$1"));
}

/**
 * The name by which callers say a street without its type ("Mayor Magrath Drive": "mayor
 * magrath"); "" for a name that is not a street ("West Lethbridge" is an area).
 */
function streetName(name: string): string {
  const words = placeWords(name);
  if (!words.some((word) => STREET_TYPES.has(word))) return "";
  return words.filter((word) => !STREET_TYPES.has(word) && !DIRECTIONS.has(word)).join(" ");
}

/**
 * Whether a place as a caller said it points somewhere a crew can drive to: it names a street
 * ("Whoop-Up Drive", "Highway 3"), an intersection ("5th and 13th"), an address, or one of the
 * City's landmarks (`landmarks`, the speech hints: "the Walmart on Mayor Magrath"). "My house",
 * "here", "the corner" and "West Lethbridge" do not: the line asks which street.
 *
 * @example namesAPlace("in front of my house") // false
 * @example namesAPlace("5th and 13th") // true
 */
export function namesAPlace(location: string, landmarks: readonly string[] = []): boolean {
  const words = placeWords(location);
  if (words.some((word) => STREET_TYPES.has(word)) && words.some((word) => !STREET_TYPES.has(word) && !DIRECTIONS.has(word) && !FILLER.has(word) && !SEPARATORS.has(word) && !NOT_A_STREET_NAME.has(word))) {
    return true;
  }
  // Two numbered streets: "5th and 13th", "13 and 5".
  if (words.filter((word) => /^\d+$/.test(word)).length >= 2) return true;
  const said = ` ${words.join(" ")} `;
  return landmarks.some((name) => {
    const street = streetName(name);
    return street.length > 0 && !/^\d+$/.test(street) && said.includes(` ${street} `);
  });
}
