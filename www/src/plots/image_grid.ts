// Images as a grid of tiles: each image a `side × side` square of grey levels, 0 the white paper
// and 1 the ink, other values clamped to [0, 1], and NaN (an erased pixel, not given to the
// model) in a muted red. Every image plot of the page draws through here, so the colours agree.
// The layout is pure (tested); drawing scales it to a canvas with square, sharp pixels.

import { Frame } from "./frame";

/** A colour as red, green, blue (0 … 255). */
export type Rgb = readonly [number, number, number];

/** The colour of pixel value 0: the paper. */
export const PAPER: Rgb = [255, 255, 255];
/** The colour of pixel value 1: the ink. */
export const INK: Rgb = [29, 35, 48];
/** The colour of an erased pixel (NaN). */
export const ERASED: Rgb = [226, 132, 120];
/** The colour of the lines between tiles. */
export const GAP: Rgb = [217, 220, 227];
/** Native pixels between tiles, and around the grid. */
export const TILE_GAP = 1;

/** The colour of one pixel value: clamped to [0, 1] from paper to ink; NaN is erased. */
export function pixelColour(value: number): Rgb {
  if (Number.isNaN(value)) return ERASED;
  const t = Math.min(1, Math.max(0, value));
  const mix = (k: 0 | 1 | 2) => Math.round(PAPER[k] + t * (INK[k] - PAPER[k]));
  return [mix(0), mix(1), mix(2)];
}

/** A grid of tiles at its native size (one canvas pixel per image pixel), RGBA row-major. */
export interface TileGrid {
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
  side: number;
  tilesPerRow: number;
  tileRows: number;
}

/** The native pixel of the top-left corner of tile `index` (tiles fill rows left to right). */
export function tileOrigin(index: number, tilesPerRow: number, side: number): [number, number] {
  const column = index % tilesPerRow;
  const row = Math.floor(index / tilesPerRow);
  return [TILE_GAP + column * (side + TILE_GAP), TILE_GAP + row * (side + TILE_GAP)];
}

/**
 * Lays out row-major images `[n, side²]` (each row-major, row 0 at the top) as tiles,
 * `tilesPerRow` to a row; at most `maxTiles` are shown. Tile `k` is image `k`: for a view of kind
 * "images" with `columns = tilesPerRow · side²`, tile row r, column c is `values[r·columns + c·side²]`.
 */
export function tileGrid(values: ArrayLike<number>, side: number, tilesPerRow: number, maxTiles = Infinity): TileGrid {
  const pixels = side * side;
  const tiles = Math.min(maxTiles, Math.floor(values.length / pixels));
  const columns = Math.max(1, Math.min(tilesPerRow, tiles));
  const tileRows = Math.ceil(tiles / columns);
  const width = TILE_GAP + columns * (side + TILE_GAP);
  const height = TILE_GAP + Math.max(tileRows, 1) * (side + TILE_GAP);
  const rgba = new Uint8ClampedArray(4 * width * height);
  for (let k = 0; k < width * height; k++) rgba.set([...GAP, 255], 4 * k);
  for (let tile = 0; tile < tiles; tile++) {
    const [x0, y0] = tileOrigin(tile, columns, side);
    for (let i = 0; i < pixels; i++) {
      const [x, y] = [x0 + (i % side), y0 + Math.floor(i / side)];
      rgba.set([...pixelColour(values[tile * pixels + i]), 255], 4 * (y * width + x));
    }
  }
  return { width, height, rgba, side, tilesPerRow: columns, tileRows };
}

/** Where a grid landed on a canvas: its top-left corner and canvas pixels per native pixel. */
export interface Placement {
  grid: TileGrid;
  x: number;
  y: number;
  scale: number;
}

/** The canvas rectangle `[x, y, width, height]` of tile column `column` (every row, gaps included). */
export function columnRect(placement: Placement, column: number): [number, number, number, number] {
  const { grid, x, y, scale } = placement;
  const [left] = tileOrigin(column, grid.tilesPerRow, grid.side);
  return [x + (left - TILE_GAP) * scale, y, (grid.side + 2 * TILE_GAP) * scale, grid.height * scale];
}

/**
 * Clears the canvas of `context` and draws `grid` as large as fits, centred, at a whole number
 * of canvas pixels per image pixel when it can.
 */
export function drawTileGrid(context: CanvasRenderingContext2D, grid: TileGrid): Placement {
  const { canvas } = context;
  const fit = Math.min(canvas.width / grid.width, canvas.height / grid.height);
  const scale = fit >= 1 ? Math.floor(fit) : fit;
  const x = Math.round((canvas.width - scale * grid.width) / 2);
  const y = Math.round((canvas.height - scale * grid.height) / 2);
  const native = document.createElement("canvas");
  native.width = grid.width;
  native.height = grid.height;
  native.getContext("2d")?.putImageData(new ImageData(grid.rgba, grid.width, grid.height), 0, 0);
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.imageSmoothingEnabled = false;
  context.drawImage(native, x, y, scale * grid.width, scale * grid.height);
  return { grid, x, y, scale };
}

/** A canvas of images as tiles: model samples, or held-out images. */
export class ImageGridPlot {
  private readonly context: CanvasRenderingContext2D;

  constructor(canvas: HTMLCanvasElement) {
    this.context = new Frame(canvas, { x_min: 0, x_max: 1, y_min: 0, y_max: 1 }).context;
  }

  /** Draws the first `tilesPerRow²` of row-major `[n, side²]` images, `tilesPerRow` to a row. */
  draw(images: Float32Array, side: number, tilesPerRow = 8): void {
    const grid = tileGrid(images, side, tilesPerRow, tilesPerRow * tilesPerRow);
    drawTileGrid(this.context, grid);
    this.context.canvas.dataset.images = String(Math.min(tilesPerRow * tilesPerRow, Math.floor(images.length / (side * side))));
  }

  /** Empties the canvas. */
  clear(): void {
    const { canvas } = this.context;
    this.context.clearRect(0, 0, canvas.width, canvas.height);
    canvas.dataset.images = "0";
  }
}
