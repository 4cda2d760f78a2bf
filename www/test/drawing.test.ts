// The drawn-points codec (round trip, size, limits, hostile input) and the drawing's edits (issue 21).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { Drawing } from "../src/drawing";
import { LEVELS, MAX_DRAWN_POINTS, MAX_ENCODED_CHARS, decodeDrawing, drawingCsv, encodeDrawing, windowProblem } from "../src/drawn_points";

const WINDOW = { x_min: -4, x_max: 4, y_min: -3, y_max: 5 };

/** A seeded uniform source (a 32-bit LCG), so a test's points are the same every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function sprayed(n: number, seed = 1): Drawing {
  const drawing = new Drawing(WINDOW, seeded(seed));
  while (drawing.count < n) drawing.spray(0, 1, 1.5, Math.min(10, n - drawing.count));
  return drawing;
}

test("a drawing round-trips to within half a grid cell, and its decoding is a fixed point", () => {
  const drawing = sprayed(1000);
  const decoded = decodeDrawing(encodeDrawing({ window: WINDOW, points: drawing.points }));
  assert.deepEqual(decoded.window, WINDOW);
  assert.equal(decoded.points.length, 2000);
  const cell = (WINDOW.x_max - WINDOW.x_min) / (LEVELS - 1);
  // Sorted by grid cell on the way: compare the multisets of points, each sorted by its cell.
  const key = (x: number, min: number) => Math.round((x - min) / cell);
  const sort = (p: Float32Array) =>
    Array.from({ length: p.length / 2 }, (_, i) => [p[2 * i], p[2 * i + 1]]).sort(
      (a, b) => key(a[0], WINDOW.x_min) - key(b[0], WINDOW.x_min) || key(a[1], WINDOW.y_min) - key(b[1], WINDOW.y_min),
    );
  const [original, back] = [sort(drawing.points), sort(decoded.points)];
  const worst = Math.max(...original.map((p, i) => Math.max(Math.abs(p[0] - back[i][0]), Math.abs(p[1] - back[i][1]))));
  assert.ok(worst <= cell / 2 + 1e-6, `worst error ${worst} > half a cell ${cell / 2}`);
  const again = encodeDrawing(decoded);
  assert.equal(again.xy, encodeDrawing({ window: WINDOW, points: drawing.points }).xy);
  assert.deepEqual(decodeDrawing(again).points, decoded.points);
});

test("a 1000-point drawing encodes to about three characters a point", () => {
  const { xy } = encodeDrawing({ window: WINDOW, points: sprayed(1000).points });
  assert.ok(xy.length <= 3300, `${xy.length} characters`);
  assert.match(xy, /^[A-Za-z0-9_-]+$/);
});

test("points outside the window land on its edge", () => {
  const points = Float32Array.from([-100, 0, 100, 0, 4, 5]);
  const decoded = decodeDrawing(encodeDrawing({ window: WINDOW, points }));
  const halfCell = 8 / (LEVELS - 1) / 2;
  assert.deepEqual([0, 2, 4].map((i) => decoded.points[i]), [-4, 4, 4]);
  assert.deepEqual([1, 3].map((i) => Math.abs(decoded.points[i]) <= halfCell), [true, true]);
  assert.equal(decoded.points[5], 5);
});

test("at most the limit is encoded, and a longer text is refused", () => {
  const many = new Float32Array(2 * (MAX_DRAWN_POINTS + 10)).fill(0.5);
  const encoded = encodeDrawing({ window: WINDOW, points: many });
  assert.equal(decodeDrawing(encoded).points.length, 2 * MAX_DRAWN_POINTS);
  assert.throws(() => decodeDrawing({ ...encoded, xy: encoded.xy + "AAA" }), /more than 5000 points/);
  assert.throws(() => decodeDrawing({ ...encoded, xy: "A".repeat(MAX_ENCODED_CHARS + 1) }), /xy: longer than/);
});

test("hostile or malformed drawings are refused with the field named", () => {
  const good = encodeDrawing({ window: WINDOW, points: sprayed(20).points });
  const cases: [unknown, RegExp][] = [
    [null, /drawing: must be an object/],
    [[1, 2], /drawing: must be an object/],
    [{ xy: good.xy }, /window: must be an array/],
    [{ ...good, window: [0, 1, 0] }, /window: must be four finite numbers/],
    [{ ...good, window: [0, 1, 0, Infinity] }, /window: must be four finite numbers/],
    [{ ...good, window: [0, "1", 0, 1] }, /window: must be four finite numbers/],
    [{ ...good, window: [1, 0, 0, 1] }, /x_max must exceed x_min/],
    [{ ...good, window: [1e5, 1e5 + 1, 0, 1] }, /each side must span/],
    [{ ...good, window: [0, 1e7, 0, 1] }, /within ±/],
    [{ ...good, xy: 42 }, /xy: must be a string/],
    [{ ...good, xy: "AA" }, /character 3 is missing/],
    [{ ...good, xy: "A<A" }, /character 2 is not base64url/],
    [{ ...good, xy: "AAA" }, /needs at least 2 points/],
    [{ ...good, xy: "" }, /needs at least 2 points/],
    [{ ...good, xy: "______AAAAA" }, /x step at character 3 is too long/],
    [{ ...good, xy: "__EAA" }, /point 1 lies right of the window/],
  ];
  for (const [raw, message] of cases) assert.throws(() => decodeDrawing(raw), message, JSON.stringify(raw));
  assert.equal(windowProblem([-4, 4, -3, 5]), null);
});

test("the CSV of decoded points parses back to the same float32 values", () => {
  const { points } = decodeDrawing(encodeDrawing({ window: WINDOW, points: sprayed(50).points }));
  const rows = drawingCsv(points).split("\n");
  assert.equal(rows[0], "x,y");
  assert.deepEqual(Float32Array.from(rows.slice(1).flatMap((row) => row.split(",").map(Number))), points);
});

test("spraying spreads points as N(centre, spread²) and stays inside the window", () => {
  const drawing = new Drawing(WINDOW, seeded(7));
  drawing.spray(1, 1, 0.5, 4000);
  const p = drawing.points;
  const n = p.length / 2;
  const mean = [0, 1].map((axis) => p.filter((_, i) => i % 2 === axis).reduce((a, b) => a + b, 0) / n);
  const sd = [0, 1].map((axis) => Math.sqrt(p.filter((_, i) => i % 2 === axis).reduce((a, v) => a + (v - mean[axis]) ** 2, 0) / n));
  // Standard errors over 4000 draws: 0.008 for the means, 0.006 for the deviations; 5 of them.
  for (const m of mean) assert.ok(Math.abs(m - 1) < 0.04, `mean ${m}`);
  for (const s of sd) assert.ok(Math.abs(s - 0.5) < 0.03, `sd ${s}`);
  const edge = new Drawing(WINDOW, seeded(3));
  const added = edge.spray(4, 5, 1, 400);
  assert.ok(added > 50 && added < 200, `${added} of 400 at a corner`);
  assert.ok(edge.points.every((v, i) => (i % 2 === 0 ? v >= -4 && v <= 4 : v >= -3 && v <= 5)));
});

test("spraying stops at the limit, erasing removes what is near, undo and clear go back", () => {
  const drawing = new Drawing(WINDOW, seeded(11));
  drawing.checkpoint();
  while (!drawing.full) drawing.spray(0, 0, 2, 500);
  assert.equal(drawing.count, MAX_DRAWN_POINTS);
  assert.equal(drawing.spray(0, 0, 1, 10), 0);
  drawing.checkpoint();
  const removed = drawing.erase(0, 0, 1);
  assert.ok(removed > 0);
  const p = drawing.points;
  for (let i = 0; i < p.length; i += 2) assert.ok(Math.hypot(p[i], p[i + 1]) > 1);
  drawing.checkpoint();
  drawing.clear();
  assert.equal(drawing.count, 0);
  assert.ok(drawing.undo());
  assert.equal(drawing.count, MAX_DRAWN_POINTS - removed);
  assert.ok(drawing.undo());
  assert.equal(drawing.count, MAX_DRAWN_POINTS);
  assert.ok(drawing.undo());
  assert.equal(drawing.count, 0);
  assert.equal(drawing.undo(), false);
});

test("a dataset to edit keeps the points inside the window, at most the limit", () => {
  const drawing = new Drawing(WINDOW);
  drawing.replace(Float32Array.from([0, 0, 10, 0, 1, 1, Number.NaN, 0]));
  assert.deepEqual(Array.from(drawing.points), [0, 0, 1, 1]);
  drawing.replace(new Float32Array(2 * (MAX_DRAWN_POINTS + 5)));
  assert.equal(drawing.count, MAX_DRAWN_POINTS);
});
