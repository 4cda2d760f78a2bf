// The family's training statistics against step (uPlot), one line per statistic (losses, ELBO
// terms, V(D, G), ...), kept to a bounded number of points by halving when full.

import uPlot from "uplot";

/** Most points kept per line; when full, every other point is dropped. */
const MAX_POINTS = 2000;
/** Shortest time between two redraws while training. */
const REDRAW_MS = 250;
/** Line colours, in order of the statistics. */
const COLOURS = ["#e4572e", "#2f6fdf", "#1b7f5f", "#8a4fbf", "#c98a00", "#5f6b7a"];

/** A live chart of named statistics against training step. */
export class LossCurve {
  private names: string[] = [];
  private steps: number[] = [];
  private values: number[][] = [];
  private plot: uPlot | null = null;
  private drawn = 0;

  constructor(private readonly container: HTMLElement) {}

  /** Forgets every point. */
  clear(): void {
    this.names = [];
    this.steps = [];
    this.values = [];
    this.plot?.destroy();
    this.plot = null;
    this.container.dataset.points = "0";
  }

  /** Adds the statistics `stats` averaged over the slice ending at `step`. */
  push(step: number, stats: Record<string, number>): void {
    const names = Object.keys(stats);
    if (names.join() !== this.names.join()) {
      this.clear();
      this.names = names;
      this.values = names.map(() => []);
    }
    this.steps.push(step);
    names.forEach((name, k) => this.values[k].push(stats[name]));
    if (this.steps.length > MAX_POINTS) {
      const even = (_: number, i: number) => i % 2 === 0;
      this.steps = this.steps.filter(even);
      this.values = this.values.map((line) => line.filter(even));
    }
    this.container.dataset.points = String(this.steps.length);
    if (performance.now() - this.drawn > REDRAW_MS) this.draw();
  }

  private draw(): void {
    this.drawn = performance.now();
    const data: uPlot.AlignedData = [this.steps, ...this.values.map((line) => line.map((v) => (Number.isFinite(v) ? v : null)))];
    if (this.plot === null) {
      this.plot = new uPlot(
        {
          width: this.container.clientWidth || 480,
          height: (this.container.clientHeight || 300) - 50,
          scales: { x: { time: false } },
          axes: [{ label: "training step" }, {}],
          series: [{ label: "step" }, ...this.names.map((name, k) => ({ label: name, stroke: COLOURS[k % COLOURS.length], width: 1.5 }))],
        },
        data,
        this.container,
      );
    } else {
      this.plot.setData(data);
    }
  }
}
