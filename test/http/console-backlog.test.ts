import { describe, expect, it } from "vitest";
import { backlogBox } from "../../src/http/console/pages/backlog.js";

const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("what a records page says it may be missing", () => {
  it("says nothing when all is written", () => {
    expect(String(backlogBox({ waiting: 0, retrying: 0, failed: 0 }))).toBe("");
    expect(String(backlogBox(undefined))).toBe("");
  });

  it("speaks of one call as one", () => {
    expect(text(String(backlogBox({ waiting: 0, retrying: 1, failed: 0 })))).toBe(
      "1 call or voicemail is not in the records yet: the records database is not taking it just now. What is below may be missing it (it may be a voicemail waiting for a call back). It is kept and written as soon as it can be; reload the page in a few minutes.",
    );
  });

  it("speaks of several as several, and of records set aside", () => {
    expect(text(String(backlogBox({ waiting: 3, retrying: 0, failed: 2 })))).toBe(
      "3 calls or voicemails are not in the records yet: the line has not written them yet. What is below may be missing them, voicemails waiting for a call back among them. They are kept and written as soon as they can be; reload the page in a few minutes.2 records could not be written at all and were set aside. Tell whoever runs the line: the worker's logs say why.",
    );
  });
});
