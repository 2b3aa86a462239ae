/**
 * CodeMirror styles itself through style-mod, which adds a `<style>` element to a document. The
 * console's Content-Security-Policy (`style-src 'self'`, no inline styles) refuses that element,
 * but not a constructed style sheet adopted by the page's own script, which is what style-mod
 * already uses inside shadow roots. So the document is handed to style-mod as a root with no
 * `<head>` whose adopted sheets are the document's: the same rules, in the same order, allowed.
 */
import { StyleModule } from "style-mod";

export function adoptEditorStyles(): void {
  const documentRoot = {
    ownerDocument: document,
    get adoptedStyleSheets(): CSSStyleSheet[] {
      return document.adoptedStyleSheets;
    },
    set adoptedStyleSheets(sheets: CSSStyleSheet[]) {
      document.adoptedStyleSheets = sheets;
    },
  };
  const mount = StyleModule.mount.bind(StyleModule);
  StyleModule.mount = (root, modules, options) => mount(root === document ? (documentRoot as unknown as ShadowRoot) : root, modules, options);
}
