// Data and model samples as two point clouds on one canvas, or a drawing being edited.

import type { Bounds } from "../genlab";
import { Frame } from "./frame";

/** Colours of the data and of the model's samples (the views' overlays use them too). */
export const DATA_COLOUR = "rgba(47, 111, 223, 0.35)";
export const MODEL_COLOUR = "rgba(228, 87, 46, 0.55)";
const DRAWN_COLOUR = "rgba(20, 40, 90, 0.8)";

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
    this.frame.canvas.dataset.samplesDigest = digest(model);
  }

  /** Draws the points of a drawing being edited (no model samples) and the brush as a ring. */
  drawDrawing(points: Float32Array, brush: { x: number; y: number; radius: number }): void {
    this.frame.clear();
    this.frame.points(points, DRAWN_COLOUR);
    this.frame.canvas.dataset.drawn = String(points.length / 2);
    const [cx, cy] = this.frame.toPixel(brush.x, brush.y);
    const [edge] = this.frame.toPixel(brush.x + brush.radius, brush.y);
    const c = this.frame.context;
    c.strokeStyle = "rgba(27, 127, 95, 0.9)";
    c.lineWidth = this.frame.pixel;
    c.beginPath();
    c.arc(cx, cy, Math.max(2 * this.frame.pixel, edge - cx), 0, 2 * Math.PI);
    c.stroke();
  }
}

/** A 32-bit FNV-1a digest of the values' bytes, in hex: equal samples show equal digests. */
export function digest(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}
