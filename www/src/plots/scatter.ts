// Data and model samples as two point clouds on one canvas (device-pixel sharp).

import type { DatasetInfo } from "../genlab";

type Bounds = DatasetInfo["bounds"];

const DATA_COLOUR = "rgba(47, 111, 223, 0.35)";
const MODEL_COLOUR = "rgba(228, 87, 46, 0.55)";

/** A scatter plot of row-major `[n, 2]` point sets within fixed bounds. */
export class ScatterPlot {
  private readonly context: CanvasRenderingContext2D;

  constructor(private readonly canvas: HTMLCanvasElement, private bounds: Bounds) {
    const scale = window.devicePixelRatio || 1;
    const { width, height } = canvas;
    canvas.width = width * scale;
    canvas.height = height * scale;
    const context = canvas.getContext("2d");
    if (context === null) throw new Error("this browser cannot draw on a 2-D canvas");
    this.context = context;
  }

  /** Changes the plotted window (a new dataset). */
  setBounds(bounds: Bounds): void {
    this.bounds = bounds;
  }

  /** Redraws with `data` underneath and `model` on top; either may be empty. */
  draw(data: Float32Array, model: Float32Array): void {
    const { context: c, canvas } = this;
    c.clearRect(0, 0, canvas.width, canvas.height);
    this.drawAxes();
    this.drawPoints(data, DATA_COLOUR);
    this.drawPoints(model, MODEL_COLOUR);
    canvas.dataset.samples = String(model.length / 2);
  }

  private toPixel(x: number, y: number): [number, number] {
    const { x_min, x_max, y_min, y_max } = this.bounds;
    return [
      ((x - x_min) / (x_max - x_min)) * this.canvas.width,
      (1 - (y - y_min) / (y_max - y_min)) * this.canvas.height,
    ];
  }

  private drawAxes(): void {
    const c = this.context;
    c.strokeStyle = "#e3e6ec";
    c.lineWidth = 1;
    const [x0, y0] = this.toPixel(0, 0);
    c.beginPath();
    c.moveTo(x0, 0);
    c.lineTo(x0, this.canvas.height);
    c.moveTo(0, y0);
    c.lineTo(this.canvas.width, y0);
    c.stroke();
  }

  private drawPoints(points: Float32Array, colour: string): void {
    const c = this.context;
    const size = 2 * (window.devicePixelRatio || 1);
    c.fillStyle = colour;
    for (let i = 0; i + 1 < points.length; i += 2) {
      const [px, py] = this.toPixel(points[i], points[i + 1]);
      c.fillRect(px - size / 2, py - size / 2, size, size);
    }
  }
}
