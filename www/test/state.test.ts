// Round trips and rejections of the URL state, all drawn from the Rust schema (run by
// `node --test` after an esbuild bundle).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { FAMILIES, family, registryEntry, settingOf } from "../src/families";
import type { FamilyName } from "../src/generated/api";
import { SCHEMA } from "../src/generated/schema";
import {
  DEFAULT_STATE,
  SHARED,
  changes,
  defaultsFor,
  labOptions,
  parseQuery,
  samplingChange,
  toQuery,
  withChange,
  withFamily,
} from "../src/state";

/** The schema's setting `name` of family `of`. */
function schemaSetting(of: FamilyName, name: string) {
  const setting = settingOf(family(of), name);
  assert.ok(setting !== undefined, `${of} has ${name}`);
  return setting;
}

test("a state survives the URL round trip", () => {
  const state = withChange(DEFAULT_STATE, { dataset: "moons", shared: { seed: 42, learning_rate: 0.0025 }, settings: { beta: 0.5 } });
  const query = toQuery(state);
  assert.equal(query, "?dataset=moons&seed=42&learning_rate=0.0025&beta=0.5");
  assert.deepEqual(parseQuery(query), { state, errors: [] });
});

test("a family's own defaults stay out of the URL and come back from it", () => {
  const state = withChange(defaultsFor("real_nvp"), { settings: { layers: 4 } });
  assert.equal(state.settings.width, schemaSetting("real_nvp", "width").default);
  const query = toQuery(state);
  assert.equal(query, "?family=real_nvp&layers=4");
  assert.deepEqual(parseQuery(query), { state, errors: [] });
});

test("defaults give an empty query", () => {
  assert.equal(toQuery({ ...DEFAULT_STATE }), "");
  assert.deepEqual(parseQuery(""), { state: { ...DEFAULT_STATE }, errors: [] });
});

test("the default state is the schema's: the default family on its default dataset, every setting its default", () => {
  const entry = family(DEFAULT_STATE.family);
  assert.equal(DEFAULT_STATE.dataset, entry.default_dataset);
  assert.equal(DEFAULT_STATE.backend, "auto");
  assert.deepEqual(DEFAULT_STATE.shared, Object.fromEntries(SCHEMA.shared.map((s) => [s.name, s.default])));
  assert.deepEqual(DEFAULT_STATE.settings, Object.fromEntries(entry.settings.map((s) => [s.name, s.default])));
  assert.ok(Object.isFrozen(DEFAULT_STATE.settings));
});

test("an old-style link loads to the state it always did, in any order of its keys", () => {
  // As the page wrote it before the schema (its keys in the order of the old table of settings).
  const link = "?family=gan&dataset=moons&backend=cpu&seed=7&learning_rate=0.002&width=64&loss=hinge&d_steps=2";
  const { state, errors } = parseQuery(link);
  assert.deepEqual(errors, []);
  const gan = defaultsFor("gan", "moons");
  assert.deepEqual(state, {
    family: "gan",
    dataset: "moons",
    backend: "cpu",
    shared: { ...gan.shared, seed: 7, learning_rate: 0.002 },
    settings: { ...gan.settings, width: 64, loss: "hinge", d_steps: 2 },
  });
  const reordered = `?${new URLSearchParams([...new URLSearchParams(link)].reverse()).toString()}`;
  assert.deepEqual(parseQuery(reordered), { state, errors: [] });
  assert.deepEqual(parseQuery(toQuery(state)), { state, errors: [] });
  assert.deepEqual(new Set(new URLSearchParams(toQuery(state)).keys()), new Set(new URLSearchParams(link).keys()));
});

test("a key of another family is ignored, not kept", () => {
  const { state, errors } = parseQuery("?family=gan&solver=rk4&loss=hinge&channels=3");
  assert.deepEqual(errors, []);
  assert.deepEqual(Object.keys(state.settings), family("gan").settings.map((s) => s.name));
  assert.equal(state.settings.loss, "hinge");
  assert.equal(toQuery(state), "?family=gan&loss=hinge");
});

test("bad values keep the default and name the field", () => {
  const { state, errors } = parseQuery("?dataset=mnist&learning_rate=-1&batch_size=2.5&seed=abc&width=5000&beta=x");
  assert.equal(state.dataset, DEFAULT_STATE.dataset);
  assert.deepEqual(state.shared, DEFAULT_STATE.shared);
  assert.deepEqual(state.settings, DEFAULT_STATE.settings);
  assert.deepEqual(errors.map((e) => e.split(":")[0]), ["dataset", "seed", "learning_rate", "batch_size", "beta", "width"]);
  assert.match(errors[3], /must be a whole number, got 2\.5/);
  assert.match(errors[0], /must be one of eight_gaussians, .*digits, got "mnist"/);
});

test("a bad value is reported with the range the schema gives its family", () => {
  for (const [name, setting] of [["ebm", "step_size"], ["ncsn", "step_size"], ["pixel_cnn", "layers"], ["real_nvp", "layers"]] as const) {
    const { min, max } = schemaSetting(name, setting);
    assert.ok(min !== undefined && max !== undefined);
    const { state, errors } = parseQuery(`?family=${name}&${setting}=${max * 2}`);
    assert.deepEqual(errors, [`${setting}: must be between ${min} and ${max}, got ${max * 2}`]);
    assert.equal(state.settings[setting], schemaSetting(name, setting).default);
    assert.deepEqual(parseQuery(`?family=${name}&${setting}=${max}`).errors, [], `${name}: ${setting} = ${max} is in range`);
  }
  const rate = SHARED.find((s) => s.name === "learning_rate");
  assert.deepEqual(parseQuery("?learning_rate=2").errors, [`learning_rate: must be between ${rate?.min} and ${rate?.max}, got 2`]);
});

test("an oversized query is refused whole", () => {
  const { state, errors } = parseQuery(`?seed=1&junk=${"x".repeat(5000)}`);
  assert.deepEqual(state, DEFAULT_STATE);
  assert.equal(errors.length, 1);
});

test("NaN and Infinity are not numbers here", () => {
  const { errors } = parseQuery("?learning_rate=NaN&seed=Infinity");
  assert.equal(errors.length, 2);
});

test("each family's options are the shared settings and its own, nothing else", () => {
  for (const entry of FAMILIES) {
    const options = labOptions(defaultsFor(entry.name));
    assert.deepEqual(Object.keys(options), ["dataset", ...SCHEMA.shared.map((s) => s.name), ...entry.settings.map((s) => s.name)]);
  }
  assert.equal(labOptions(withChange(defaultsFor("gan"), { settings: { loss: "hinge" } })).loss, "hinge");
});

test("an unknown family is reported and the default kept", () => {
  const { state, errors } = parseQuery("?family=pixel_lstm&seed=3");
  assert.equal(state.family, DEFAULT_STATE.family);
  assert.equal(state.shared.seed, 3);
  assert.deepEqual(errors.map((e) => e.split(":")[0]), ["family"]);
});

test("the registry is the schema's families, in its order, each presented", () => {
  assert.deepEqual(FAMILIES.map((f) => f.name), SCHEMA.families.map((f) => f.name));
  for (const entry of FAMILIES) assert.notEqual(entry.label, entry.name, `${entry.name} has a label`);
  const schema = { ...SCHEMA.families[0], name: "new_family" as FamilyName };
  const plain = registryEntry(schema);
  assert.deepEqual(plain, { ...schema, label: "new_family", lede: "", stat: "loss", stage: "one stage" });
});

test("exactly the settings the schema marks sampling-only change a trained model without a reset", () => {
  for (const entry of FAMILIES) {
    for (const setting of entry.settings) {
      const patch = { settings: { [setting.name]: setting.default } };
      assert.equal(samplingChange(entry.name, patch) !== null, setting.sampling, `${entry.name}: ${setting.name}`);
    }
  }
  assert.deepEqual(samplingChange("diffusion", { settings: { sampler: "ddim", eta: 0.5 } }), { sampler: "ddim", eta: 0.5 });
  assert.equal(samplingChange("diffusion", { settings: { sampler: "ddim", width: 8 } }), null);
  assert.equal(samplingChange("diffusion", { shared: { seed: 1 } }), null);
  assert.equal(samplingChange("diffusion", { family: "gan" }), null);
});

test("a change applied to its start gives its end, even across families", () => {
  const flow = withChange(defaultsFor("real_nvp", "moons"), { shared: { seed: 4 }, settings: { width: 16 } });
  for (const name of ["flow_matching", "real_nvp", "ebm"] as const) {
    const next = withFamily(flow, name);
    assert.deepEqual(withChange(flow, changes(flow, next)), next, name);
    assert.deepEqual(Object.keys(next.settings), family(name).settings.map((s) => s.name));
  }
});
