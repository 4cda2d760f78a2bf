// The compact text form of a drawn dataset, as it travels in a notebook (and so in `#nb=` links,
// notebook files, autosave and embed snippets). Points are quantised to a 4096 × 4096 grid on
// the drawing's window and sorted by x; each point is written as its x step from the previous
// point (a base64url varint: 5 bits a character, a continuation bit) and its y (two characters,
// 12 bits). Three characters a point for a typical drawing, text that the link's deflate
// compresses further. Decoding treats the text as untrusted: every field is checked and named.

/** Most points a drawing holds (and a notebook carries). */
export const MAX_DRAWN_POINTS = 5000;
/** Fewest points a drawing needs to be trained on (as for pasted CSV). */
export const MIN_DRAWN_POINTS = 2;
/** Grid cells per axis of the quantisation (12 bits). */
export const LEVELS = 4096;
/** Longest encoded text read: the most points, each at its longest (4 + 2 characters). */
export const MAX_ENCODED_CHARS = MAX_DRAWN_POINTS * 6;
/** Largest |coordinate| of a window accepted. */
const MAX_COORDINATE = 1e6;
/** Narrowest side of a window, relative to its largest |coordinate| (and to 1). */
const MIN_RELATIVE_WIDTH = 1e-3;

const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VALUE = new Map([...DIGITS].map((c, i) => [c, i]));

/** The window a drawing is made on, in the user's units. */
export interface DrawingWindow {
  x_min: number;
  x_max: number;
  y_min: number;
  y_max: number;
}

/** A drawn dataset: row-major `[n, 2]` points in the user's units within `window`. */
export interface DrawnPoints {
  window: DrawingWindow;
  points: Float32Array;
}

/** The notebook form of a drawing: its window and the encoded points. */
export interface EncodedDrawing {
  window: [number, number, number, number];
  xy: string;
}

function level(value: number, min: number, max: number): number {
  return Math.min(LEVELS - 1, Math.max(0, Math.round(((value - min) / (max - min)) * (LEVELS - 1))));
}

function coordinate(level: number, min: number, max: number): number {
  return min + (level / (LEVELS - 1)) * (max - min);
}

/** A message naming what is wrong with `window`, or null when it is a usable window. */
export function windowProblem(window: readonly unknown[]): string | null {
  if (window.length !== 4 || !window.every((v) => typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= MAX_COORDINATE)) {
    return `window: must be four finite numbers [x_min, x_max, y_min, y_max] within ±${MAX_COORDINATE}`;
  }
  const [x_min, x_max, y_min, y_max] = window as number[];
  if (!(x_max > x_min && y_max > y_min)) return "window: x_max must exceed x_min and y_max exceed y_min";
  // A grid cell must stay wider than float32's spacing at the window's coordinates.
  const narrow = (lo: number, hi: number) => hi - lo < MIN_RELATIVE_WIDTH * Math.max(1, Math.abs(lo), Math.abs(hi));
  if (narrow(x_min, x_max) || narrow(y_min, y_max)) return `window: each side must span at least ${MIN_RELATIVE_WIDTH} of its largest |coordinate| (and of 1)`;
  return null;
}

/**
 * Encodes a drawing (points outside its window are moved onto its edge). What `decodeDrawing`
 * returns for it is the points quantised: train on that, so the page and a link agree.
 */
export function encodeDrawing({ window, points }: DrawnPoints): EncodedDrawing {
  const n = Math.min(points.length >> 1, MAX_DRAWN_POINTS);
  const cells: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    cells.push([level(points[2 * i], window.x_min, window.x_max), level(points[2 * i + 1], window.y_min, window.y_max)]);
  }
  cells.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let text = "";
  let previous = 0;
  for (const [x, y] of cells) {
    let step = x - previous;
    previous = x;
    while (step >= 32) {
      text += DIGITS[32 + (step & 31)];
      step >>= 5;
    }
    text += DIGITS[step] + DIGITS[y >> 6] + DIGITS[y & 63];
  }
  return { window: [window.x_min, window.x_max, window.y_min, window.y_max], xy: text };
}

/** Decodes an untrusted encoded drawing; throws an Error naming the field on anything malformed. */
export function decodeDrawing(raw: unknown): DrawnPoints {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error("drawing: must be an object with window and xy");
  const { window, xy } = raw as Record<string, unknown>;
  if (!Array.isArray(window)) throw new Error("drawing: window: must be an array");
  const problem = windowProblem(window);
  if (problem !== null) throw new Error(`drawing: ${problem}`);
  if (typeof xy !== "string") throw new Error("drawing: xy: must be a string");
  if (xy.length > MAX_ENCODED_CHARS) throw new Error(`drawing: xy: longer than ${MAX_ENCODED_CHARS} characters`);
  const [x_min, x_max, y_min, y_max] = window as number[];
  const points: number[] = [];
  let x = 0;
  let at = 0;
  const digit = (): number => {
    const value = VALUE.get(xy[at]);
    if (value === undefined) throw new Error(`drawing: xy: character ${at + 1} is ${at < xy.length ? "not base64url" : "missing"}`);
    at++;
    return value;
  };
  while (at < xy.length) {
    if (points.length >= 2 * MAX_DRAWN_POINTS) throw new Error(`drawing: more than ${MAX_DRAWN_POINTS} points`);
    let step = 0;
    for (let shift = 0; ; shift += 5) {
      const d = digit();
      step += (d & 31) * 2 ** shift;
      if (d < 32) break;
      if (shift >= 10) throw new Error(`drawing: xy: an x step at character ${at} is too long`);
    }
    x += step;
    if (x >= LEVELS) throw new Error(`drawing: xy: point ${points.length / 2 + 1} lies right of the window`);
    const y = digit() * 64 + digit();
    points.push(coordinate(x, x_min, x_max), coordinate(y, y_min, y_max));
  }
  if (points.length < 2 * MIN_DRAWN_POINTS) throw new Error(`drawing: needs at least ${MIN_DRAWN_POINTS} points`);
  return { window: { x_min, x_max, y_min, y_max }, points: Float32Array.from(points) };
}

/** The points as CSV `x,y` rows (what the lab trains on). */
export function drawingCsv(points: Float32Array): string {
  const rows = ["x,y"];
  for (let i = 0; i + 1 < points.length; i += 2) rows.push(`${points[i]},${points[i + 1]}`);
  return rows.join("\n");
}
