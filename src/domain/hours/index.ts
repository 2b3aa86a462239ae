/**
 * Business hours for the 311 line: the `hours.yaml` document, the City's holidays, and whether
 * the line is open at a given moment. Pure: every function that needs the time is given it.
 */
export { WEEKDAYS, MONTHS, type Weekday, type Month } from "./calendar.js";
export {
  HoursSchema,
  HOLIDAY_KINDS,
  OBSERVED_RULES,
  type Hours,
  type WeeklyHours,
  type HolidayRule,
  type FixedDateHoliday,
  type NthWeekdayHoliday,
  type EasterHoliday,
  type WeekdayBeforeHoliday,
  type ObservedRule,
  type Closure,
} from "./schema.js";
export { parseHours } from "./parse.js";
export { EmergencyOverrideSchema, EmergencyOverrideToSet, activeOverride, isOpenWithoutEnd, type EmergencyOverride } from "./override.js";
export { planOverride, OverrideRequestError, type OverrideRequest, type PlannedOverride } from "./override-request.js";
export { easterSunday, holidaysInYear, type Holiday } from "./holidays.js";
export { schedule, type DaySchedule } from "./schedule.js";
export type { TimeWindow, DayChange } from "./day-plan.js";
export { lineStatus, lineStatusWith, minuteOf, hoursOutlook, type HoursOutlook, type MinuteStatus, type LineBranch, type LineStatus, type ClosedWhy } from "./status.js";
export { timeInWords, windowsInWords, listInWords, closedReasonInWords, dayInWords } from "./words.js";
