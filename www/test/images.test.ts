// Image labs in the front end: the digits and PixelCNN in the URL and notebook state, the rule
// that pairs families with kinds of data, and the pure parts of the image plots (pixel colours,
// tile layout, stage strips, histogram bins, the default divergence curve).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { defaultCurve } from "../src/divergence_history";
import { FAMILIES, IMAGE_DATASETS, accepts, dataKindOf, familiesFor } from "../src/families";
import type { Estimate } from "../src/genlab";
import { fromFragment, toFragment, toJson, type Notebook } from "../src/notebook";
import { binCounts, median, sharedRange } from "../src/plots/histogram";
import { ERASED, GAP, INK, PAPER, TILE_GAP, pixelColour, tileGrid, tileOrigin } from "../src/plots/image_grid";
import { nearestColumn, stripStages, stripTiles } from "../src/plots/image_strip";
import { SCHEMA } from "../src/generated/schema";
import {
  DEFAULT_STATE,
  changes,
  defaultsFor,
  describeChange,
  labOptions,
  parseQuery,
  toQuery,
  withChange,
  withDataset,
  withFamily,
} from "../src/state";

/** The schema's defaults of the shared settings (on 2-D points). */
const SHARED_DEFAULTS = Object.fromEntries(SCHEMA.shared.map((s) => [s.name, s.default]));

test("PixelCNN learns the digits by default, with its own settings and image defaults", () => {
  const state = defaultsFor("pixel_cnn");
  assert.equal(state.dataset, "digits");
  const { settings, shared } = state;
  assert.deepEqual([settings.channels, settings.layers, shared.learning_rate, shared.batch_size], [32, 4, 3e-3, 128]);
  assert.deepEqual(labOptions(state), { dataset: "digits", seed: 0, learning_rate: 3e-3, batch_size: 128, channels: 32, layers: 4 });
  assert.equal(toQuery(state), "?family=pixel_cnn");
  const light = withChange(state, { shared: { seed: 5 }, settings: { channels: 16, layers: 2 } });
  const query = toQuery(light);
  assert.equal(query, "?family=pixel_cnn&seed=5&channels=16&layers=2");
  assert.deepEqual(parseQuery(query), { state: light, errors: [] });
  assert.deepEqual(parseQuery("?family=pixel_cnn&seed=5&layers=2&channels=16"), { state: light, errors: [] }, "the old order of keys");
});

test("the digits take the family's image defaults, and only differences reach the URL", () => {
  const vae = defaultsFor("vae", "digits");
  assert.deepEqual([vae.shared.learning_rate, vae.shared.batch_size, vae.settings.latent_dim, vae.settings.width], [2e-3, 128, 2, 128]);
  assert.equal(toQuery(vae), "?dataset=digits");
  assert.deepEqual(parseQuery("?dataset=digits"), { state: vae, errors: [] });
  const gan = withChange(defaultsFor("gan", "digits"), { shared: { batch_size: 64 } });
  assert.equal(toQuery(gan), "?family=gan&dataset=digits&batch_size=64");
  assert.deepEqual(parseQuery(toQuery(gan)), { state: gan, errors: [] });
  assert.equal(defaultsFor("diffusion", "digits").shared.learning_rate, 2e-3);
  assert.deepEqual(defaultsFor("diffusion").shared, SHARED_DEFAULTS, "2-D defaults unchanged");
  for (const entry of FAMILIES.filter((f) => f.data.includes("images"))) {
    const state = defaultsFor(entry.name, "digits");
    const values: Record<string, unknown> = { ...state.shared, ...state.settings };
    for (const [name, value] of Object.entries(entry.image_defaults)) assert.equal(values[name], value, `${entry.name}: ${name}`);
  }
});

test("a notebook of image labs survives the URL fragment round trip", async () => {
  const notebook: Notebook = {
    backend: "cpu",
    cells: [
      { kind: "lab", lab: withChange(defaultsFor("pixel_cnn"), { backend: "cpu", settings: { channels: 16, layers: 2 } }) },
      { kind: "lab", lab: withChange(defaultsFor("vae", "digits"), { backend: "cpu", settings: { depth: 2 } }) },
      { kind: "lab", lab: { ...defaultsFor("diffusion", "digits"), backend: "cpu" } },
    ],
  };
  assert.deepEqual(await fromFragment(await toFragment(notebook)), { notebook, errors: [] });
  const json = JSON.parse(toJson(notebook));
  assert.deepEqual(json.cells[0].settings, { family: "pixel_cnn", layers: "2", channels: "16" });
  assert.deepEqual(json.cells[1].settings, { family: "vae", dataset: "digits", depth: "2" });
});

test("a family and a dataset that do not suit each other: the dataset is corrected and named", () => {
  const pixel = parseQuery("?family=pixel_cnn&dataset=moons&channels=8");
  assert.equal(pixel.state.dataset, "digits");
  assert.equal(pixel.state.settings.channels, 8);
  assert.deepEqual(pixel.errors.map((e) => e.split(":")[0]), ["dataset"]);
  assert.match(pixel.errors[0], /only images/);
  const flow = parseQuery("?family=flow_matching&dataset=digits&solver=rk4");
  assert.equal(flow.state.dataset, DEFAULT_STATE.dataset);
  assert.equal(flow.state.settings.solver, "rk4");
  assert.deepEqual(flow.errors.map((e) => e.split(":")[0]), ["dataset"]);
  assert.match(flow.errors[0], /only 2-D points/);
});

test("PixelCNN's layers have their own range; RealNVP's keep theirs", () => {
  const { state, errors } = parseQuery("?family=pixel_cnn&layers=9&channels=129");
  assert.deepEqual([state.settings.layers, state.settings.channels], [4, 32]);
  assert.deepEqual(errors.map((e) => e.split(":")[0]), ["channels", "layers"]);
  assert.match(errors[1], /between 1 and 8/);
  assert.deepEqual(parseQuery("?family=real_nvp&layers=9").errors, []);
});

test("families are offered by the kind of data they learn", () => {
  const images = [
    "vae", "gan", "pixel_rnn", "pixel_cnn", "image_gpt", "independent_pixels", "vq_vae", "diffusion",
    "conditional_diffusion",
  ];
  const imagesOnly = images.filter((name) => !["vae", "gan", "diffusion"].includes(name));
  assert.deepEqual(familiesFor("images").map((f) => f.name), images);
  assert.equal(familiesFor("points").length, FAMILIES.length - imagesOnly.length);
  assert.ok(!familiesFor("points").some((f) => imagesOnly.includes(f.name)));
  assert.deepEqual(FAMILIES.filter((f) => accepts(f.name, "images")).map((f) => f.name), images);
  assert.equal(dataKindOf("digits"), "images");
  assert.equal(dataKindOf("moons"), "points");
  assert.deepEqual(IMAGE_DATASETS, SCHEMA.datasets.filter((d) => d.kind === "images").map((d) => d.name));
  for (const entry of FAMILIES) {
    assert.deepEqual(parseQuery(`?family=${entry.name}`).errors, [], `${entry.name}: its default dataset suits it`);
  }
  assert.ok(accepts(DEFAULT_STATE.family, "images") && accepts(DEFAULT_STATE.family, "points"), "the default family learns both kinds");
});

test("choosing a dataset keeps a family that learns it and sets the image defaults once", () => {
  const vae = withChange(defaultsFor("vae", "moons"), { shared: { seed: 7, learning_rate: 5e-3 }, settings: { beta: 0.5 } });
  const digits = withDataset(vae, "digits");
  assert.deepEqual([digits.family, digits.dataset, digits.shared.seed, digits.settings.beta], ["vae", "digits", 7, 0.5]);
  assert.deepEqual([digits.shared.learning_rate, digits.shared.batch_size], [2e-3, 128]);
  const back = withDataset(digits, "circles");
  assert.deepEqual([back.dataset, back.shared.learning_rate, back.shared.batch_size, back.settings.beta], ["circles", 1e-3, 512, 0.5]);
  assert.equal(withDataset(back, "moons").shared.learning_rate, 1e-3, "2-D to 2-D keeps everything");

  const flow = withChange(defaultsFor("flow_matching"), { backend: "cpu", shared: { seed: 3 } });
  const switched = withDataset(flow, "digits");
  assert.deepEqual(switched, withChange(defaultsFor(DEFAULT_STATE.family, "digits"), { backend: "cpu", shared: { seed: 3 } }));
  const pixel = withDataset(defaultsFor("pixel_cnn"), "moons");
  assert.deepEqual([pixel.family, pixel.dataset], [DEFAULT_STATE.family, "moons"]);
});

test("a change says what changed, by name", () => {
  const vae = defaultsFor("vae");
  assert.equal(describeChange(changes(vae, withDataset(vae, "digits"))), "dataset changed to digits, with the family's defaults for it of learning_rate, batch_size");
  assert.equal(describeChange(changes(vae, withDataset(vae, "moons"))), "dataset changed to moons");
  const flow = defaultsFor("flow_matching");
  assert.equal(describeChange(changes(flow, withDataset(flow, "digits"))), "dataset changed to digits, and family to VAE, which learns it");
  assert.equal(describeChange(changes(vae, withFamily(vae, "gan"))), "family changed to GAN");
  assert.equal(describeChange({ shared: { seed: 3 }, settings: { width: 8 } }), "seed, width changed");
});

test("choosing a family takes its defaults on the same data, keeping what the user changed", () => {
  const vae = defaultsFor("vae", "digits");
  const pixel = withFamily(withChange(vae, { shared: { seed: 9 } }), "pixel_cnn");
  assert.deepEqual(pixel, withChange(defaultsFor("pixel_cnn"), { shared: { seed: 9 } }));
  const tuned = withFamily(withChange(vae, { shared: { learning_rate: 1e-2 } }), "gan");
  assert.deepEqual([tuned.dataset, tuned.shared.learning_rate, tuned.shared.batch_size], ["digits", 1e-2, 128]);
  const points = withFamily(withChange(defaultsFor("made"), { dataset: "moons", shared: { batch_size: 256 } }), "ebm");
  assert.deepEqual([points.dataset, points.shared.batch_size, points.shared.learning_rate], ["moons", 256, 1e-3]);
});

test("pixel values map to colours: paper, ink, clamped, NaN erased", () => {
  assert.deepEqual(pixelColour(0), PAPER);
  assert.deepEqual(pixelColour(1), INK);
  assert.deepEqual(pixelColour(-0.3), PAPER);
  assert.deepEqual(pixelColour(7), INK);
  assert.deepEqual(pixelColour(Infinity), INK);
  assert.deepEqual(pixelColour(NaN), ERASED);
  const half = pixelColour(0.5);
  for (let k = 0; k < 3; k++) assert.equal(half[k], Math.round((PAPER[k] + INK[k]) / 2));
});

test("tiles fill rows left to right, each image row-major, with gaps between them", () => {
  const side = 2;
  // Three 2×2 images, two to a row: image k has the value k / 2 at every pixel but its last,
  // which is NaN for image 2.
  const values = [0, 0, 0, 0, 0.5, 0.5, 0.5, 1, 1, 1, 1, NaN];
  const grid = tileGrid(values, side, 2);
  const at = (x: number, y: number) => Array.from(grid.rgba.subarray(4 * (y * grid.width + x), 4 * (y * grid.width + x) + 3));
  assert.deepEqual([grid.width, grid.height, grid.tileRows, grid.tilesPerRow], [7, 7, 2, 2]);
  assert.deepEqual(tileOrigin(2, 2, side), [TILE_GAP, TILE_GAP + side + TILE_GAP]);
  assert.deepEqual(at(1, 1), [...PAPER]);
  assert.deepEqual(at(4, 1), [...pixelColour(0.5)]);
  assert.deepEqual(at(5, 2), [...INK], "image 1's last pixel: row 1, column 1 of its tile");
  assert.deepEqual(at(1, 4), [...INK]);
  assert.deepEqual(at(2, 5), [...ERASED]);
  assert.deepEqual(at(0, 0), [...GAP]);
  assert.deepEqual(at(3, 2), [...GAP]);
  assert.deepEqual(at(4, 4), [...GAP], "no fourth image: gap colour");
  // A view of kind "images": tile row r, column c starts at values[r · columns + c · side²].
  const columns = 2 * side * side;
  for (const [r, c] of [[0, 1], [1, 0]]) {
    const [x, y] = tileOrigin(r * 2 + c, 2, side);
    assert.deepEqual(at(x, y), [...pixelColour(values[r * columns + c * side * side])]);
  }
  assert.equal(tileGrid(values, side, 8, 2).tilesPerRow, 2, "at most maxTiles tiles");
});

test("a strip shows evenly spaced stages, first and last included, images by row", () => {
  assert.deepEqual(stripStages(65), [0, 6, 13, 19, 26, 32, 38, 45, 51, 58, 64]);
  assert.deepEqual(stripStages(101, 11), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.deepEqual(stripStages(4), [0, 1, 2, 3]);
  assert.deepEqual(stripStages(3, 1), [0, 2], "at least the first and the last");
  assert.equal(nearestColumn([0, 6, 13], 10), 2);
  assert.equal(nearestColumn([0, 6, 13], 9), 1);
  assert.equal(nearestColumn([0, 6, 13], 0), 0);
  // 3 stages of 2 images of 1 pixel; pixel value = 10 · stage + image.
  const values = [0, 1, 10, 11, 20, 21];
  assert.deepEqual(Array.from(stripTiles(values, 1, 2, [0, 2], 2)), [0, 20, 1, 21]);
  assert.deepEqual(Array.from(stripTiles(values, 1, 2, [1], 1)), [10]);
});

test("histogram bins, medians and the shared axis", () => {
  assert.deepEqual(binCounts([0, 0.5, 1, 1.2, NaN, -1, 0.26], 0, 1, 4), [2, 1, 1, 2]);
  assert.deepEqual(binCounts([3, 3], 3, 3, 2), [2, 0], "an empty range puts everything in the first bin");
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([NaN, 5]), 5);
  assert.ok(Number.isNaN(median([])));
  assert.deepEqual(sharedRange(new Float64Array([0.2, 1.5]), [0.7, NaN]), [0, 1.5]);
  assert.deepEqual(sharedRange([]), [0, 1]);
});

test("the divergence curve starts on W2 for points and on held-out bits/dim for images, by id", () => {
  const estimate = (id: string, name: string, units: string): Estimate => ({
    id, name, value: 1, units, direction: "", estimator: "", model_samples: 1, data_samples: 1, noise_floor: null,
  });
  const w2 = estimate("sliced_w2", "sliced W2 (renamed)", "data units");
  assert.equal(defaultCurve([estimate("kl_smoothed", "KL(data‖model)", "nats"), w2]), "sliced_w2");
  const mmd = estimate("mmd2_held_out", "MMD²(held-out, model)", "kernel units");
  assert.equal(defaultCurve([mmd, estimate("held_out_nll", "held-out NLL", "bits/dim")]), "held_out_nll");
  assert.equal(defaultCurve([mmd]), "mmd2_held_out");
});
