/**
 * What the Reports page hands its script to draw a chart with (in `data-chart`): the numbers by
 * interval and each line's name, and how the lines and the axis are drawn. Shared by the page and
 * the browser script, so it imports nothing.
 */
export interface ChartSpec {
  /** The chart's name, also said to screen readers (the numbers are in the table beside it). */
  title: string;
  /** What the values count: `calls`, `requests`, `%`. */
  unit: string;
  /** One label per interval, in order, whole: `Tue 1 Dec`, `30 Nov – 6 Dec`, `December 2026`. The legend says it under the pointer. */
  labels: string[];
  /**
   * One label per interval for the x axis, short enough to sit side by side: `Tue 1 Dec`, `Wed 2`;
   * `30 Nov` for a week; `Jan 2026`, `Feb` for months (the year where it starts).
   */
  ticks: string[];
  series: { label: string; values: (number | null)[] }[];
}

/** How one line is drawn: a colour and a dash of its own, so lines lying on each other are still told apart, and not by colour alone. */
export interface SeriesStyle {
  colour: string;
  /** Canvas dash pattern in CSS pixels (on, off, ...); empty for a solid line. */
  dash: number[];
  /** Line width in CSS pixels: the first lines are drawn wider, so a later one on top leaves them showing at its edges. */
  width: number;
  /** Points filled with the colour, or hollow. */
  filledPoints: boolean;
}

/** The lines' styles, in the order of a chart's series. */
export const SERIES_STYLES: readonly SeriesStyle[] = [
  { colour: "#0b4f8a", dash: [], width: 3.5, filledPoints: true },
  { colour: "#1d6b35", dash: [10, 5], width: 2.5, filledPoints: false },
  { colour: "#a2221b", dash: [2, 4], width: 2.5, filledPoints: true },
  { colour: "#b36b00", dash: [12, 4, 2, 4], width: 2, filledPoints: false },
  { colour: "#6b52a8", dash: [5, 3, 5, 8], width: 2, filledPoints: true },
];

/** The style of the chart's `index`-th line. */
export function seriesStyle(index: number): SeriesStyle {
  return SERIES_STYLES[index % SERIES_STYLES.length]!;
}

/**
 * A piece of a line as a CSS background, for the legend: the colour where the dash pattern draws,
 * nothing between. A solid line is its colour.
 *
 * @example dashBackground("#1d6b35", [10, 5]) // "repeating-linear-gradient(to right, #1d6b35 0px 10px, transparent 10px 15px)"
 */
export function dashBackground(colour: string, dash: readonly number[]): string {
  if (dash.length === 0) return colour;
  let at = 0;
  const stops = dash.map((length, index) => {
    const stop = `${index % 2 === 0 ? colour : "transparent"} ${at}px ${at + length}px`;
    at += length;
    return stop;
  });
  return `repeating-linear-gradient(to right, ${stops.join(", ")})`;
}

/** The least room left between two x-axis labels, in CSS pixels. */
export const TICK_GAP = 14;

/**
 * Which intervals the x axis names so that no two names run into each other: every `step`-th
 * from the first, with the smallest step that leaves `gap` pixels between neighbours. Each
 * interval has an equal share of the plot's width (`plotWidth`, CSS pixels) and its name is centred
 * in it; `widths` are the names' widths as drawn. The intervals left unnamed are still drawn, and
 * named in the legend under the pointer and in the table.
 */
export function labelledIntervals(widths: readonly number[], plotWidth: number, gap = TICK_GAP): number[] {
  const count = widths.length;
  const slot = plotWidth / Math.max(1, count);
  for (let step = 1; step < count; step++) {
    const named = Array.from({ length: Math.ceil(count / step) }, (_, index) => index * step);
    if (named.every((index, position) => position === 0 || step * slot >= (widths[named[position - 1]!]! + widths[index]!) / 2 + gap)) return named;
  }
  return count > 0 ? [0] : [];
}
