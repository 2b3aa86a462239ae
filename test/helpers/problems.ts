import { DefinitionError, type Problem } from "../../src/domain/validation.js";

/** The problems a definition that must not load reports; fails the test if it loads. */
export function problemsOf(load: () => unknown, what: string): Problem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof DefinitionError) return error.problems;
    throw error;
  }
  throw new Error(`${what} parsed, but it should not`);
}
