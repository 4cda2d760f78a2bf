// One divergence against training step, with its noise floor (uPlot), on a linear or log scale.
// The band under the noise floor is shaded: there the model cannot be told from the data. Hovering
// shows the step, value and floor in the legend. On a log scale, values ≤ 0 (an unbiased MMD² can
// be slightly negative) are left out.

import uPlot from "uplot";

/** One point of a curve. */
export interface CurvePoint {
  step: number;
  value: number;
  floor: number | null;
}

/** A live line chart of one estimate and its noise floor. */
export class CurvePlot {
  private points: CurvePoint[] = [];
  private plot: uPlot | null = null;
  private label = "";
  private log = true;

  constructor(private readonly container: HTMLElement) {}

  /** Shows `points` of the estimate called `label`, on a log scale when `log`. */
  show(label: string, points: CurvePoint[], log: boolean): void {
    this.label = label;
    this.log = log;
    this.points = [...points];
    this.plot?.destroy();
    const options: uPlot.Options = {
      width: this.container.clientWidth || 480,
      height: (this.container.clientHeight || 420) - 60,
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: [{ label: "training step" }, { label }],
      series: [
        { label: "step" },
        { label, stroke: "#e4572e", width: 2 },
        { label: "noise floor", stroke: "#8a93a6", dash: [6, 4], width: 1, fill: "rgba(138, 147, 166, 0.18)" },
      ],
      legend: { show: true, live: true },
    };
    this.plot = new uPlot(options, this.data(), this.container);
    this.container.dataset.points = String(this.points.length);
  }

  /** Appends one point and redraws. */
  push(point: CurvePoint): void {
    this.points.push(point);
    this.plot?.setData(this.data());
    this.container.dataset.points = String(this.points.length);
  }

  /** Forgets every point (keeping the estimate and scale). */
  clear(): void {
    this.show(this.label, [], this.log);
  }

  private data(): uPlot.AlignedData {
    const keep = (v: number | null) => (v === null || (this.log && v <= 0) ? null : v);
    return [
      this.points.map((p) => p.step),
      this.points.map((p) => keep(p.value)),
      this.points.map((p) => keep(p.floor)),
    ];
  }
}
