// A trajectory of images as a strip: one row per image (at most 8), one column per shown stage (at
// most 11, evenly spaced, the first and last included), and the column nearest the chosen stage
// outlined. An image lab's stages views draw this way (the denoising chain, pixel-by-pixel
// sampling). The choice of stages and tiles is pure (tested).

import { columnRect, drawTileGrid, tileGrid } from "./image_grid";

/** Most images (rows) a strip shows. */
export const STRIP_ROWS = 8;
/** Most stages (columns) a strip shows. */
export const STRIP_COLUMNS = 11;
/** The outline of the chosen stage's column. */
const OUTLINE = "#e4572e";

/** Up to `maxColumns` (at least 2) evenly spaced stages of `0 … stages − 1`, first and last included. */
export function stripStages(stages: number, maxColumns = STRIP_COLUMNS): number[] {
  const columns = Math.max(2, maxColumns);
  if (stages <= columns) return Array.from({ length: stages }, (_, k) => k);
  const shown = Array.from({ length: columns }, (_, j) => Math.round((j * (stages - 1)) / (columns - 1)));
  return [...new Set(shown)];
}

/** The index in `shown` of the stage nearest `stage` (the earlier one on a tie). */
export function nearestColumn(shown: readonly number[], stage: number): number {
  let best = 0;
  shown.forEach((s, k) => {
    if (Math.abs(s - stage) < Math.abs(shown[best] - stage)) best = k;
  });
  return best;
}

/**
 * The strip's tiles, row-major by image then stage, from `values` `[stages · perStage, pixels]`
 * (stage by stage, `perStage` images each): the first `rows` images at each stage of `shown`.
 */
export function stripTiles(
  values: ArrayLike<number>,
  pixels: number,
  perStage: number,
  shown: readonly number[],
  rows: number,
): Float32Array {
  const tiles = new Float32Array(rows * shown.length * pixels);
  for (let image = 0; image < rows; image++) {
    shown.forEach((stage, column) => {
      const from = (stage * perStage + image) * pixels;
      const to = (image * shown.length + column) * pixels;
      for (let i = 0; i < pixels; i++) tiles[to + i] = values[from + i];
    });
  }
  return tiles;
}

/**
 * Draws the stages view `values` (`stages` stages of `side × side` images) on the canvas of
 * `context` as a strip, outlining the column nearest `stage`; returns the stages (columns) and
 * the number of images (rows) shown.
 */
export function drawImageStrip(
  context: CanvasRenderingContext2D,
  values: ArrayLike<number>,
  side: number,
  stages: number,
  stage: number,
): { shown: number[]; rows: number } {
  const pixels = side * side;
  const perStage = Math.floor(values.length / pixels / stages);
  const rows = Math.min(perStage, STRIP_ROWS);
  const shown = stripStages(stages);
  const placement = drawTileGrid(context, tileGrid(stripTiles(values, pixels, perStage, shown, rows), side, shown.length));
  const [x, y, width, height] = columnRect(placement, nearestColumn(shown, stage));
  context.strokeStyle = OUTLINE;
  context.lineWidth = Math.max(2, placement.scale / 2);
  context.strokeRect(x, y, width, height);
  return { shown, rows };
}
