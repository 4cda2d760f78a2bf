// Data and model samples as two point clouds on one canvas.

import type { Bounds } from "../genlab";
import { Frame } from "./frame";

const DATA_COLOUR = "rgba(47, 111, 223, 0.35)";
const MODEL_COLOUR = "rgba(228, 87, 46, 0.55)";

/** A scatter plot of row-major `[n, 2]` point sets within fixed bounds. */
export class ScatterPlot {
  private readonly frame: Frame;

  constructor(canvas: HTMLCanvasElement, bounds: Bounds) {
    this.frame = new Frame(canvas, bounds);
  }

  /** Changes the plotted window (a new dataset). */
  setBounds(bounds: Bounds): void {
    this.frame.bounds = bounds;
  }

  /** Redraws with `data` underneath and `model` on top; either may be empty. */
  draw(data: Float32Array, model: Float32Array): void {
    this.frame.clear();
    this.frame.points(data, DATA_COLOUR);
    this.frame.points(model, MODEL_COLOUR);
    this.frame.canvas.dataset.samples = String(model.length / 2);
  }
}
