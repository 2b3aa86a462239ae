/** What a crew member can text back to a page. */
export type CrewCommand =
  /** Take the incident: the reference, or (left out) their only open page. */
  | { kind: "ack"; reference: string | null }
  /** The problem is fixed. */
  | { kind: "done"; reference: string | null }
  | { kind: "help" }
  | { kind: "unknown" };

/** Longer than any command; anything longer is not one. */
const MAX_COMMAND_LENGTH = 40;

/**
 * Reads a crew member's SMS strictly: `ACK`, `ACK 100234`, `DONE 100234`, `HELP`, in any case,
 * with a `#` before the reference allowed. Anything else, however long or odd, is `unknown`.
 *
 * @example parseCrewReply(" ack #100234 ") // { kind: "ack", reference: "100234" }
 */
export function parseCrewReply(body: string): CrewCommand {
  const text = body.replace(/\s+/g, " ").trim();
  if (text.length === 0 || text.length > MAX_COMMAND_LENGTH) return { kind: "unknown" };
  if (/^(help|\?|commands)$/i.test(text)) return { kind: "help" };
  const match = /^(ack|done)(?: #?(\d{4,12}))?[.!]?$/i.exec(text);
  if (!match) return { kind: "unknown" };
  const kind = match[1]!.toLowerCase() as "ack" | "done";
  return { kind, reference: match[2] ?? null };
}
