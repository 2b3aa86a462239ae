/**
 * The test phone: a call at a chosen moment from a chosen number, run by the server through the
 * webhook's own engine (`POST /api/try`), with the draft in the editor when it has one that
 * checks. Each reply runs the call again from the start with every reply so far: the server keeps
 * nothing. It files no report and pages nobody.
 */
import type { TryCallResult, TryReply } from "../domain/flow/try-call.js";
import { request, RequestError } from "./api.js";
import { element } from "./dom.js";
import { drafts } from "./editor.js";

/** Told with each tried call's path, for the diagram to light up. */
export const PATH_EVENT = "console:path";

export function mountTestPhone(section: HTMLElement): void {
  const documentName = section.dataset["document"];
  const callForm = section.querySelector<HTMLFormElement>("form[data-call]")!;
  const replyForm = section.querySelector<HTMLFormElement>("form[data-reply]")!;
  const transcript = section.querySelector<HTMLElement>("[data-transcript]")!;
  const summary = section.querySelector<HTMLElement>("[data-outcome]")!;
  const replyInput = replyForm.querySelector<HTMLInputElement>("input[name=reply]")!;
  let replies: string[] = [];
  let running = false;

  const run = async () => {
    if (running) return;
    running = true;
    const data = new FormData(callForm);
    const draft = documentName ? drafts.get(documentName) : undefined;
    const source = draft?.source();
    const changed = draft !== undefined && source !== draft.live;
    const tryCall = (withDraft: boolean) =>
      request<TryCallResult>("POST", "/api/try", {
        ...(documentName ? { document: documentName } : {}),
        ...(withDraft ? { source } : {}),
        at: String(data.get("at") ?? ""),
        from: String(data.get("from") ?? "").replace(/[\s()-]/g, ""),
        replies,
      });
    summary.replaceChildren(element("p", {}, "Calling…"));
    try {
      let result: TryCallResult;
      let note = changed ? "This call used your changes (not yet published)." : "This call used the live version.";
      try {
        result = await tryCall(changed);
      } catch (error) {
        // A draft with problems cannot run: the live version can.
        if (!(changed && error instanceof RequestError && Array.isArray(error.body["errors"]))) throw error;
        result = await tryCall(false);
        note = "Your changes have problems, so this call used the live version.";
      }
      render(result, note);
      document.dispatchEvent(new CustomEvent(PATH_EVENT, { detail: { document: documentName, path: result.path } }));
      replyForm.hidden = result.ended;
      if (!result.ended) replyInput.focus();
    } catch (error) {
      replies = replies.slice(0, -1);
      summary.replaceChildren(element("p", { class: "status error" }, error instanceof Error ? error.message : String(error)));
    } finally {
      running = false;
    }
  };

  const render = (result: TryCallResult, note: string) => {
    transcript.replaceChildren(
      ...result.turns.map((turn) => {
        const item = element("li", { class: "turn" });
        if (turn.reply) item.append(element("p", { class: "caller" }, replyInWords(turn.reply)));
        if (turn.heard.length > 0) {
          item.append(element("p", { class: "who" }, "The caller hears:"), element("blockquote", { class: "heard" }, ...turn.heard.map((words) => element("p", {}, words))));
        }
        if (turn.listeningFor) item.append(element("p", { class: "listening" }, `The line waits for ${turn.listeningFor}.`));
        return item;
      }),
    );
    const outcome = element("div", {}, element("p", { class: "note" }, note));
    if (result.ended) outcome.append(element("p", { class: "ended" }, `The call ended${result.outcome ? ` (${result.outcome.replace(/-/g, " ")})` : ""}.`));
    else if (result.awaiting) outcome.append(element("p", {}, `Now: ${result.awaiting}`));
    if (result.effects.length > 0) {
      outcome.append(element("p", {}, "What would have happened (the test phone did none of it):"), element("ul", {}, ...result.effects.map((effect) => element("li", {}, effect))));
    }
    outcome.append(element("p", { class: "path" }, `Path: ${result.path.join(" → ")}`));
    summary.replaceChildren(outcome);
  };

  callForm.addEventListener("submit", (event) => {
    event.preventDefault();
    replies = [];
    void run();
  });
  replyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    replies.push(replyInput.value);
    replyInput.value = "";
    void run();
  });
  for (const key of section.querySelectorAll<HTMLButtonElement>("button[data-key]")) {
    key.addEventListener("click", () => {
      replies.push(key.dataset["key"]!);
      void run();
    });
  }
  section.querySelector<HTMLButtonElement>("button[data-silence]")?.addEventListener("click", () => {
    replies.push("");
    void run();
  });
}

function replyInWords(reply: TryReply): string {
  if (reply.hangup) return "The caller hangs up.";
  if (reply.digits) return `The caller presses ${reply.digits.split("").join(" ")}.`;
  if (reply.speech) return `The caller says "${reply.speech}".`;
  if (reply.recording) return "The caller records a message.";
  return "The caller says nothing.";
}
