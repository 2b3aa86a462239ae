/** What a crew member can text back to a page. */
export type CrewCommand =
  /** Take the incident: the reference, or (left out) their only open page. */
  | { kind: "ack"; reference: string | null }
  /** The problem is fixed. */
  | { kind: "done"; reference: string | null }
  | { kind: "help" }
  | { kind: "unknown" };

/** Longer than any command with a few words after it; anything longer is not one. */
const MAX_COMMAND_LENGTH = 80;

/**
 * Reads a crew member's SMS: `ACK`, `ACK 100234`, `DONE 100234`, `HELP`, in any case, with a `#`
 * before the reference allowed, and the words people add after it ("ACK 100234, on my way").
 * A number that does not follow the command at once ("ack for 100234") is not taken for the
 * reference, nor left out: the reply is the hint, so nobody takes an incident they did not name.
 * Anything else, however long or odd, is `unknown`.
 *
 * @example parseCrewReply(" ack #100234 ") // { kind: "ack", reference: "100234" }
 * @example parseCrewReply("Done 100234 - main is back on") // { kind: "done", reference: "100234" }
 */
export function parseCrewReply(body: string): CrewCommand {
  const text = body.replace(/\s+/g, " ").trim();
  if (text.length === 0 || text.length > MAX_COMMAND_LENGTH) return { kind: "unknown" };
  if (/^(help|\?|commands)[.!?]?$/i.test(text)) return { kind: "help" };
  const match = /^(ack|done)(?: ?#?(\d{4,12}))?(?:$|[\s,.;:!?-]+(.*)$)/i.exec(text);
  if (!match) return { kind: "unknown" };
  const reference = match[2] ?? null;
  if (reference === null && /\d{4,}/.test(match[3] ?? "")) return { kind: "unknown" };
  return { kind: match[1]!.toLowerCase() as "ack" | "done", reference };
}
