import { DateTime } from "luxon";
import { z } from "zod";

/**
 * What a supervisor sets for a big event (a storm, a watermain break across the city): force the
 * line open or closed, and/or a message every caller hears after the 9-1-1 line. Applies to
 * every call until `until`, or until it is cleared.
 */
export interface EmergencyOverride {
  /** Force the line open or closed; absent, the schedule decides. */
  mode?: "open" | "closed";
  /** Spoken to every caller after the 9-1-1 line: trimmed, 1 to 600 characters. */
  message?: string;
  /** ISO 8601 with an offset: from this instant on, the override no longer applies. */
  until?: string;
  /** Who set it, for the console and the logs. */
  setBy?: string;
  /** When it was set, ISO 8601 with an offset. */
  setAt?: string;
}

const INSTANT_HINT = "write a date and time with its offset, e.g. 2026-12-25T17:00:00-07:00";
const isoWithOffset = z.iso.datetime({ offset: true });

/** An ISO 8601 instant that names its offset, so it means the same moment on every server. */
const instant = z
  .string({ error: (issue) => `${JSON.stringify(issue.input) ?? "undefined"} is not a date and time` })
  .refine((text) => isoWithOffset.safeParse(text).success && DateTime.fromISO(text).isValid, {
    error: (issue) => `${JSON.stringify(issue.input)} is not a date and time with an offset`,
    params: { hint: INSTANT_HINT },
  });

/**
 * Validates an emergency override. Unlike the hours file it ignores fields it does not know
 * rather than refusing them: the override is written by software, and an instance running an
 * older version must still honour an emergency closure that a newer console set.
 */
export const EmergencyOverrideSchema: z.ZodType<EmergencyOverride> = z.object({
  mode: z.enum(["open", "closed"], { error: (issue) => `unknown mode ${JSON.stringify(issue.input)}` }).optional(),
  message: z
    .string({ error: "message must be text" })
    .trim()
    .min(1, { error: "message is empty" })
    .max(600, { error: "message is longer than 600 characters" })
    .optional(),
  until: instant.optional(),
  setBy: z.string({ error: "setBy must be text" }).trim().min(1).max(200).optional(),
  setAt: instant.optional(),
});

/**
 * The override that applies at `now`, or null when there is none, it has expired (`now` is at or
 * after `until`), or it neither forces the line nor says anything. An `until` that cannot be read
 * is treated as expired: the schedule is the safer thing to fall back on than an override that
 * might never end.
 *
 * An `open` override must name its end: keeping the day menu on switches the trouble line off, and
 * one left on by mistake would leave night callers in empty agent queues. One without `until`
 * (written by hand, or by software that did not check) does not open the line: the schedule
 * decides, and its message, if any, is still spoken. `npm run hours -- emergency set --open`
 * always writes an end; `EmergencyOverrideToSet` refuses one without.
 */
export function activeOverride(override: EmergencyOverride | null | undefined, now: DateTime): EmergencyOverride | null {
  if (!override) return null;
  if (override.until !== undefined) {
    const until = DateTime.fromISO(override.until, { setZone: true });
    if (!until.isValid || now.toMillis() >= until.toMillis()) return null;
  } else if (override.mode === "open") {
    const { mode: _ignored, ...rest } = override;
    return activeOverride(rest, now);
  }
  if (override.mode === undefined && override.message === undefined) return null;
  return override;
}

/** Whether an override tries to open the line without saying when that stops (and so is not obeyed). */
export function isOpenWithoutEnd(override: EmergencyOverride | null | undefined): boolean {
  return override?.mode === "open" && override.until === undefined;
}

/**
 * An override as it may be written: the stored shape, plus the rule that an `open` override names
 * its end. Readers use the lenient `EmergencyOverrideSchema`, so that a value written some other
 * way still has its closure and message honoured.
 */
export const EmergencyOverrideToSet: z.ZodType<EmergencyOverride> = EmergencyOverrideSchema.superRefine((override, ctx) => {
  if (isOpenWithoutEnd(override)) {
    ctx.addIssue({
      code: "custom",
      path: ["until"],
      message: "an override that opens the line needs an end (until)",
      params: { hint: "without one the trouble line would stay off for good; give the time the day menu should stop" },
    });
  }
});
