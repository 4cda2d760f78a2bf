// A divergence against training step, with its noise floor, on a log scale (uPlot).

import uPlot from "uplot";

/** A live line chart of one estimate and its noise floor. */
export class CurvePlot {
  private readonly steps: number[] = [];
  private readonly values: number[] = [];
  private readonly floors: number[] = [];
  private readonly plot: uPlot;

  constructor(private readonly container: HTMLElement, label: string) {
    const options: uPlot.Options = {
      width: container.clientWidth || 480,
      height: (container.clientHeight || 420) - 30,
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: "training step" }, { label }],
      series: [
        { label: "step" },
        { label, stroke: "#e4572e", width: 2 },
        { label: "noise floor", stroke: "#8a93a6", dash: [6, 4], width: 1 },
      ],
      legend: { live: true },
    };
    this.plot = new uPlot(options, [[], [], []], container);
  }

  /** Appends one point and redraws. */
  push(step: number, value: number, floor: number): void {
    this.steps.push(step);
    this.values.push(value);
    this.floors.push(floor);
    this.plot.setData([this.steps, this.values, this.floors]);
    this.container.dataset.points = String(this.steps.length);
  }

  /** Forgets every point. */
  clear(): void {
    this.steps.length = 0;
    this.values.length = 0;
    this.floors.length = 0;
    this.plot.setData([[], [], []]);
    this.container.dataset.points = "0";
  }
}
