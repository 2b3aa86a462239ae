/**
 * How the Reports page's charts are laid out (the parts the page and its script share): which
 * intervals the x axis names, so that no two names run into each other however wide the chart is;
 * and each line's own colour and dash, shown in the legend as a piece of that line.
 */
import { describe, expect, it } from "vitest";
import { dashBackground, labelledIntervals, SERIES_STYLES, seriesStyle, TICK_GAP } from "../../src/http/console/chart-spec.js";

/** About how wide the axis's 12 px type draws a name: 6.5 px a character. */
const widthsOf = (names: string[]) => names.map((name) => name.length * 6.5);

/** Whether the names at `indexes`, centred in equal shares of `plotWidth`, leave `gap` pixels between neighbours. */
function apart(widths: number[], indexes: number[], plotWidth: number): boolean {
  const slot = plotWidth / widths.length;
  return indexes.every((index, position) => {
    if (position === 0) return true;
    const before = indexes[position - 1]!;
    return (index - before) * slot >= (widths[before]! + widths[index]!) / 2 + TICK_GAP;
  });
}

const MONTHS = ["Jan 2026", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "1–2 Dec"];
const WHOLE_MONTHS = ["January 2026", "February 2026", "March 2026", "April 2026", "May 2026", "June 2026", "July 2026", "August 2026", "September 2026", "October 2026", "November 2026", "1–2 Dec"];

describe("labelledIntervals", () => {
  it("names every month of a year on a laptop's chart (1024 pixels wide: a plot of about 880)", () => {
    expect(labelledIntervals(widthsOf(MONTHS), 880)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("names every other month when the names are whole (September 2026), rather than let them touch", () => {
    const named = labelledIntervals(widthsOf(WHOLE_MONTHS), 1_100);
    expect(named).toEqual([0, 2, 4, 6, 8, 10]);
    expect(apart(widthsOf(WHOLE_MONTHS), named, 1_100)).toBe(true);
    // Every month would overlap: that is what the Reports page drew before.
    expect(apart(widthsOf(WHOLE_MONTHS), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 1_100)).toBe(false);
  });

  it("leaves room between the names it chooses at any width, for days, weeks and months", () => {
    const days = Array.from({ length: 31 }, (_, index) => (index === 0 ? "Tue 1 Dec" : `Day ${index + 1}`));
    const weeks = Array.from({ length: 13 }, (_, index) => `${index + 1} Sep`);
    for (const names of [days, weeks, MONTHS, WHOLE_MONTHS]) {
      for (const plotWidth of [200, 320, 640, 880, 1_100, 1_400]) {
        const named = labelledIntervals(widthsOf(names), plotWidth);
        expect(named[0], `${names[0]} at ${plotWidth}`).toBe(0);
        expect(apart(widthsOf(names), named, plotWidth), `${names[0]} at ${plotWidth}`).toBe(true);
      }
    }
  });

  it("names the first interval alone when not even two fit, and nothing when there are none", () => {
    expect(labelledIntervals([90, 90], 100)).toEqual([0]);
    expect(labelledIntervals([40], 300)).toEqual([0]);
    expect(labelledIntervals([], 300)).toEqual([]);
  });
});

describe("the lines' styles", () => {
  it("gives each of a chart's lines its own colour and its own dash", () => {
    const styles = [0, 1, 2, 3, 4].map(seriesStyle);
    expect(new Set(styles.map((style) => style.colour)).size).toBe(5);
    expect(new Set(styles.map((style) => style.dash.join(","))).size).toBe(5);
  });

  it("draws the first lines wider, so a line drawn over one leaves it showing", () => {
    const widths = SERIES_STYLES.map((style) => style.width);
    expect(widths).toEqual([...widths].sort((a, b) => b - a));
    expect(widths[0]).toBeGreaterThan(widths.at(-1)!);
  });

  it("shows a solid line in the legend as its colour, a dashed one as its dashes and gaps", () => {
    expect(dashBackground("#0b4f8a", [])).toBe("#0b4f8a");
    expect(dashBackground("#1d6b35", [10, 5])).toBe("repeating-linear-gradient(to right, #1d6b35 0px 10px, transparent 10px 15px)");
    expect(dashBackground("#b36b00", [12, 4, 2, 4])).toBe("repeating-linear-gradient(to right, #b36b00 0px 12px, transparent 12px 16px, #b36b00 16px 18px, transparent 18px 22px)");
  });
});
