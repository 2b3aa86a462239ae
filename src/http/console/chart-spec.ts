/**
 * What the Reports page hands its script to draw a chart with (in `data-chart`): the numbers by
 * interval and each line's name. Shared by the page and the browser script, so it imports nothing.
 */
export interface ChartSpec {
  /** The chart's name, also said to screen readers (the numbers are in the table beside it). */
  title: string;
  /** What the values count: `calls`, `requests`, `%`. */
  unit: string;
  /** One label per interval, in order: `Tue 1 Dec`, `Week of 30 Nov`, `Dec 2026`. */
  labels: string[];
  series: { label: string; values: (number | null)[] }[];
}
