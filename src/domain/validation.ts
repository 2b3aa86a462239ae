/**
 * One thing wrong with a definition a supervisor edits (a flow, the hours, a roster),
 * said so that a person can find it and fix it.
 */
export interface Problem {
  /** The file the definition came from, as the supervisor knows it (`flows/main.yaml`). */
  file: string;
  /** Where in the document, as a dotted path (`states.closed.next`); empty for the whole file. */
  path: string;
  /** What is wrong. */
  message: string;
  /** How to fix it, when there is something useful to say. */
  hint?: string;
  /** A warning is reported but does not stop the definition from being used. */
  severity?: "error" | "warning";
}

/** True for problems that stop a definition from being used. */
export function isError(problem: Problem): boolean {
  return problem.severity !== "warning";
}

/** Formats a problem on one line: `flows/main.yaml: states.closed.next: unknown state "urgnet" (did you mean "urgent"?)`. */
export function formatProblem(problem: Problem): string {
  const where = problem.path ? `${problem.file}: ${problem.path}` : problem.file;
  const label = problem.severity === "warning" ? "warning: " : "";
  return `${where}: ${label}${problem.message}${problem.hint ? ` (${problem.hint})` : ""}`;
}

/** A definition that cannot be used. Carries every problem found, not just the first. */
export class DefinitionError extends Error {
  override readonly name = "DefinitionError";
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}

/** Joins a zod issue path the way people read it: `states.greeting.choices[0].next`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * The candidate closest to `word` by edit distance, when it is close enough to be a likely typo.
 *
 * @example didYouMean("urgnet", ["urgent", "closed"]) // "urgent"
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
