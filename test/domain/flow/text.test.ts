import { describe, expect, it } from "vitest";
import { fillTemplate } from "../../../src/domain/flow/text.js";

describe("a prompt's text", () => {
  it("is filled from the call's values, one a caller has not given yet reading as nothing", () => {
    expect(fillTemplate("Your problem: {category}. {missing}Thank you.", { category: "power" })).toBe("Your problem: power. Thank you.");
  });

  it("reads a reference digit by digit where it asks so", () => {
    expect(fillTemplate("Your reference is {reference|digits}.", { reference: "1042" })).toBe("Your reference is 1 0 4, 2.");
  });

  it("is said without runs of spaces or spaces at its ends, with placeholders or without", () => {
    expect(fillTemplate("  {closedReason}  Our contact centre is open.  ", { closedReason: "" })).toBe("Our contact centre is open.");
    expect(fillTemplate("  Thank you   for calling.  ", {})).toBe("Thank you for calling.");
    // Said again (a text without placeholders is kept as it is said), it is the same.
    expect(fillTemplate("  Thank you   for calling.  ", { category: "power" })).toBe("Thank you for calling.");
  });
});
