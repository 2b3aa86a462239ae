import type { RecordsBacklog } from "../../../operations/line-status.js";
import { count } from "../format.js";
import { html, type Html } from "../html.js";
import { noticeBox } from "../layout.js";

/**
 * What a page read from the records may be missing: calls and voicemails handed to the worker and
 * not yet written (the database not taking them, or the worker behind), and records set aside.
 * Nothing when all is written.
 */
export function backlogBox(backlog: RecordsBacklog | undefined): Html {
  if (!backlog) return html``;
  const unwritten = backlog.waiting + backlog.retrying;
  const parts: Html[] = [];
  if (unwritten > 0) {
    const one = unwritten === 1;
    const them = one ? "it" : "them";
    const why = backlog.retrying > 0 ? `the records database is not taking ${them} just now` : `the line has not written ${them} yet`;
    const missing = one ? "What is below may be missing it (it may be a voicemail waiting for a call back)." : "What is below may be missing them, voicemails waiting for a call back among them.";
    parts.push(
      html`<p><strong>${count(unwritten)} ${one ? "call or voicemail is" : "calls or voicemails are"} not in the records yet:</strong> ${why}. ${missing} ${one ? "It is" : "They are"} kept and written as soon as ${one ? "it" : "they"} can be; reload the page in a few minutes.</p>`,
    );
  }
  if (backlog.failed > 0) {
    parts.push(
      html`<p><strong>${count(backlog.failed)} ${backlog.failed === 1 ? "record" : "records"} could not be written at all</strong> and ${backlog.failed === 1 ? "was" : "were"} set aside. Tell whoever runs the line: the worker's logs say why.</p>`,
    );
  }
  if (parts.length === 0) return html``;
  return noticeBox({ kind: "warn", text: html`${parts}` });
}
