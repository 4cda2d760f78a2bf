// Round trips and rejections of the URL state (run by `node --test` after an esbuild bundle).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { FAMILIES } from "../src/families";
import { DEFAULT_STATE, defaultsFor, labOptions, parseQuery, toQuery, type LabState } from "../src/state";

test("a state survives the URL round trip", () => {
  const state: LabState = { ...DEFAULT_STATE, dataset: "moons", seed: 42, learning_rate: 0.0025, solver: "rk4" };
  const query = toQuery(state);
  assert.equal(query, "?dataset=moons&seed=42&learning_rate=0.0025&solver=rk4");
  assert.deepEqual(parseQuery(query), { state, errors: [] });
});

test("a family's own defaults stay out of the URL and come back from it", () => {
  const state: LabState = { ...defaultsFor("real_nvp"), layers: 4 };
  assert.equal(state.width, 64);
  const query = toQuery(state);
  assert.equal(query, "?family=real_nvp&layers=4");
  assert.deepEqual(parseQuery(query), { state, errors: [] });
});

test("defaults give an empty query", () => {
  assert.equal(toQuery({ ...DEFAULT_STATE }), "");
  assert.deepEqual(parseQuery(""), { state: { ...DEFAULT_STATE }, errors: [] });
});

test("bad values keep the default and name the field", () => {
  const { state, errors } = parseQuery("?dataset=mnist&learning_rate=-1&batch_size=2.5&seed=abc&width=5000&solver=rk4");
  assert.equal(state.dataset, DEFAULT_STATE.dataset);
  assert.equal(state.learning_rate, DEFAULT_STATE.learning_rate);
  assert.equal(state.batch_size, DEFAULT_STATE.batch_size);
  assert.equal(state.solver, "rk4");
  assert.deepEqual(
    errors.map((e) => e.split(":")[0]),
    ["dataset", "seed", "learning_rate", "batch_size", "width"],
  );
});

test("an oversized query is refused whole", () => {
  const { state, errors } = parseQuery(`?seed=1&junk=${"x".repeat(5000)}`);
  assert.equal(state.seed, 0);
  assert.equal(errors.length, 1);
});

test("NaN and Infinity are not numbers here", () => {
  const { errors } = parseQuery("?learning_rate=NaN&seed=Infinity");
  assert.equal(errors.length, 2);
});

test("each family's options are the shared settings and its own, nothing else", () => {
  for (const entry of FAMILIES) {
    const options = labOptions(defaultsFor(entry.name));
    assert.deepEqual(Object.keys(options), ["dataset", "seed", "learning_rate", "batch_size", ...entry.options]);
  }
  assert.equal(labOptions({ ...DEFAULT_STATE, family: "gan", loss: "hinge" }).loss, "hinge");
});

test("an unknown family is reported and the default kept", () => {
  const { state, errors } = parseQuery("?family=pixel_rnn&seed=3");
  assert.equal(state.family, DEFAULT_STATE.family);
  assert.equal(state.seed, 3);
  assert.deepEqual(errors.map((e) => e.split(":")[0]), ["family"]);
});

test("a family's choices and sampling settings are among its own settings", () => {
  for (const entry of FAMILIES) {
    for (const name of entry.sampling) assert.ok(entry.options.includes(name), `${entry.name}: ${name}`);
    for (const name of Object.keys(entry.choices ?? {})) {
      assert.ok(entry.options.includes(name as never), `${entry.name}: ${name}`);
    }
  }
  assert.equal(defaultsFor("score_sde").sampler, "reverse_sde");
  assert.equal(defaultsFor("diffusion").sampler, "ddpm");
});
