// A scalar field on a square grid as colours (viridis-like ramp), between robust percentiles.

import type { Frame } from "./frame";

/** Colour stops from low to high. */
const RAMP: readonly [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function colour(t: number): [number, number, number] {
  const x = Math.min(Math.max(t, 0), 1) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2);
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/** The value at quantile `q` of the finite entries. */
function quantile(values: ArrayLike<number>, q: number): number {
  const finite = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return 0;
  return finite[Math.min(finite.length - 1, Math.floor(q * finite.length))];
}

/**
 * Draws `values` (one per cell of a `resolution²` grid over the frame's bounds, row-major, row 0
 * at the lowest y) on the colour range `range`, or by default from the 2nd percentile to the
 * maximum, and returns the range used. Non-finite values take the lowest colour.
 */
export function drawHeatmap(
  frame: Frame,
  values: ArrayLike<number>,
  resolution: number,
  range: [number, number] | null = null,
): [number, number] {
  const low = range?.[0] ?? quantile(values, 0.02);
  const high = range?.[1] ?? Math.max(quantile(values, 1), low + 1e-9);
  const image = new ImageData(resolution, resolution);
  for (let j = 0; j < resolution; j++) {
    for (let i = 0; i < resolution; i++) {
      const v = values[j * resolution + i];
      const [r, g, b] = colour(Number.isFinite(v) ? (v - low) / (high - low) : 0);
      const k = 4 * ((resolution - 1 - j) * resolution + i);
      image.data.set([r, g, b, 255], k);
    }
  }
  const cells = document.createElement("canvas");
  cells.width = resolution;
  cells.height = resolution;
  cells.getContext("2d")?.putImageData(image, 0, 0);
  const c = frame.context;
  c.imageSmoothingEnabled = false;
  c.drawImage(cells, 0, 0, frame.canvas.width, frame.canvas.height);
  return [low, high];
}
