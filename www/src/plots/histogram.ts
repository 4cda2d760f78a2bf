// The memorisation check as two overlaid histograms on one axis: how far each model sample lies
// from its nearest training image, beside how far each held-out image does. Held-out images show
// what "new" looks like; samples much closer to the training images than that are copies. The
// binning and medians are pure (tested); the caption states both medians.

import type { Memorisation } from "../genlab";
import { Frame } from "./frame";

/** Bins of each histogram. */
const BINS = 24;
/** Canvas pixels (CSS) left around the plotting area: top, right, bottom, left. */
const MARGIN = { top: 34, right: 12, bottom: 38, left: 12 };
const MODEL = { fill: "rgba(228, 87, 46, 0.45)", line: "#e4572e" };
const HELD_OUT = { fill: "rgba(47, 111, 223, 0.35)", line: "#2f6fdf" };
const AXIS = "#5b6475";

/** The counts of `values` in `bins` equal bins over `[low, high]`; values outside go to the end bins, NaN nowhere. */
export function binCounts(values: ArrayLike<number>, low: number, high: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (high - low) / bins;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (Number.isNaN(v)) continue;
    const bin = width > 0 ? Math.floor((v - low) / width) : 0;
    counts[Math.min(bins - 1, Math.max(0, bin))] += 1;
  }
  return counts;
}

/** The median of the finite entries of `values` (NaN when there are none). */
export function median(values: ArrayLike<number>): number {
  const sorted = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The shared axis of both sets: from 0 to their largest finite value (1 when there is none). */
export function sharedRange(...sets: ArrayLike<number>[]): [number, number] {
  let high = 0;
  for (const set of sets) for (let k = 0; k < set.length; k++) if (Number.isFinite(set[k])) high = Math.max(high, set[k]);
  return [0, high > 0 ? high : 1];
}

/** A canvas of the two histograms and a caption that reads them. */
export class MemorisationHistogram {
  private readonly frame: Frame;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly caption: HTMLElement,
  ) {
    this.frame = new Frame(canvas, { x_min: 0, x_max: 1, y_min: 0, y_max: 1 });
  }

  /** Draws the check of one evaluation (or clears it). */
  show(check: Memorisation | null): void {
    const { context: c, canvas, pixel } = this.frame;
    c.clearRect(0, 0, canvas.width, canvas.height);
    if (check === null) {
      this.caption.textContent = "";
      return;
    }
    const [low, high] = sharedRange(check.model, check.held_out);
    const series = [
      { values: check.model, colours: MODEL, label: "model samples" },
      { values: check.held_out, colours: HELD_OUT, label: "held-out images" },
    ].map((s) => ({ ...s, counts: binCounts(s.values, low, high, BINS).map((n) => n / Math.max(1, s.values.length)), median: median(s.values) }));
    const top = Math.max(...series.flatMap((s) => s.counts), 1e-9);
    const area = {
      x: MARGIN.left * pixel,
      y: MARGIN.top * pixel,
      width: canvas.width - (MARGIN.left + MARGIN.right) * pixel,
      height: canvas.height - (MARGIN.top + MARGIN.bottom) * pixel,
    };
    const toX = (v: number) => area.x + ((v - low) / (high - low)) * area.width;
    const barWidth = area.width / BINS;
    for (const s of series) {
      c.fillStyle = s.colours.fill;
      s.counts.forEach((fraction, bin) => {
        const height = (fraction / top) * area.height;
        c.fillRect(area.x + bin * barWidth, area.y + area.height - height, barWidth, height);
      });
      if (Number.isFinite(s.median)) {
        c.strokeStyle = s.colours.line;
        c.lineWidth = 2 * pixel;
        c.setLineDash([5 * pixel, 4 * pixel]);
        c.beginPath();
        c.moveTo(toX(s.median), area.y);
        c.lineTo(toX(s.median), area.y + area.height);
        c.stroke();
        c.setLineDash([]);
      }
    }
    this.drawAxis(area, low, high);
    this.drawLegend(series.map((s) => ({ colour: s.colours.line, text: `${s.label} (median ${s.median.toFixed(3)})` })));
    canvas.dataset.modelMedian = series[0].median.toFixed(4);
    canvas.dataset.heldOutMedian = series[1].median.toFixed(4);
    const described = /[.!?]$/.test(check.description.trim()) ? check.description.trim() : `${check.description.trim()}.`;
    this.caption.textContent =
      `${described} Medians: model samples ${series[0].median.toFixed(3)}, held-out images ` +
      `${series[1].median.toFixed(3)}. Samples must differ from the training data: if the model's samples ` +
      "sit much closer to training images than held-out images do, the model is copying its training set.";
  }

  private drawAxis(area: { x: number; y: number; width: number; height: number }, low: number, high: number): void {
    const { context: c, pixel } = this.frame;
    const baseline = area.y + area.height;
    c.strokeStyle = AXIS;
    c.lineWidth = pixel;
    c.beginPath();
    c.moveTo(area.x, baseline);
    c.lineTo(area.x + area.width, baseline);
    c.stroke();
    c.fillStyle = AXIS;
    c.font = `${11 * pixel}px system-ui, sans-serif`;
    c.textBaseline = "top";
    for (const [fraction, align] of [[0, "left"], [0.5, "center"], [1, "right"]] as const) {
      c.textAlign = align;
      c.fillText((low + fraction * (high - low)).toFixed(2), area.x + fraction * area.width, baseline + 4 * pixel);
    }
    c.textAlign = "center";
    c.fillText("distance to the nearest training image (pixels in [0, 1])", area.x + area.width / 2, baseline + 20 * pixel);
  }

  private drawLegend(entries: { colour: string; text: string }[]): void {
    const { context: c, pixel } = this.frame;
    c.font = `${11 * pixel}px system-ui, sans-serif`;
    c.textAlign = "left";
    c.textBaseline = "middle";
    entries.forEach((entry, k) => {
      const y = (9 + 13 * k) * pixel;
      c.fillStyle = entry.colour;
      c.fillRect(MARGIN.left * pixel, y - 4 * pixel, 10 * pixel, 8 * pixel);
      c.fillStyle = AXIS;
      c.fillText(entry.text, (MARGIN.left + 16) * pixel, y);
    });
  }
}
