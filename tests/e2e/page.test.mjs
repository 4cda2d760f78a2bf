// End-to-end: serve dist/ on 127.0.0.1, open it in headless Chromium (Debian's, driven by
// playwright-core), press Train, and check that samples are drawn and the sliced W2 falls.
// Run by scripts/test after `trunk build`; the screenshot lands in test-output/.
import { strict as assert } from "node:assert";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../../bench/serve-dist.mjs";

const root = resolve(import.meta.dirname, "../..");
const output = join(root, "test-output");

let server;
let browser;
let origin;

before(async () => {
  server = await serveDist(join(root, "dist"));
  origin = server.origin;
  browser = await chromium.launch({
    executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  mkdirSync(output, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function readNumber(page, id) {
  return Number(await page.locator(`#${id}`).textContent());
}

for (const dataset of ["eight_gaussians", "moons"]) {
  test(`training flow matching on ${dataset} lowers the displayed sliced W2`, { timeout: 240_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    await page.goto(`${origin}/?backend=cpu&family=flow_matching&dataset=${dataset}`);
    await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
    assert.equal(await page.getAttribute("body", "data-ready"), "true", await page.locator("#message").textContent());
    assert.equal(await page.getAttribute("#backend-badge", "data-backend"), "cpu");
    const untrained = await readNumber(page, "w2");
    assert.ok(untrained > 0, `untrained sliced W2 ${untrained}`);

    await page.click("#train");
    await page.waitForFunction(() => Number(document.getElementById("step")?.textContent) >= 1500, null, { timeout: 180_000 });
    await page.waitForFunction(() => Number(document.getElementById("curve")?.dataset.points) >= 5);
    await page.click("#train");
    const trained = await readNumber(page, "w2");
    const floor = await readNumber(page, "floor");
    const samples = Number(await page.getAttribute("#scatter", "data-samples"));
    await page.screenshot({ path: join(output, `e2e-${dataset}.png`) });
    console.log(`${dataset}: sliced W2 ${untrained} → ${trained} (noise floor ${floor}), ${samples} samples drawn`);
    assert.equal(samples, 1000);
    assert.ok(trained < 0.5 * untrained, `sliced W2 did not fall: ${untrained} → ${trained}`);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test("every family trains from the chooser and draws each of its views", { timeout: 600_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1200 } });
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  await page.goto(`${origin}/?backend=cpu&batch_size=128&width=32`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  const families = await page.$$eval("#family option", (options) => options.map((o) => o.value));
  assert.deepEqual(families, [
    "autoencoder", "vae", "gan", "made", "real_nvp", "ebm", "ncsn", "diffusion", "score_sde", "flow_matching",
  ]);
  for (const family of families) {
    await page.selectOption("#family", family);
    await page.waitForFunction((f) => location.search.includes(`family=${f}`) || f === "vae", family);
    await page.waitForFunction(() => document.getElementById("step")?.textContent === "0");
    await page.click("#train");
    await page.waitForFunction(() => Number(document.getElementById("step")?.textContent) >= 60, null, { timeout: 120_000 });
    await page.click("#train");
    const loss = Number(await page.locator("#loss").textContent());
    assert.ok(Number.isFinite(loss), `${family}: loss ${loss}`);
    assert.ok(Number(await page.getAttribute("#scatter", "data-samples")) > 0, family);
    const views = await page.$$eval("#view-choice option", (options) => options.map((o) => o.value));
    assert.ok(views.length >= 1, `${family} has views`);
    for (const view of views) {
      await page.selectOption("#view-choice", view);
      await page.waitForFunction((v) => document.getElementById("view")?.dataset.view === v, view, { timeout: 60_000 });
    }
    await page.screenshot({ path: join(output, `e2e-family-${family}.png`) });
    assert.equal(await page.locator("#message").textContent().then((m) => m.includes("Error")), false);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test("diffusion switches to DDIM without retraining, flow matching reflows", { timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1200 } });
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(`${origin}/?backend=cpu&family=diffusion&batch_size=128&width=32&diffusion_steps=20`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  await page.click("#train");
  await page.waitForFunction(() => Number(document.getElementById("step")?.textContent) >= 40, null, { timeout: 120_000 });
  await page.click("#train");
  const step = await page.locator("#step").textContent();
  await page.selectOption("#option-sampler", "ddim");
  await page.waitForFunction(() => document.getElementById("message")?.textContent?.includes("kept"));
  assert.equal(await page.locator("#step").textContent(), step, "the model is kept");
  assert.match(page.url(), /sampler=ddim/);

  await page.selectOption("#family", "flow_matching");
  await page.waitForFunction(() => !document.getElementById("flow-actions")?.hidden);
  await page.click("#train");
  await page.waitForFunction(() => Number(document.getElementById("step")?.textContent) >= 40, null, { timeout: 120_000 });
  await page.click("#train");
  await page.click("#reflow");
  await page.waitForFunction(() => document.getElementById("straightness")?.textContent !== "–", null, { timeout: 60_000 });
  assert.match(await page.locator("#message").textContent(), /Reflow 1/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("bad settings in the URL are reported by name and the page still starts", { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}/?backend=cpu&learning_rate=-3&dataset=mnist`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  const message = await page.locator("#message").textContent();
  assert.match(message, /dataset/);
  assert.match(message, /learning_rate/);
  assert.equal(await page.getAttribute("body", "data-ready"), "true");
  await page.close();
});
