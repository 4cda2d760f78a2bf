// A 2-D canvas with a data window: device-pixel sharp, mapping data coordinates to pixels.

import type { Bounds } from "../genlab";

/** A canvas showing the data window `bounds`. */
export class Frame {
  readonly context: CanvasRenderingContext2D;
  private readonly scale = window.devicePixelRatio || 1;

  constructor(readonly canvas: HTMLCanvasElement, public bounds: Bounds) {
    const { width, height } = canvas;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    canvas.width = width * this.scale;
    canvas.height = height * this.scale;
    const context = canvas.getContext("2d");
    if (context === null) throw new Error("this browser cannot draw on a 2-D canvas");
    this.context = context;
  }

  /** Size of one CSS pixel in device pixels. */
  get pixel(): number {
    return this.scale;
  }

  /** The pixel position of the data point `(x, y)` (y up). */
  toPixel(x: number, y: number): [number, number] {
    const { x_min, x_max, y_min, y_max } = this.bounds;
    return [
      ((x - x_min) / (x_max - x_min)) * this.canvas.width,
      (1 - (y - y_min) / (y_max - y_min)) * this.canvas.height,
    ];
  }

  /** Clears the canvas and draws the axes through the origin. */
  clear(): void {
    const { context: c, canvas } = this;
    c.clearRect(0, 0, canvas.width, canvas.height);
    c.strokeStyle = "#e3e6ec";
    c.lineWidth = 1;
    const [x0, y0] = this.toPixel(0, 0);
    c.beginPath();
    c.moveTo(x0, 0);
    c.lineTo(x0, canvas.height);
    c.moveTo(0, y0);
    c.lineTo(canvas.width, y0);
    c.stroke();
  }

  /** Draws row-major `[n, 2]` points (or `[n, 1]` values against zero) as small squares. */
  points(points: Float32Array, colour: string, columns = 2): void {
    const c = this.context;
    const size = 2 * this.scale;
    c.fillStyle = colour;
    for (let i = 0; i + columns - 1 < points.length; i += columns) {
      const [px, py] = this.toPixel(points[i], columns > 1 ? points[i + 1] : 0);
      c.fillRect(px - size / 2, py - size / 2, size, size);
    }
  }
}

/** The smallest window around row-major points (`columns` per point), padded by 10 %. */
export function boundsOf(points: Float32Array, columns: number): Bounds {
  let [x_min, x_max, y_min, y_max] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i + columns - 1 < points.length; i += columns) {
    const y = columns > 1 ? points[i + 1] : 0;
    x_min = Math.min(x_min, points[i]);
    x_max = Math.max(x_max, points[i]);
    y_min = Math.min(y_min, y);
    y_max = Math.max(y_max, y);
  }
  if (!Number.isFinite(x_min)) return { x_min: -1, x_max: 1, y_min: -1, y_max: 1 };
  const pad = (lo: number, hi: number): [number, number] => {
    const margin = Math.max(0.1 * (hi - lo), 0.5);
    return [lo - margin, hi + margin];
  };
  [x_min, x_max] = pad(x_min, x_max);
  [y_min, y_max] = pad(y_min, y_max);
  return { x_min, x_max, y_min, y_max };
}
