import type { Roster } from "../domain/oncall/roster/index.js";

/**
 * What pages and replies call a category: its roster label, or for a category with no crew of
 * its own ("general", when the caller chose none) the name itself, capitalised.
 */
export function categoryLabel(roster: Roster, category: string): string {
  const own = Object.hasOwn(roster.categories, category) ? roster.categories[category] : undefined;
  return own?.label ?? `${category.charAt(0).toUpperCase()}${category.slice(1)}`;
}
