// A function of one variable as a line: y-values against x-positions, in its own window.

import type { Frame } from "./frame";

/** Draws `values[k]` against `positions[k]`, setting the frame's window to fit them. */
export function drawLine(frame: Frame, positions: ArrayLike<number>, values: ArrayLike<number>, colour: string): void {
  let top = 0;
  for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k])) top = Math.max(top, values[k]);
  frame.bounds = {
    x_min: positions[0],
    x_max: positions[positions.length - 1],
    y_min: -0.05 * (top || 1),
    y_max: 1.1 * (top || 1),
  };
  frame.clear();
  const c = frame.context;
  c.strokeStyle = colour;
  c.lineWidth = 2 * frame.pixel;
  c.beginPath();
  for (let k = 0; k < values.length; k++) {
    const [px, py] = frame.toPixel(positions[k], Number.isFinite(values[k]) ? values[k] : 0);
    if (k === 0) c.moveTo(px, py);
    else c.lineTo(px, py);
  }
  c.stroke();
}
