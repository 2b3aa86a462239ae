import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseFlow } from "../../../src/domain/flow/parse.js";
import { flowPrompts, PromptEditError, setPrompts } from "../../../src/domain/flow/prompts.js";

const main = readFileSync("flows/main.yaml", "utf8");

describe("the words callers hear, as plain text boxes", () => {
  it("lists each state's texts in the flow's order, named in words", () => {
    const prompts = flowPrompts(main);
    expect(prompts[0]).toEqual({
      state: "greeting",
      field: "text",
      key: "greeting.text",
      label: "greeting: what the caller hears",
      sentences: ["Thank you for calling the City of Lethbridge, 3 1 1."],
    });
    expect(prompts.find((prompt) => prompt.key === "day-menu.prompt")?.sentences).toHaveLength(7);
  });

  it("writes a new greeting into the same source, keeping every comment and the rest as written", () => {
    const changed = setPrompts(main, { "greeting.text": ["Welcome to the City of Lethbridge 311 line."] });
    expect(changed).toBe(main.replace("Thank you for calling the City of Lethbridge, 3 1 1.", "Welcome to the City of Lethbridge 311 line."));
    expect(parseFlow("main", changed, "main.yaml").flow.states.greeting).toMatchObject({ text: "Welcome to the City of Lethbridge 311 line." });
  });

  it("keeps a list of sentences a list, one per line written", () => {
    const changed = setPrompts(main, { "safety.text": ["If someone is hurt, hang up and dial 9-1-1.", "Fires too."] });
    expect(parseFlow("main", changed, "main.yaml").flow.states.safety).toMatchObject({ text: ["If someone is hurt, hang up and dial 9-1-1.", "Fires too."] });
  });

  it("leaves the source as it was when nothing changed", () => {
    expect(setPrompts(main, { "greeting.text": ["Thank you for calling the City of Lethbridge, 3 1 1."] })).toBe(main);
  });

  it("refuses an emptied text, since a caller would hear nothing there", () => {
    expect(() => setPrompts(main, { "greeting.text": ["  "] })).toThrow(new PromptEditError("greeting: what the caller hears is empty: callers would hear nothing there"));
  });

  it("refuses a text the flow does not have", () => {
    expect(() => setPrompts(main, { "nowhere.text": ["Hello"] })).toThrow(PromptEditError);
  });
});
