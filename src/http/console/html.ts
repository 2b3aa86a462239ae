/**
 * The one way the console writes markup: a tagged template that escapes every interpolation, so
 * nothing a supervisor typed (a prompt, a message, a state name, a username) can become markup.
 * Only another `html` result, or an array of them, goes in as it is.
 *
 * @example html`<p>${prompt}</p>` // <p>&lt;script&gt;…</p> for a prompt holding a script tag
 */

/** Markup made by `html`: safe to put in a page as it is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** What may be interpolated: text (escaped), numbers, markup made by `html`, lists of them; nothing for null, undefined and false. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/** Text made safe for an element's content and for a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => ESCAPES[character]!);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let text = strings[0]!;
  values.forEach((value, index) => {
    text += render(value) + strings[index + 1]!;
  });
  return new Html(text);
}

/** Attributes from a map, for the few elements whose attributes vary (`checked`, `disabled`). */
export function attributes(map: Record<string, string | number | boolean | undefined>): Html {
  const parts = Object.entries(map)
    .filter(([, value]) => value !== undefined && value !== false)
    .map(([name, value]) => (value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`));
  return new Html(parts.join(""));
}
