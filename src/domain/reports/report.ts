/**
 * The City's figures for a period: what `npm run report` prints and `GET /api/reports` answers.
 * The names in this shape are a contract other systems read (the issue fixes `offered`,
 * `afterHours`, `answeredByIvr`... under `calls`); every figure is defined in words once, in
 * `FIGURE_DEFINITIONS`, keyed by its path in this shape.
 *
 * Counts are whole numbers; durations are seconds; shares are fractions from 0 to 1 (null when
 * there is nothing to divide by); dates are `yyyy-MM-dd` in the City's zone; instants are ISO 8601
 * with the zone's offset.
 */
import type { Weekday } from "../hours/index.js";

/** How a period is cut into intervals. Weeks start on Monday (ISO weeks). */
export type ReportInterval = "day" | "week" | "month";
export const REPORT_INTERVALS = ["day", "week", "month"] as const satisfies readonly ReportInterval[];

/** The thresholds the figures are computed with (from `SERVICE_LEVEL_SECONDS` and `SHORT_ABANDON_SECONDS`). */
export interface ReportSettings {
  /** A queued call answered after waiting this many seconds or fewer counts towards the service level. */
  serviceLevelSeconds: number;
  /** A caller who gives up in a queue after waiting this many seconds or fewer is a short abandon. */
  shortAbandonSeconds: number;
}

/** What happened to the calls that started in an interval. */
export interface CallFigures {
  offered: number;
  afterHours: number;
  answeredByIvr: number;
  queued: number;
  answeredByAgent: number;
  abandonedInQueue: number;
  /** Of `abandonedInQueue`, those who gave up within `shortAbandonSeconds`. */
  abandonedInQueueShort: number;
  abandonedInIvr: number;
  voicemail: number;
  transferred: number;
  urgentReports: number;
  /** Answered by the IVR or an agent, leaving no service request behind. */
  answeredWithoutFurtherAction: number;
}

/** One agent queue's figures over an interval. */
export interface QueueFigures {
  queue: string;
  queued: number;
  answered: number;
  abandoned: number;
  abandonedShort: number;
  answeredWithinServiceLevel: number;
  /** Mean wait of the calls an agent answered; null when none was answered. */
  averageSpeedOfAnswerSeconds: number | null;
  /** answeredWithinServiceLevel / queued; null when nobody was queued. */
  serviceLevel: number | null;
  /** The longest wait of any call in the queue, however it ended; null when no wait is known. */
  longestWaitSeconds: number | null;
}

/** The channels a request comes in by, with the names the records use. */
export interface ChannelCounts {
  phone: number;
  "after-hours": number;
  online: number;
}

/** Service requests: made in the interval, and closed in it. */
export interface RequestFigures {
  created: number;
  /** Most first, then by name. */
  byService: { service: string; created: number }[];
  /** Most first, then by name; `department` is null for requests no department handles. */
  byDepartment: { department: string | null; created: number }[];
  byChannel: ChannelCounts;
  closed: number;
  /** Of the requests closed in the interval, the median time from made to closed; null when none closed. */
  medianTimeToCloseSeconds: number | null;
}

/** Urgent reports and the incidents they opened, for all categories or one. */
export interface UrgentCounts {
  reports: number;
  incidents: number;
  acknowledged: number;
  medianTimeToAcknowledgeSeconds: number | null;
  p90TimeToAcknowledgeSeconds: number | null;
  escalated: number;
  escalations: number;
  alarms: number;
}

export interface UrgentFigures extends UrgentCounts {
  /** By category (`power`, `water`, `roads`...), by name. */
  byCategory: ({ category: string } & UrgentCounts)[];
}

/** Everything counted over one stretch of time. */
export interface Figures {
  calls: CallFigures;
  /** By queue name. */
  queues: QueueFigures[];
  requests: RequestFigures;
  urgent: UrgentFigures;
}

/** One interval of the period (a day, a week or a month, cut to the period at its ends). */
export interface IntervalFigures extends Figures {
  /** The first day, `yyyy-MM-dd`. */
  from: string;
  /** The last day, inclusive. */
  to: string;
  /** The first instant (midnight in the City's zone). */
  start: string;
  /** The first instant after it (exclusive). */
  end: string;
}

/** The seed's figures, for any period. */
export interface HeadlineFigures {
  calls: number;
  answeredWithoutFurtherAction: number;
  /** answeredWithoutFurtherAction / calls; null with no calls. */
  answeredWithoutFurtherActionShare: number | null;
  serviceRequests: number;
  onlineRequests: number;
  /** onlineRequests / serviceRequests; null with no requests. */
  onlineShare: number | null;
}

/** An open callback, oldest first in the report; never with the caller's number. */
export interface OpenCallback {
  reference: string;
  requestedAt: string;
  ageSeconds: number;
  overdue: boolean;
}

/** Voicemails nobody has called back yet, as they stood at `asOf`. */
export interface CallbackFigures {
  /** The end of the period, or now when the period has not ended yet. */
  asOf: string;
  open: number;
  overdue: number;
  /**
   * A callback left before this instant is overdue: the opening of the last business day that had
   * closed by `asOf`. Null when no business day is found in the year before `asOf`.
   */
  overdueIfLeftBefore: string | null;
  medianAgeSeconds: number | null;
  oldestAgeSeconds: number | null;
  /** How long the open callbacks have waited, in calendar time. */
  ages: { underOneDay: number; oneToThreeDays: number; threeToSevenDays: number; overSevenDays: number };
  /** The oldest open callbacks, oldest first (at most `OPEN_CALLBACKS_LISTED`). */
  oldest: OpenCallback[];
}

/** How many open callbacks a report lists by name; the worklist has the rest. */
export const OPEN_CALLBACKS_LISTED = 20;

/** Calls offered over the period by local weekday and hour, for staffing. */
export interface WeekdayHourTable {
  /** Row order: monday to sunday. */
  weekdays: readonly Weekday[];
  /** `calls[w][h]`: calls that started on weekday `weekdays[w]` between h:00 and h:59 local time. */
  calls: number[][];
}

/** The figures for a period and each of its intervals. */
export interface Report {
  period: {
    /** First day, `yyyy-MM-dd`, in `zone`. */
    from: string;
    /** Last day, inclusive. */
    to: string;
    by: ReportInterval;
    /** The City's zone (the hours document's `zone`): days, weeks and hours are counted in it. */
    zone: string;
    /** Midnight starting `from`, ISO 8601. */
    start: string;
    /** Midnight after `to` (exclusive). */
    end: string;
  };
  settings: ReportSettings;
  /** When it was computed. */
  generatedAt: string;
  headline: HeadlineFigures;
  /** The period as a whole (medians and percentiles of the whole period, not of the intervals). */
  totals: Figures;
  /** Every interval of the period in order, those with nothing in them too. */
  intervals: IntervalFigures[];
  callbacks: CallbackFigures;
  callsByWeekdayHour: WeekdayHourTable;
}
