import type { DateTime } from "luxon";
import { activeOverride, type EmergencyOverride } from "./override.js";

/** The emergency message as the API shows it. */
export interface EmergencyView {
  mode: "normal" | "message" | "closed" | "open";
  message?: string;
  until?: string;
  setBy?: string;
  setAt?: string;
}

/** What is on now, as the console, the API and the audit log say it. */
export function emergencyView(stored: EmergencyOverride | null, now: DateTime): EmergencyView {
  const override = activeOverride(stored, now);
  if (!override) return { mode: "normal" };
  return {
    mode: override.mode ?? "message",
    ...(override.message ? { message: override.message } : {}),
    ...(override.until ? { until: override.until } : {}),
    ...(override.setBy ? { setBy: override.setBy } : {}),
    ...(override.setAt ? { setAt: override.setAt } : {}),
  };
}

/** One line for the audit log: `closed until ...: "..."`, or `normal`. */
export function emergencyInWords(view: EmergencyView): string {
  const until = view.until ? ` until ${view.until}` : "";
  const message = view.message ? `: "${view.message}"` : "";
  return view.mode === "normal" ? "normal" : `${view.mode}${until}${message}`;
}
