import { normaliseSpeech } from "../flow/text.js";

const ABBREVIATIONS: Record<string, string> = {
  street: "st", avenue: "ave", road: "rd", drive: "dr", boulevard: "blvd", crescent: "cres",
  court: "ct", place: "pl", trail: "tr", highway: "hwy", lane: "ln", way: "way",
  north: "n", south: "s", east: "e", west: "w",
  first: "1", second: "2", third: "3", fourth: "4", fifth: "5", sixth: "6", seventh: "7",
  eighth: "8", ninth: "9", tenth: "10",
};

const SEPARATORS = new Set(["and", "at", "near", "by"]);
const FILLER = new Set(["the", "of", "on", "corner", "intersection", "block", "in", "front"]);

/**
 * A key under which two reports of the same place meet: "5th Avenue and 13 Street South" and
 * "13 St S & 5th Ave" give the same key. Empty when the text names no place (a recording only).
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
  return parts
    .map((part) => part.join(" "))
    .filter(Boolean)
    .sort()
    .join(" & ");
}
