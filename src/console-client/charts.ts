/**
 * The Reports page's charts, drawn with uPlot from the numbers the page carries in `data-chart`.
 * uPlot sizes and places its parts through element.style (the CSS object model), which the
 * console's Content-Security-Policy allows (it refuses only style attributes and `<style>`
 * elements in markup); its style sheet is bundled into the console's own (console.css).
 *
 * The x axis is the interval's position, labelled with the page's own words for it (`Tue 1 Dec`),
 * so days and weeks are the City's, whatever zone the browser is in.
 */
import uPlot from "uplot";
import type { ChartSpec } from "../http/console/chart-spec.js";

const COLOURS = ["#0b4f8a", "#1d6b35", "#a2221b", "#b36b00", "#6b52a8"];
const HEIGHT = 260;

/** At most about one label per 70 pixels: the rest of the intervals are in the legend and the table. */
function splitsFor(count: number, width: number): number[] {
  const every = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(width / 70))));
  return Array.from({ length: count }, (_, index) => index).filter((index) => index % every === 0);
}

export function mountChart(box: HTMLElement): void {
  const spec = JSON.parse(box.dataset["chart"]!) as ChartSpec;
  const count = spec.labels.length;
  const percent = spec.unit === "%";
  const x = Array.from({ length: count }, (_, index) => index);
  // Null is no interval under the pointer (or nothing to show for it): the legend then shows the names alone.
  const format = (value: number | null) => (value === null ? "" : percent ? `${value.toFixed(1)} %` : value.toLocaleString("en-CA"));
  box.replaceChildren();
  const width = () => Math.max(280, box.clientWidth);
  const options: uPlot.Options = {
    width: width(),
    height: HEIGHT,
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(count - 0.5, 0.5)] },
      y: { range: (_u, _min, max) => (percent ? [0, 100] : [0, max > 0 ? Math.ceil(max * 1.15) : 1]) },
    },
    axes: [
      {
        splits: (u) => splitsFor(count, u.bbox.width / devicePixelRatio),
        values: (_u, splits) => splits.map((index) => spec.labels[index] ?? ""),
        grid: { show: false },
      },
      {
        label: spec.unit,
        // Counts go up in whole steps: no grid line at half a call.
        ...(percent ? {} : { incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 50_000, 100_000] }),
        values: (_u, splits) => splits.map((value) => (percent ? `${value} %` : Number.isInteger(value) ? value.toLocaleString("en-CA") : "")),
      },
    ],
    series: [
      { label: " ", value: (_u, index) => (index === null ? "" : (spec.labels[index] ?? "")) },
      ...spec.series.map((series, index) => ({
        label: series.label,
        stroke: COLOURS[index % COLOURS.length]!,
        width: 2,
        points: { show: true, size: 7 },
        value: (_u: uPlot, value: number | null) => format(value),
      })),
    ],
    cursor: { drag: { x: false, y: false } },
  };
  const chart = new uPlot(options, [x, ...spec.series.map((series) => series.values)] as uPlot.AlignedData, box);
  new ResizeObserver(() => chart.setSize({ width: width(), height: HEIGHT })).observe(box);
}
