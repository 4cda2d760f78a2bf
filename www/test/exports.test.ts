// The divergence history as CSV: every estimate's value with its noise floor's mean and 95 %
// bound, and empty cells where an estimate has no floor or is missing from an evaluation.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { divergencesCsv } from "../src/exports";
import type { Estimate } from "../src/genlab";

const estimate = (name: string, value: number, floor: Estimate["noise_floor"]): Estimate => ({
  id: name.toLowerCase().replace(/[^a-z]+/g, "_"), name, value, units: "nats", direction: "", estimator: "", model_samples: 8, data_samples: 8, noise_floor: floor,
});

test("each estimate brings its value, its floor's mean and its floor's bound", () => {
  const history = [
    { step: 0, divergences: [estimate("KL(data‖model), smoothed", 2, { mean: 0.01, upper: 0.03, draws: 8 }), estimate("Fisher", 5, null)] },
    { step: 100, divergences: [estimate("KL(data‖model), smoothed", 0.5, { mean: 0.01, upper: 0.03, draws: 8 })] },
  ];
  const lines = divergencesCsv(history).trimEnd().split("\n");
  assert.equal(
    lines[0],
    'step,"KL(data‖model), smoothed","KL(data‖model), smoothed noise floor mean","KL(data‖model), smoothed noise floor 95% bound",' +
      '"Fisher","Fisher noise floor mean","Fisher noise floor 95% bound"',
  );
  assert.equal(lines[1], "0,2,0.01,0.03,5,,");
  assert.equal(lines[2], "100,0.5,0.01,0.03,,,");
});
