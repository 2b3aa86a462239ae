import { describe, expect, it } from "vitest";
import { parseCrewReply } from "../../../src/domain/oncall/crew-reply.js";

describe("reading a crew member's text", () => {
  it.each([
    ["ACK 100234", { kind: "ack", reference: "100234" }],
    [" ack #100234 ", { kind: "ack", reference: "100234" }],
    ["Ack 100234 thanks", { kind: "ack", reference: "100234" }],
    ["ACK 100008, on my way", { kind: "ack", reference: "100008" }],
    ["ack100234", { kind: "ack", reference: "100234" }],
    ["DONE 100234", { kind: "done", reference: "100234" }],
    ["Done 100234 - main is back on", { kind: "done", reference: "100234" }],
    ["done #100234.", { kind: "done", reference: "100234" }],
    ["ACK", { kind: "ack", reference: null }],
    ["ack.", { kind: "ack", reference: null }],
    ["Ack, on my way", { kind: "ack", reference: null }],
    ["DONE", { kind: "done", reference: null }],
    ["done, all fixed", { kind: "done", reference: null }],
    ["HELP", { kind: "help" }],
    ["help?", { kind: "help" }],
  ])('reads "%s"', (body, command) => {
    expect(parseCrewReply(body)).toEqual(command);
  });

  it.each([
    // A reference that does not follow the command must not be read as "no reference": a bare
    // ACK would take their only open page, which may not be the one they named.
    "ack for 100234",
    "done with 100234",
    "acknowledged",
    "DONEZO",
    "on my way",
    "",
    "ACK 100234 ".repeat(10),
  ])('does not read "%s" as a command', (body) => {
    expect(parseCrewReply(body)).toEqual({ kind: "unknown" });
  });
});
