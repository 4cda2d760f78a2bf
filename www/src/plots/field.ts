// A vector field on a grid as arrows, scaled so that the longest typical arrow spans one cell.

import type { Frame } from "./frame";

/**
 * Draws arrows for `vectors` (row-major `[n, 2]`) at `points` (row-major `[n, 2]`), the vectors
 * scaled by one factor so their 95th-percentile length fills `cell` data units; longer ones are
 * clipped to that.
 */
export function drawField(frame: Frame, points: Float32Array, vectors: Float32Array, cell: number, colour: string): void {
  const lengths: number[] = [];
  for (let i = 0; i + 1 < vectors.length; i += 2) lengths.push(Math.hypot(vectors[i], vectors[i + 1]));
  const finite = lengths.filter(Number.isFinite).sort((a, b) => a - b);
  const typical = finite.length > 0 ? finite[Math.floor(0.95 * (finite.length - 1))] : 0;
  if (!(typical > 0)) return;
  const c = frame.context;
  c.strokeStyle = colour;
  c.lineWidth = frame.pixel;
  c.beginPath();
  for (let k = 0; k < lengths.length; k++) {
    if (!Number.isFinite(lengths[k])) continue;
    const scale = (0.9 * cell * Math.min(lengths[k], typical)) / typical / Math.max(lengths[k], 1e-12);
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
