// The replay's timeline (issue 21): bounded frames covering the whole run, bounded samples.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { MAX_FRAMES, MAX_FRAME_VALUES, Timeline } from "../src/timeline";

test("frames are kept in order, a re-evaluated step replaces its frame, and samples are copied", () => {
  const timeline = new Timeline();
  const samples = Float32Array.from([1, 2, 3, 4]);
  timeline.add(0, samples, 2, []);
  samples[0] = 99;
  timeline.add(10, Float32Array.from([5, 6]), 2, []);
  timeline.add(10, Float32Array.from([7, 8]), 2, []);
  assert.deepEqual(timeline.frames.map((f) => f.step), [0, 10]);
  assert.deepEqual(Array.from(timeline.frames[0].samples), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(timeline.frames[1].samples), [7, 8]);
  timeline.clear();
  assert.equal(timeline.frames.length, 0);
});

test("a long run is thinned to at most the bound, keeping the first and the latest, evenly", () => {
  const timeline = new Timeline();
  for (let step = 0; step < 1000; step++) timeline.add(step * 10, new Float32Array(2), 2, []);
  const steps = timeline.frames.map((f) => f.step);
  assert.ok(steps.length <= MAX_FRAMES && steps.length >= MAX_FRAMES / 2, `${steps.length} frames`);
  assert.equal(steps[0], 0);
  assert.equal(steps.at(-1), 9990);
  const gaps = steps.slice(1, -1).map((s, i) => s - steps[i]);
  assert.equal(new Set(gaps).size, 1, `even spacing but the last: ${[...new Set(gaps)]}`);
});

test("a frame keeps at most the bound of whole rows", () => {
  const timeline = new Timeline();
  timeline.add(1, new Float32Array(10_000), 2, []);
  timeline.add(2, new Float32Array(100 * 64), 64, []);
  timeline.add(3, new Float32Array(100 * 3), 3, []);
  assert.equal(timeline.frames[0].samples.length, MAX_FRAME_VALUES);
  assert.equal(timeline.frames[1].samples.length, 64 * 64);
  assert.equal(timeline.frames[2].samples.length, 300);
});
