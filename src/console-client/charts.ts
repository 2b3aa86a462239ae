/**
 * The Reports page's charts, drawn with uPlot from the numbers the page carries in `data-chart`.
 * uPlot sizes and places its parts through element.style (the CSS object model), which the
 * console's Content-Security-Policy allows (it refuses only style attributes and `<style>`
 * elements in markup); its style sheet is bundled into the console's own (console.css).
 *
 * The x axis is the interval's position, named with the page's own short words for it (`Tue 1 Dec`,
 * `Feb`), so days and weeks are the City's, whatever zone the browser is in. Only as many names as
 * fit side by side are drawn (measured, in the axis's font); the legend gives each interval's whole
 * name under the pointer. Each line has its own colour and dash, and the legend shows both.
 */
import uPlot from "uplot";
import { dashBackground, labelledIntervals, seriesStyle, type ChartSpec } from "../http/console/chart-spec.js";

const HEIGHT = 260;
/** The axes' type, set here so the x axis's names are measured in the font they are drawn in. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** How wide each name is in the axis's font, in CSS pixels. */
function measured(names: readonly string[]): number[] {
  const context = document.createElement("canvas").getContext("2d");
  if (!context) return names.map((name) => name.length * 7);
  context.font = AXIS_FONT;
  return names.map((name) => context.measureText(name).width);
}

export function mountChart(box: HTMLElement): void {
  const spec = JSON.parse(box.dataset["chart"]!) as ChartSpec;
  const count = spec.labels.length;
  const ticks = spec.ticks ?? spec.labels;
  const tickWidths = measured(ticks);
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
        font: AXIS_FONT,
        splits: (u) => labelledIntervals(tickWidths, u.bbox.width / devicePixelRatio),
        values: (_u, splits) => splits.map((index) => ticks[index] ?? ""),
        grid: { show: false },
      },
      {
        font: AXIS_FONT,
        label: spec.unit,
        // Counts go up in whole steps: no grid line at half a call.
        ...(percent ? {} : { incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 50_000, 100_000] }),
        values: (_u, splits) => splits.map((value) => (percent ? `${value} %` : Number.isInteger(value) ? value.toLocaleString("en-CA") : "")),
      },
    ],
    series: [
      { label: " ", value: (_u, index) => (index === null ? "" : (spec.labels[index] ?? "")) },
      ...spec.series.map((series, index) => {
        const style = seriesStyle(index);
        return {
          label: series.label,
          stroke: style.colour,
          width: style.width,
          // uPlot draws the dash in the canvas's own pixels.
          dash: style.dash.map((length) => length * devicePixelRatio),
          points: { show: true, size: 8, width: 2, stroke: style.colour, fill: style.filledPoints ? style.colour : "#ffffff" },
          value: (_u: uPlot, value: number | null) => format(value),
        };
      }),
    ],
    // Each name's marker is a piece of its line: its colour in its dash, as a background (console.css sizes it).
    legend: { markers: { width: 0, fill: (_u, index) => (index === 0 ? "transparent" : dashBackground(seriesStyle(index - 1).colour, seriesStyle(index - 1).dash)) } },
    cursor: { drag: { x: false, y: false } },
  };
  const chart = new uPlot(options, [x, ...spec.series.map((series) => series.values)] as uPlot.AlignedData, box);
  new ResizeObserver(() => chart.setSize({ width: width(), height: HEIGHT })).observe(box);
}
