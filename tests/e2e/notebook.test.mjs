// End-to-end checks of the notebook as a student and a teacher use it: the tour trains every
// family in a Web Worker and each divergence falls; the fine-grained steps; weights saved in one
// page load into a fresh one; a lesson link hides the controls it names. Screenshots land in
// test-output/.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { env, open, output, pause, role, TOUR_LABS, TOUR_POINT_LABS, waitForStep } from "./harness.mjs";

/** The sliced W2 a cell shows once an evaluation has drawn it. */
async function w2(cell) {
  await role(cell, "w2").filter({ hasText: /\d/ }).waitFor({ timeout: 120_000 });
  return Number(await role(cell, "w2").textContent());
}

test("the tour trains every family in a worker and each divergence falls", { timeout: 900_000 }, async () => {
  const page = await open("/");
  assert.equal(await page.getAttribute("#engine-badge", "data-engine"), "worker");
  const cells = page.locator(".lab-cell");
  // The first labs are the 2-D ones; the tour's image labs are checked in images.test.mjs.
  assert.equal(await cells.count(), TOUR_LABS);
  const report = [];
  for (let k = 0; k < TOUR_POINT_LABS; k++) {
    const cell = cells.nth(k);
    await cell.scrollIntoViewIfNeeded();
    const family = await role(cell, "family").inputValue();
    const untrained = await w2(cell);
    await role(cell, "train").click();
    await waitForStep(cell, 400);
    // The W2 shown once paused is the paused model's own evaluation.
    await pause(cell);
    const trained = await w2(cell);
    report.push(`${family}: sliced W2 ${untrained} → ${trained}`);
    // Measured (400 steps each, 2026-11-25): ratios 0.52 (autoencoder), 0.65 (VAE), 0.11 (GAN),
    // 0.65 (MADE), 0.29 (RealNVP), 0.51 (EBM), 0.20 (NCSN), 0.001 (diffusion), 0.51 (flow
    // matching), 0.003 (score SDE).
    assert.ok(trained < 0.8 * untrained, `${family}: sliced W2 did not fall enough: ${untrained} → ${trained}`);
    assert.ok(Number(await role(cell, "loss-curve").getAttribute("data-points")) > 0, `${family}: loss curve`);
    assert.match(await role(cell, "density-caption").textContent(), /Left, model/);
    await cell.screenshot({ path: join(output, `e2e-tour-${family}.png`) });
  }
  console.log(report.join("\n"));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("fine-grained steps: one discriminator step, one generator step, one denoising step; D*, and the data over it", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=gan&width=32&batch_size=128");
  const cell = page.locator(".lab-cell").first();
  await w2(cell);
  await cell.locator('[data-action="discriminator_step"]').click();
  await role(cell, "step").filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
  await cell.locator('[data-action="generator_step"]').click();
  await role(cell, "step").filter({ hasText: /^2$/ }).waitFor({ timeout: 30_000 });
  // The discriminator view carries the optimal discriminator D* as its truth: the "exact" box draws it.
  await page.waitForFunction(() => !document.querySelector('.lab-cell [data-role="view-truth-toggle"]')?.hidden, null, { timeout: 60_000 });
  await role(cell, "view-truth").check();
  await page.waitForFunction(() => document.querySelector('.lab-cell [data-role="view"]')?.dataset.shows === "truth");
  assert.match(await role(cell, "view-description").textContent(), /showing the exact one/);
  // The "data & samples" box draws the data and the generator's samples over the heatmap.
  const view = role(cell, "view");
  const plain = await view.evaluate((canvas) => canvas.toDataURL());
  await role(cell, "view-overlay").check();
  await page.waitForFunction(() => document.querySelector('.lab-cell [data-role="view"]')?.dataset.overlay === "on");
  assert.notEqual(await view.evaluate((canvas) => canvas.toDataURL()), plain, "the overlay changed the view's pixels");

  await role(cell, "family").selectOption("diffusion");
  await role(cell, "step").filter({ hasText: /^0$/ }).waitFor({ timeout: 60_000 });
  await role(cell, "view-choice").selectOption("reverse");
  await page.waitForFunction(() => document.querySelector('.lab-cell [data-role="view"]')?.dataset.view === "reverse", null, { timeout: 60_000 });
  const next = role(cell, "view-next");
  assert.match(await next.textContent(), /one denoising step/);
  const slider = role(cell, "view-parameter");
  await slider.evaluate((input) => {
    input.value = input.min;
    input.dispatchEvent(new Event("input"));
  });
  const first = Number(await slider.inputValue());
  await next.click();
  await next.click();
  assert.equal(Number(await slider.inputValue()), first + 2);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("weights saved in one page load into a fresh one with their options and step", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=made&width=24&components=3&batch_size=128");
  const cell = page.locator(".lab-cell").first();
  await w2(cell);
  await role(cell, "train").click();
  await waitForStep(cell, 50);
  await pause(cell);
  const step = await role(cell, "step").textContent();
  const download = page.waitForEvent("download");
  await role(cell, "export-weights").click();
  const file = join(output, "e2e-weights.genlab");
  await (await download).saveAs(file);
  assert.equal(readFileSync(file).subarray(0, 8).toString(), "GENLABW1");
  await page.close();

  const fresh = await open("/?backend=cpu&family=vae");
  const other = fresh.locator(".lab-cell").first();
  await w2(other);
  await role(other, "import-weights").setInputFiles(file);
  await role(other, "message").filter({ hasText: /Loaded/ }).waitFor({ timeout: 60_000 });
  assert.equal(await role(other, "family").inputValue(), "made");
  assert.equal(await role(other, "option-width").inputValue(), "24");
  assert.equal(await role(other, "option-components").inputValue(), "3");
  assert.equal(await role(other, "step").textContent(), step);

  await role(other, "import-weights").setInputFiles({ name: "junk.genlab", mimeType: "application/octet-stream", buffer: Buffer.from("not weights") });
  await role(other, "message").filter({ hasText: /not loaded/ }).waitFor({ timeout: 30_000 });
  assert.equal(await role(other, "family").inputValue(), "made", "a bad file changes nothing");
  assert.deepEqual(fresh.problems, []);
  await fresh.close();
});

test("a lesson link hides the controls the teacher ticks; ?worker=0 trains on the main thread", { timeout: 300_000 }, async () => {
  const page = await open("/");
  await page.locator(".cell:has(.lab-cell)").nth(2).locator('[data-action="embed"]').click();
  await page.locator('#lesson-controls input[value="dataset"]').check();
  await page.locator('#lesson-controls input[value="settings"]').check();
  await page.waitForFunction(() => document.getElementById("lesson-link")?.value.includes("?embed#nb="));
  await page.waitForTimeout(200);
  const link = await page.locator("#lesson-link").inputValue();
  assert.match(await page.locator("#embed-link").inputValue(), /<iframe src="/);
  await page.close();

  const lesson = await open(link.replace(env.origin, ""));
  const cell = lesson.locator(".lab-cell").first();
  assert.equal(await role(cell, "family").inputValue(), "gan");
  assert.equal(await cell.locator('[data-control="dataset"]').isVisible(), false);
  assert.equal(await cell.locator('[data-control="settings"]').isVisible(), false);
  assert.equal(await cell.locator('[data-control="family"]').isVisible(), true);
  await lesson.screenshot({ path: join(output, "e2e-lesson-link.png") });
  await lesson.close();

  const main = await open("/?worker=0&backend=cpu&family=vae");
  assert.equal(await main.getAttribute("#engine-badge", "data-engine"), "main");
  const lab = main.locator(".lab-cell").first();
  await w2(lab);
  await role(lab, "train").click();
  await waitForStep(lab, 20);
  await role(lab, "train").click();
  assert.deepEqual(main.problems, []);
  await main.close();
});
