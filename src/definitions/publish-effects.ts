import { createTwoFilesPatch } from "diff";
import { DateTime } from "luxon";
import { documentFile } from "../domain/definitions.js";
import type { SmsOutbox } from "../domain/oncall/pager.js";
import { changeMessage, onCallChanges } from "../domain/oncall/roster/changes.js";
import { parseRoster } from "../domain/oncall/roster/index.js";
import type { AuditLog } from "../domain/ports.js";
import type { Logger } from "../logger.js";
import { maskPhone } from "../domain/phone.js";
import type { Published } from "./publisher.js";

export interface PublishEffectsDependencies {
  audit: AuditLog;
  /**
   * Where the texts telling crew members their time on call changed go: the line's `twilio-sms`
   * send queue, so they keep to Twilio's sending limits with every page, last in the line.
   */
  texts: SmsOutbox;
  log: Logger;
}

/**
 * What follows a publish: an audit log entry with the diff, and, when a roster changed who is on
 * call in the next 14 days, one SMS to each person whose time on call changed, queued to go out
 * in its turn (nobody waits for it). Neither undoes the publish when it fails: the failure is
 * logged for a person to act on, here or by the worker that sends the text.
 */
export function publishEffects(deps: PublishEffectsDependencies): (published: Published) => Promise<void> {
  return async (published) => {
    const file = documentFile(published.kind, published.name);
    await deps.audit
      .record({
        at: published.at,
        user: published.author,
        action: published.rolledBackTo === undefined ? "publish" : "rollback",
        document: published.kind === "flow" ? `flow:${published.name}` : published.kind,
        version: published.version,
        message: published.message,
        diff: createTwoFilesPatch(file, file, published.before ?? "", published.after, published.version > 1 ? `version ${published.version - 1}` : "nothing before", `version ${published.version}`),
      })
      .catch((error: Error) => deps.log.error({ err: error.message, document: file, version: published.version }, "a publish could not be written to the audit log"));
    if (published.kind === "oncall" && published.before !== null) await tellWhoseTimeChanged(deps, published.before, published.after, published.at);
  };
}

async function tellWhoseTimeChanged(deps: PublishEffectsDependencies, before: string, after: string, at: string): Promise<void> {
  let changes;
  let zone;
  try {
    const old = parseRoster(before, "oncall.yaml");
    const now = parseRoster(after, "oncall.yaml");
    zone = now.zone;
    changes = onCallChanges(old, now, DateTime.fromISO(at, { zone }));
  } catch (error) {
    // The version it replaced may predate a check; the new one has passed them.
    deps.log.warn({ err: (error as Error).message }, "could not compare the rosters to tell the crew what changed");
    return;
  }
  for (const change of changes) {
    try {
      await deps.texts.queueSms(change.phone, changeMessage(change, zone), {
        priority: "notice",
        ifFailed: `could not tell ${change.name} their time on call changed: tell them by phone`,
      });
      deps.log.info({ to: maskPhone(change.phone), name: change.name }, "queued a text telling a crew member their time on call changed");
    } catch (error) {
      deps.log.error({ err: (error as Error).message, to: maskPhone(change.phone), name: change.name }, "could not tell a crew member their time on call changed: tell them by phone");
    }
  }
}
