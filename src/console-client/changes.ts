/**
 * "Show changes": the draft against the live version, in plain words (worked out by the server
 * from the parsed documents: states added, removed and changed, a prompt's old and new words)
 * and line by line (the `diff` package).
 */
import { structuredPatch } from "diff";
import type { ChangeItem } from "../domain/flow/diff-summary.js";
import { request } from "./api.js";
import { element } from "./dom.js";

export async function renderChanges(container: HTMLElement, change: { document: string; before: string; after: string }): Promise<void> {
  if (change.before === change.after) {
    container.replaceChildren(element("p", {}, "No changes: the text is the same as the live version."));
    return;
  }
  container.replaceChildren(element("p", {}, "Working out the changes…"));
  const words = element("section", { class: "change-summary" }, element("h3", {}, "In plain words"));
  try {
    const { items } = await request<{ items: ChangeItem[] }>("POST", "/console/changes", change);
    words.append(items.length === 0 ? element("p", {}, "Only layout or comments changed: callers will hear no difference.") : summaryList(items));
  } catch (error) {
    words.append(element("p", { class: "status error" }, `The changes cannot be said in words until the text has no problems (${error instanceof Error ? error.message : String(error)}).`));
  }
  container.replaceChildren(words, element("section", { class: "change-lines" }, element("h3", {}, "Line by line"), lineDiff(change.before, change.after)));
}

function summaryList(items: ChangeItem[]): HTMLElement {
  const list = element("ul", { class: "changes-list" });
  for (const item of items) {
    const entry = element("li", { class: `change change-${item.kind}` }, item.text);
    if (item.before !== undefined || item.after !== undefined) {
      const detail = element("dl", { class: "before-after" });
      if (item.before !== undefined) detail.append(element("dt", {}, "Before"), element("dd", {}, item.before));
      if (item.after !== undefined) detail.append(element("dt", {}, "After"), element("dd", {}, item.after));
      entry.append(detail);
    }
    list.append(entry);
  }
  return list;
}

/** The unified diff as lines marked added and removed, with a few lines of context. */
export function lineDiff(before: string, after: string): HTMLElement {
  const patch = structuredPatch("live", "draft", before, after, "", "", { context: 3 });
  const pre = element("pre", { class: "diff", tabindex: "0", "aria-label": "The changes line by line: lines starting with + are added, - removed" });
  for (const hunk of patch.hunks) {
    pre.append(element("span", { class: "diff-hunk" }, `Around line ${hunk.newStart}\n`));
    for (const line of hunk.lines) {
      const kind = line.startsWith("+") ? "diff-add" : line.startsWith("-") ? "diff-del" : "diff-same";
      pre.append(element("span", { class: kind }, `${line}\n`));
    }
  }
  return pre;
}
