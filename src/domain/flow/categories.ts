import { didYouMean, type Problem } from "../validation.js";
import type { Flow } from "./schema.js";

/**
 * Every urgent category a flow can file (a menu choice's `set: { category }`, a dispatch state's
 * `category`) has a crew in the on-call roster. A report of a category nobody answers would page
 * every supervisor at once instead of the right crew.
 */
export function checkDispatchCategories(file: string, flow: Flow, categories: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const check = (path: string, category: string | undefined) => {
    if (category === undefined || categories.includes(category)) return;
    const guess = didYouMean(category, categories);
    problems.push({
      file,
      path,
      message: `no on-call crew for category "${category}"`,
      hint: guess ? `did you mean "${guess}"?` : `oncall.yaml has: ${categories.join(", ")}`,
    });
  };
  for (const [id, node] of Object.entries(flow.states)) {
    if (node.type === "menu") node.choices.forEach((choice, index) => check(`states.${id}.choices[${index}].set.category`, choice.set?.category));
    if (node.type === "dispatch") check(`states.${id}.category`, node.category);
  }
  return problems;
}

/** The categories a flow can file reports for: its menu choices' and its dispatch states'. */
export function filedCategories(flow: Flow): string[] {
  const categories = new Set<string>();
  for (const node of Object.values(flow.states)) {
    if (node.type === "menu") for (const choice of node.choices) if (choice.set?.category) categories.add(choice.set.category);
    if (node.type === "dispatch" && node.category) categories.add(node.category);
  }
  return [...categories];
}
