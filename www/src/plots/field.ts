// A vector field on a grid as arrows, scaled so that a typical arrow spans one cell.

import type { Frame } from "./frame";

function lengths(vectors: Float32Array): number[] {
  const all: number[] = [];
  for (let i = 0; i + 1 < vectors.length; i += 2) all.push(Math.hypot(vectors[i], vectors[i + 1]));
  return all;
}

/** The 95th-percentile length of row-major `[n, 2]` vectors: the length drawn as one cell. */
export function typicalLength(vectors: Float32Array): number {
  const finite = lengths(vectors).filter(Number.isFinite).sort((a, b) => a - b);
  return finite.length > 0 ? finite[Math.floor(0.95 * (finite.length - 1))] : 0;
}

/**
 * Draws arrows for `vectors` (row-major `[n, 2]`) at `points` (row-major `[n, 2]`), scaled so
 * that a vector of length `typical` spans 0.9 `cell` data units; longer ones are clipped to that.
 * Two fields drawn with one `typical` compare at a glance.
 */
export function drawField(
  frame: Frame,
  points: Float32Array,
  vectors: Float32Array,
  cell: number,
  colour: string,
  typical: number,
): void {
  if (!(typical > 0)) return;
  const norms = lengths(vectors);
  const c = frame.context;
  c.strokeStyle = colour;
  c.lineWidth = frame.pixel;
  c.beginPath();
  for (let k = 0; k < norms.length; k++) {
    if (!Number.isFinite(norms[k])) continue;
    const scale = (0.9 * cell * Math.min(norms[k], typical)) / typical / Math.max(norms[k], 1e-12);
    const [x, y] = [points[2 * k], points[2 * k + 1]];
    const [dx, dy] = [vectors[2 * k] * scale, vectors[2 * k + 1] * scale];
    const [px, py] = frame.toPixel(x, y);
    const [qx, qy] = frame.toPixel(x + dx, y + dy);
    c.moveTo(px, py);
    c.lineTo(qx, qy);
    const angle = Math.atan2(qy - py, qx - px);
    const head = 3 * frame.pixel;
    c.lineTo(qx - head * Math.cos(angle - 0.5), qy - head * Math.sin(angle - 0.5));
    c.moveTo(qx, qy);
    c.lineTo(qx - head * Math.cos(angle + 0.5), qy - head * Math.sin(angle + 0.5));
  }
  c.stroke();
}
