/**
 * The document editor: CodeMirror 6 with YAML, checked as the supervisor types by the server's
 * own loader (`POST …/check`): each problem at its line in the lint gutter and in a list with its
 * hint; "Show changes" (a line diff by the `diff` package, and the change in plain words from the
 * server); Publish with a message.
 */
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { yaml } from "@codemirror/lang-yaml";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { request, RequestError, type Check, type Problem } from "./api.js";
import { renderChanges } from "./changes.js";
import { element } from "./dom.js";

/** What an editor holds, by document (`flow:main`, `hours`, `oncall`), for the test phone to try. */
export interface Draft {
  /** The text in the editor now. */
  source(): string;
  /** The live version's text, as the page was loaded with it. */
  live: string;
}

export const drafts = new Map<string, Draft>();

/** Told each time a draft has been checked. */
export const DRAFT_EVENT = "console:draft";

export function mountEditor(section: HTMLElement): void {
  const textarea = section.querySelector<HTMLTextAreaElement>("textarea[data-source]");
  if (!textarea) return;
  const documentName = section.dataset["document"]!;
  const api = section.dataset["api"]!;
  const baseVersion = Number(section.dataset["version"]);
  const canPublish = section.dataset["canPublish"] === "true";
  const live = textarea.value;
  const problemsBox = section.querySelector<HTMLElement>("[data-problems]")!;
  const label = section.querySelector<HTMLElement>("[data-source-label]");
  const showProblems = (check: Check | undefined, note?: string) => {
    problemsBox.replaceChildren(...problemList(check, note, view));
  };

  const checkDraft = linter(
    async (editor) => {
      const source = editor.state.doc.toString();
      let check: Check;
      try {
        check = await request<Check>("POST", `${api}/check`, { source });
      } catch (error) {
        showProblems(undefined, error instanceof Error ? error.message : String(error));
        return [];
      }
      if (editor.state.doc.toString() !== source) return [];
      showProblems(check);
      document.dispatchEvent(new CustomEvent(DRAFT_EVENT, { detail: { document: documentName, source, ok: check.ok } }));
      return diagnostics(editor, check);
    },
    { delay: 350 },
  );

  const view = new EditorView({
    parent: section.querySelector<HTMLElement>("[data-editor-host]") ?? section,
    state: EditorState.create({
      doc: live,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        checkDraft,
        EditorState.readOnly.of(!canPublish),
        // The list of problems says it is out of date at once, not when the next check ends.
        EditorView.updateListener.of((update) => {
          if (update.docChanged) problemsBox.replaceChildren(element("p", { class: "status" }, "Checking…"));
        }),
        EditorView.contentAttributes.of({ "aria-labelledby": label?.id ?? "", "aria-describedby": problemsBox.id }),
      ],
    }),
  });
  drafts.set(documentName, { source: () => view.state.doc.toString(), live });
  textarea.hidden = true;
  textarea.setAttribute("aria-hidden", "true");

  const changes = section.querySelector<HTMLElement>("[data-changes]");
  section.querySelector<HTMLButtonElement>("[data-show-changes]")?.addEventListener("click", async (event) => {
    if (!changes) return;
    const button = event.currentTarget as HTMLButtonElement;
    if (!changes.hidden && button.getAttribute("aria-expanded") === "true") {
      changes.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.textContent = "Show changes";
      return;
    }
    button.setAttribute("aria-expanded", "true");
    button.textContent = "Hide changes";
    changes.hidden = false;
    await renderChanges(changes, { document: documentName, before: live, after: view.state.doc.toString() });
  });

  const form = section.querySelector<HTMLFormElement>("form[data-publish]");
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.querySelector<HTMLElement>("[data-publish-status]")!;
    const message = form.querySelector<HTMLInputElement>("input[name=message]")!;
    const source = view.state.doc.toString();
    if (!message.value.trim()) {
      status.textContent = "Say in a few words what you changed and why, then press Publish.";
      status.className = "status error";
      message.focus();
      return;
    }
    if (source === live) {
      status.textContent = "Nothing to publish: the text is the same as the live version.";
      status.className = "status error";
      return;
    }
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
    button.disabled = true;
    status.textContent = "Publishing…";
    status.className = "status";
    try {
      const published = await request<{ version: number }>("PUT", api, { source, message: message.value, baseVersion });
      const url = new URL(location.href);
      url.search = `?published=${published.version}`;
      url.hash = "";
      location.assign(url.toString());
    } catch (error) {
      button.disabled = false;
      status.className = "status error";
      if (error instanceof RequestError && Array.isArray(error.body["errors"])) {
        const check = { ok: false, errors: error.body["errors"] as Problem[], warnings: (error.body["warnings"] as Problem[] | undefined) ?? [] };
        showProblems(check);
        status.textContent = "Not published: fix the problems listed above the Publish button, then publish again.";
      } else {
        status.textContent = `Not published: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  });
}

function diagnostics(view: EditorView, check: Check): Diagnostic[] {
  const found: Diagnostic[] = [];
  const doc = view.state.doc;
  for (const [problems, severity] of [
    [check.errors, "error"],
    [check.warnings, "warning"],
  ] as const) {
    for (const problem of problems) {
      if (problem.line === null || problem.line < 1) continue;
      const line = doc.line(Math.min(problem.line, doc.lines));
      found.push({ from: line.from, to: line.to, severity, message: problemText(problem) });
    }
  }
  return found;
}

function problemText(problem: Problem): string {
  const where = problem.path && !problem.path.startsWith("line ") ? `${problem.path}: ` : "";
  return `${where}${problem.message}${problem.hint ? ` (${problem.hint})` : ""}`;
}

function problemList(check: Check | undefined, note: string | undefined, view: EditorView | undefined): Node[] {
  if (note) return [element("p", { class: "status error" }, `Could not check the text: ${note}`)];
  if (!check) return [];
  const all = [...check.errors.map((problem) => ({ problem, severity: "error" as const })), ...check.warnings.map((problem) => ({ problem, severity: "warning" as const }))];
  if (all.length === 0) return [element("p", { class: "status ok" }, "No problems found.")];
  const heading = element(
    "p",
    { class: check.errors.length > 0 ? "status error" : "status" },
    check.errors.length > 0
      ? `${count(check.errors.length, "problem")} to fix before this can be published${check.warnings.length ? `, and ${count(check.warnings.length, "warning")}` : ""}:`
      : `${count(check.warnings.length, "warning")} (it can be published):`,
  );
  const list = element("ul", { class: "problems-list" });
  for (const { problem, severity } of all) {
    const where = problem.line !== null ? `Line ${problem.line}` : `In ${problem.document}`;
    const item = element("li", { class: `problem problem-${severity}` });
    if (problem.line !== null && view) {
      const jump = element("button", { type: "button", class: "link" }, where);
      jump.addEventListener("click", () => {
        const line = view.state.doc.line(Math.min(problem.line!, view.state.doc.lines));
        view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
        view.focus();
      });
      item.append(jump, ": ");
    } else {
      item.append(`${where}: `);
    }
    item.append(problem.path && !problem.path.startsWith("line ") ? `${problem.path}: ${problem.message}` : problem.message);
    if (problem.hint) item.append(element("span", { class: "hint" }, ` ${problem.hint}`));
    list.append(item);
  }
  return [heading, list];
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
