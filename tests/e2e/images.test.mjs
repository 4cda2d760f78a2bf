// End-to-end checks of the image labs (issue 7): PixelCNN on the 8×8 digits trains from a link,
// draws its samples beside held-out digits and the memorisation histogram, and its held-out
// bits/dim falls; the dataset chooser moves a 2-D lab to the digits, where only the image
// families are offered and each trains and draws every view; the tour ends with the image labs
// in the notes' order. Screenshots land in test-output/.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { test } from "node:test";
import { open as openPage, output, pause, role, TOUR_LABS, TOUR_POINT_LABS } from "./harness.mjs";

/** A fresh page at `path`, taller than the default (image grids and histograms). */
const open = (path) => openPage(path, { viewport: { width: 1100, height: 1500 } });

/**
 * Resolves once `holds({ element, arg })` is true in the page, `element` being `cell`'s element
 * with `data-role="name"` (polled every 100 ms).
 */
async function until(cell, name, holds, arg = null, timeout = 110_000) {
  const element = await role(cell, name).elementHandle();
  await cell.page().waitForFunction(holds, { element, arg }, { polling: 100, timeout });
}

/** Waits until `cell`'s step counter reaches `steps`. */
const waitForStep = (cell, steps) => until(cell, "step", ({ element, arg }) => Number(element.textContent) >= arg, steps);

/** A readout of `cell` once an evaluation has written a number there. */
async function readout(cell, name) {
  await role(cell, name).filter({ hasText: /\d/ }).waitFor({ timeout: 120_000 });
  return Number(await role(cell, name).textContent());
}

/**
 * Pauses training (until the paused model's evaluation is shown) and runs one Step, so that the
 * readouts and the curve come from an evaluation of a step taken while paused.
 */
async function pauseAndEvaluate(cell) {
  await pause(cell);
  const evaluations = Number(await role(cell, "curve").getAttribute("data-points"));
  await role(cell, "step-once").click();
  await until(cell, "curve", ({ element, arg }) => Number(element.dataset.points) > arg, evaluations);
}

test("PixelCNN on the digits: samples beside held-out digits, the memorisation check, bits/dim falls", { timeout: 600_000 }, async () => {
  const page = await open("/?backend=cpu&family=pixel_cnn&channels=16&layers=2");
  const cell = page.locator(".lab-cell").first();
  assert.equal(await role(cell, "dataset").inputValue(), "digits");
  assert.equal(await role(cell, "learning_rate").inputValue(), "0.003");
  assert.equal(await role(cell, "batch_size").inputValue(), "128");
  assert.equal(await cell.evaluate((element) => element.classList.contains("image-lab")), true);
  const untrained = await readout(cell, "bits-per-dim");
  assert.equal(await role(cell, "image-samples").getAttribute("data-images"), "64");
  assert.equal(await role(cell, "image-data").getAttribute("data-images"), "64");
  assert.equal(await role(cell, "scatter").isVisible(), false, "no 2-D scatter on images");
  assert.equal(await role(cell, "density-model").isVisible(), false, "no density pair on images");
  assert.equal(await role(cell, "w2").isVisible(), false);
  assert.ok(await role(cell, "memorisation").isVisible());
  assert.match(await role(cell, "memorisation-caption").textContent(), /Medians: model samples [\d.]+, held-out images [\d.]+/);
  const panel = await role(cell, "divergences").locator("tr").evaluateAll((rows) =>
    rows.map((row) => ({ name: row.querySelector(".name")?.textContent, units: row.querySelector(".units")?.textContent })),
  );
  const likelihood = panel.find((estimate) => estimate.units === "bits/dim");
  assert.ok(likelihood !== undefined && panel.some((estimate) => estimate.name.startsWith("MMD²")), JSON.stringify(panel));
  const curve = role(cell, "curve-divergence");
  assert.equal(await curve.locator("option:checked").textContent(), likelihood.name, "the curve starts on held-out bits/dim");
  assert.equal(await curve.inputValue(), "held_out_nll", "chosen by its stable id");
  assert.equal(await role(cell, "loss-label").textContent(), "bits_per_dim");

  await role(cell, "train").click();
  await waitForStep(cell, 200);
  await pauseAndEvaluate(cell);
  const trained = await readout(cell, "bits-per-dim");
  const medians = await role(cell, "memorisation").evaluate((canvas) => [canvas.dataset.modelMedian, canvas.dataset.heldOutMedian].map(Number));
  console.log(`PixelCNN: held-out bits/dim ${untrained} → ${trained} at step ${await role(cell, "step").textContent()}; ` +
    `nearest-training-image medians: model ${medians[0]}, held-out ${medians[1]}`);
  // log2(17) ≈ 4.09 bits/dim is a uniform guess; the first 200 steps should cut it well down.
  assert.ok(trained < 0.8 * untrained, `held-out bits/dim did not fall enough: ${untrained} → ${trained}`);
  assert.ok(medians.every(Number.isFinite), `medians ${medians}`);

  const views = await role(cell, "view-choice").locator("option").evaluateAll((options) => options.map((o) => o.value));
  assert.deepEqual(views.sort(), ["completion", "pixel_by_pixel"]);
  for (const view of views) {
    await role(cell, "view-choice").selectOption(view);
    await until(cell, "view", ({ element, arg }) => element.dataset.view === arg, view, 60_000);
  }
  await role(cell, "view-choice").selectOption("pixel_by_pixel");
  await until(cell, "view", ({ element }) => element.dataset.view === "pixel_by_pixel", null, 60_000);
  await page.waitForTimeout(500);
  assert.match(await role(cell, "view-description").textContent(), /columns: stages 0, .*, 64 of 0 to 64/);
  await cell.screenshot({ path: join(output, "e2e-images-pixel_cnn.png") });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the dataset chooser moves a lab to the digits; each image family trains and draws its views", { timeout: 900_000 }, async () => {
  const page = await open("/?backend=cpu&family=flow_matching");
  const cell = page.locator(".lab-cell").first();
  await readout(cell, "w2");
  await role(cell, "dataset").selectOption("digits");
  await role(cell, "message").filter({ hasText: /family to VAE.*reset/ }).waitFor({ timeout: 120_000 });
  assert.equal(await role(cell, "family").inputValue(), "vae");
  assert.equal(await role(cell, "learning_rate").inputValue(), "0.002");
  assert.equal(await role(cell, "batch_size").inputValue(), "128");
  const families = await role(cell, "family").locator("option").evaluateAll((options) => options.map((o) => o.value));
  assert.deepEqual(families, ["vae", "gan", "pixel_rnn", "pixel_cnn", "image_gpt", "independent_pixels", "vq_vae", "diffusion", "conditional_diffusion"]);
  const report = [];
  for (const family of families) {
    if (family !== "vae") {
      const label = await role(cell, "family").locator(`option[value="${family}"]`).textContent();
      await role(cell, "family").selectOption(family);
      await role(cell, "message").filter({ hasText: `family changed to ${label}: the model was reset` }).waitFor({ timeout: 120_000 });
    }
    assert.equal(await role(cell, "dataset").inputValue(), "digits");
    const untrained = await readout(cell, "mmd");
    await role(cell, "train").click();
    await waitForStep(cell, 40);
    await pauseAndEvaluate(cell);
    const trained = await readout(cell, "mmd");
    const doubt = role(cell, "divergences").locator('tr[data-id="classifier_doubt"] td.value');
    report.push(`${family}: MMD² ${untrained} → ${trained} (floor ${await role(cell, "mmd-floor").textContent()}), classifier doubt ${await doubt.textContent()}, loss ${await role(cell, "loss").textContent()}`);
    assert.ok(Number(await doubt.textContent()) >= 0, `${family}: the classifier judges its samples`);
    assert.ok(Number.isFinite(Number(await role(cell, "loss").textContent())), `${family}: loss`);
    assert.equal(await role(cell, "image-samples").getAttribute("data-images"), "64", family);
    const units = await role(cell, "divergences").locator("td.units").allTextContents();
    assert.equal(await role(cell, "bits-readout").isVisible(), units.includes("bits/dim"), `${family}: bits/dim shown only with a likelihood`);
    const views = await role(cell, "view-choice").locator("option").evaluateAll((options) => options.map((o) => o.value));
    assert.equal(await role(cell, "view-figure").isVisible(), views.length > 0, `${family}: the view panel shows only when there are views`);
    for (const view of views) {
      await role(cell, "view-choice").selectOption(view);
      await until(cell, "view", ({ element, arg }) => element.dataset.view === arg, view, 60_000);
    }
    await cell.screenshot({ path: join(output, `e2e-images-${family}.png`) });
    assert.equal((await role(cell, "message").textContent()).includes("Error"), false, family);
  }
  console.log(report.join("\n"));

  await role(cell, "dataset").selectOption("moons");
  await role(cell, "message").filter({ hasText: /dataset changed to moons/ }).waitFor({ timeout: 120_000 });
  assert.equal(await role(cell, "family").locator("option").count(), 10, "back on 2-D points, the 2-D families");
  assert.equal(await role(cell, "scatter").isVisible(), true);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the tour ends with the image labs in the notes' order, which build when seen", { timeout: 300_000 }, async () => {
  const page = await open("/");
  const labs = page.locator(".lab-cell");
  assert.equal(await labs.count(), TOUR_LABS);
  const last = await labs.evaluateAll((cells, first) =>
    cells.slice(first).map((cell) => ["family", "dataset"].map((name) => cell.querySelector(`[data-role="${name}"]`).value).join("/")),
  TOUR_POINT_LABS);
  assert.deepEqual(last, [
    "pixel_rnn/digits", "pixel_cnn/digits", "image_gpt/digits", "independent_pixels/digits",
    "vae/digits", "vq_vae/digits", "diffusion/digits", "gan/digits", "conditional_diffusion/digits",
  ]);
  const pixel = labs.nth(TOUR_POINT_LABS + 1); // PixelCNN, after Pixel RNN
  assert.equal(await role(pixel, "option-channels").inputValue(), "16");
  assert.equal(await role(pixel, "option-layers").inputValue(), "2");
  await pixel.scrollIntoViewIfNeeded();
  assert.ok((await readout(pixel, "bits-per-dim")) > 0);
  await pixel.screenshot({ path: join(output, "e2e-images-tour.png") });
  assert.deepEqual(page.problems, []);
  await page.close();
});
