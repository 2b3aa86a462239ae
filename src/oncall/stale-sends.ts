import type { DateTime } from "luxon";
import type { OncallObserver } from "../domain/observers.js";
import { maskPhone } from "../domain/phone.js";
import type { IncidentStore } from "../domain/ports.js";
import { whyStale, type SendScreen } from "../domain/oncall/stale-sends.js";
import type { Logger } from "../logger.js";

export interface StaleSendScreenDependencies {
  incidents: IncidentStore;
  clock: () => DateTime;
  log: Logger;
  /** Told of each escalation page dropped (`civic_pages_total{result="skipped"}`). */
  observe?: Pick<OncallObserver, "paged"> | undefined;
}

/**
 * The send workers' {@link SendScreen}: reads the incident a droppable send is about when its
 * turn comes and drops it when {@link whyStale} says so, noting the skip on the incident's record
 * (`skipped`, with why), in the log, and for an escalation page in the pages metric. An incident
 * that cannot be read drops nothing: the send goes.
 */
export function staleSendScreen(deps: StaleSendScreenDependencies): SendScreen {
  const { incidents, log } = deps;
  return async ({ to, channel, droppable }) => {
    const reference = droppable.incident;
    let reason: string | undefined;
    try {
      reason = whyStale(droppable.kind, to, await incidents.get(reference));
    } catch (error) {
      log.warn({ reference, err: errorMessage(error) }, "could not read the incident a queued page is about: it is sent");
      return undefined;
    }
    if (reason === undefined) return undefined;
    const what = droppable.kind === "more-reports" ? '"more reports" text' : channel === "sms" ? "page by text" : "page by voice call";
    try {
      await incidents.addEvent(reference, {
        at: deps.clock().toISO()!,
        kind: "skipped",
        ...(droppable.step !== undefined && droppable.step >= 0 ? { step: droppable.step } : {}),
        ...(droppable.name ? { name: droppable.name } : {}),
        phone: to,
        channel,
        detail: `${what} dropped at its turn: ${reason}`,
      });
    } catch (error) {
      // Dropped all the same: the incident's own status says it is not wanted.
      log.warn({ reference, err: errorMessage(error) }, "could not note a dropped page on the incident");
    }
    if (droppable.kind !== "more-reports") deps.observe?.paged(channel, "skipped");
    log.info({ reference, kind: droppable.kind, step: droppable.step, name: droppable.name, to: maskPhone(to), channel, reason }, "a queued page was not sent: the incident moved on while it waited its turn");
    return reason;
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
