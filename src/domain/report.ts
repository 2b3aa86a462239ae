import { z } from "zod";

/**
 * An urgent report from the after-hours line, as it travels on the `oncall-dispatch` queue.
 * The worker parses every job with this schema, so a malformed job fails loudly instead of
 * paging with half a message.
 */
export const UrgentReport = z.object({
  /** Read to the caller digit by digit; the crew quotes it when they reply. */
  reference: z.string().regex(/^\d{4,12}$/),
  category: z.string().min(1),
  /**
   * Where the caller said the problem is, as speech recognition heard it. With `recordingUrl`
   * it is the unsure transcript kept beside the caller's own words (or a placeholder when
   * nothing was understood).
   */
  location: z.string(),
  /** True when the caller confirmed the place as it was read back to them. */
  locationConfirmed: z.boolean().optional(),
  /**
   * True when `location` is speech the line did not take: heard with too little confidence, or
   * refused by the caller at the read-back. Pages say it may be wrong.
   */
  locationUnsure: z.boolean().optional(),
  /**
   * The caller's own recording: of the place when speech was unsure or failed, or of the
   * problem itself when the caller could not use the menu. Crews hear it on the voice page;
   * it never goes out in SMS text.
   */
  recordingUrl: z.string().url().optional(),
  /**
   * The caller could not say what the problem is (silent at the menu): page the category's
   * supervisor, or every supervisor when no category was chosen, with the recording.
   */
  pageSupervisor: z.boolean().optional(),
  /** E.164; null when the caller's number was withheld and they keyed none. */
  callbackNumber: z.string().regex(/^\+[1-9]\d{7,14}$/).nullable(),
  callSid: z.string().min(1),
  /** ISO 8601 with the offset of the City's zone. */
  receivedAt: z.iso.datetime({ offset: true }),
  /**
   * The line was closed when the call started, by the hours and the supervisor's override then in
   * force (as the call's record says). Absent from a report filed by an older version: the records
   * then work it out from the hours at `receivedAt`.
   */
  afterHours: z.boolean().optional(),
});
export type UrgentReport = z.infer<typeof UrgentReport>;
