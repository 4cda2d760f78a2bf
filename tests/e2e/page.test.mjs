// End-to-end: serve dist/ on 127.0.0.1, open it in headless Chromium (Debian's, driven by
// playwright-core), press Train, and check that samples are drawn and the sliced W2 falls.
// Run by scripts/test after `trunk build`; the screenshot lands in test-output/.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { test } from "node:test";
import { deflateRawSync } from "node:zlib";
import { env, output, TOUR_LABS } from "./harness.mjs";

/** The element with `data-role="role"` in the page's first lab cell. */
function part(page, role) {
  return page.locator(`.lab-cell [data-role="${role}"]`).first();
}

async function readNumber(page, role) {
  return Number(await part(page, role).textContent());
}

/** Waits until the first lab cell's step counter reaches `steps`. */
async function waitForStep(page, steps, timeout = 180_000) {
  await page.waitForFunction(
    (n) => Number(document.querySelector('.lab-cell [data-role="step"]')?.textContent) >= n,
    steps,
    { timeout },
  );
}

/**
 * The step counter once it stops moving: after Pause, a slice already sent to the worker still
 * finishes and reports.
 */
async function settledStep(page) {
  let last = await part(page, "step").textContent();
  for (;;) {
    await page.waitForTimeout(1500);
    const now = await part(page, "step").textContent();
    if (now === last) return now;
    last = now;
  }
}

/** A notebook link built independently of the page's code: JSON, raw deflate, base64url. */
function notebookLink(notebook) {
  const packed = deflateRawSync(Buffer.from(JSON.stringify(notebook))).toString("base64url");
  return `${env.origin}/#nb=${packed}`;
}

for (const dataset of ["eight_gaussians", "moons"]) {
  test(`training flow matching on ${dataset} lowers the displayed sliced W2`, { timeout: 240_000 }, async () => {
    const page = await env.browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    await page.goto(`${env.origin}/?backend=cpu&family=flow_matching&dataset=${dataset}`);
    await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
    assert.equal(await page.getAttribute("body", "data-ready"), "true", await page.locator("#message").textContent());
    assert.equal(await page.getAttribute("#backend-badge", "data-backend"), "cpu");
    await page.waitForFunction(() => Number(document.querySelector('.lab-cell [data-role="w2"]')?.textContent) > 0);
    const untrained = await readNumber(page, "w2");

    await part(page, "train").click();
    await waitForStep(page, 1500);
    await page.waitForFunction(() => Number(document.querySelector('.lab-cell [data-role="curve"]')?.dataset.points) >= 5);
    await part(page, "train").click();
    const trained = await readNumber(page, "w2");
    const floor = await readNumber(page, "floor");
    const samples = Number(await part(page, "scatter").getAttribute("data-samples"));
    await page.screenshot({ path: join(output, `e2e-${dataset}.png`) });
    console.log(`${dataset}: sliced W2 ${untrained} → ${trained} (noise floor ${floor}), ${samples} samples drawn`);
    assert.equal(samples, 1000);
    assert.ok(trained < 0.5 * untrained, `sliced W2 did not fall: ${untrained} → ${trained}`);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test("V(D, G) beside 2·JS − log 4 shows only for the GAN losses where the lemma holds", { timeout: 300_000 }, async () => {
  for (const [loss, shown] of [["non_saturating", true], ["least_squares", false], ["wgan_gp", false]]) {
    const page = await env.browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${env.origin}/?backend=cpu&family=gan&width=16&loss=${loss}`);
    await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
    await part(page, "train").click();
    await waitForStep(page, 20);
    // Evaluations after trained slices, whose reports carry V(D, G) where it means something.
    await page.waitForFunction(() => Number(document.querySelector('.lab-cell [data-role="curve"]')?.dataset.points) >= 3);
    await part(page, "train").click();
    assert.equal(await part(page, "objective-readout").isVisible(), shown, loss);
    if (shown) assert.match(await part(page, "objective").textContent(), /^-?\d+\.\d{3} vs -?\d+\.\d{3}$/);
    await page.close();
  }
});

test("every family trains from the chooser and draws each of its views", { timeout: 600_000 }, async () => {
  const page = await env.browser.newPage({ viewport: { width: 1100, height: 1200 } });
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  await page.goto(`${env.origin}/?backend=cpu&batch_size=128&width=32`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  const families = await part(page, "family").locator("option").evaluateAll((options) => options.map((o) => o.value));
  assert.deepEqual(families, [
    "autoencoder", "vae", "gan", "made", "real_nvp", "ebm", "ncsn", "diffusion", "score_sde", "flow_matching",
  ]);
  for (const family of families) {
    await part(page, "family").selectOption(family);
    await page.waitForFunction(() => document.querySelector('.lab-cell [data-role="step"]')?.textContent === "0");
    await part(page, "train").click();
    await waitForStep(page, 60, 120_000);
    await part(page, "train").click();
    const loss = await readNumber(page, "loss");
    assert.ok(Number.isFinite(loss), `${family}: loss ${loss}`);
    assert.ok(Number(await part(page, "scatter").getAttribute("data-samples")) > 0, family);
    const views = await part(page, "view-choice").locator("option").evaluateAll((options) => options.map((o) => o.value));
    assert.ok(views.length >= 1, `${family} has views`);
    for (const view of views) {
      await part(page, "view-choice").selectOption(view);
      await page.waitForFunction((v) => document.querySelector('.lab-cell [data-role="view"]')?.dataset.view === v, view, { timeout: 60_000 });
    }
    await page.screenshot({ path: join(output, `e2e-family-${family}.png`) });
    assert.equal((await part(page, "message").textContent()).includes("Error"), false);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test("diffusion switches to DDIM without retraining; the link restores it; flow matching reflows", { timeout: 300_000 }, async () => {
  const page = await env.browser.newPage({ viewport: { width: 1100, height: 1200 } });
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(`${env.origin}/?backend=cpu&family=diffusion&batch_size=128&width=32&diffusion_steps=20`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  await part(page, "train").click();
  await waitForStep(page, 40, 120_000);
  await part(page, "train").click();
  const step = await settledStep(page);
  await part(page, "option-sampler").selectOption("ddim");
  await page.waitForFunction(() => document.querySelector('.lab-cell [data-role="message"]')?.textContent?.includes("kept"));
  assert.equal(await part(page, "step").textContent(), step, "the model is kept");
  await page.waitForFunction(() => location.hash.startsWith("#nb="));

  const copy = await env.browser.newPage();
  await copy.goto(page.url());
  await copy.waitForSelector("body[data-ready]", { timeout: 120_000 });
  assert.equal(await part(copy, "family").inputValue(), "diffusion");
  assert.equal(await part(copy, "option-sampler").inputValue(), "ddim");
  assert.equal(await part(copy, "option-diffusion_steps").inputValue(), "20");
  assert.equal(await part(copy, "option-width").inputValue(), "32");
  await copy.close();

  await part(page, "family").selectOption("flow_matching");
  await page.waitForSelector('.lab-cell [data-action="reflow"]');
  await part(page, "train").click();
  await waitForStep(page, 40, 120_000);
  await part(page, "train").click();
  const trained = await settledStep(page);
  await page.locator('.lab-cell [data-action="reflow"]').click();
  await page.waitForFunction(() => document.querySelector('.lab-cell [data-role="action-result"]')?.textContent !== "", null, { timeout: 60_000 });
  assert.match(await part(page, "action-result").textContent(), /^Reflow: reflows 1\.000, straightness \d/);
  assert.equal(await part(page, "step").textContent(), trained, "a reflow is not a training step");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the default notebook is the tour, with rendered math and a lab per family", { timeout: 180_000 }, async () => {
  const page = await env.browser.newPage({ viewport: { width: 1100, height: 1200 } });
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(`${env.origin}/`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  assert.equal(await page.locator(".lab-cell").count(), TOUR_LABS);
  assert.ok((await page.locator(".text-cell math").count()) >= 10, "formulas render as MathML");
  const families = await page.locator('.lab-cell [data-role="family"]').evaluateAll((selects) => selects.map((s) => s.value));
  assert.deepEqual(families, [
    "autoencoder", "vae", "gan", "made", "real_nvp", "ebm", "ncsn", "diffusion", "flow_matching", "score_sde",
    "pixel_rnn", "pixel_cnn", "image_gpt", "independent_pixels", "vae", "vq_vae", "diffusion",
    "gan", "conditional_diffusion",
  ]);
  await page.waitForFunction(() => Number(document.querySelector('.lab-cell [data-role="w2"]')?.textContent) > 0, null, { timeout: 60_000 });
  await page.screenshot({ path: join(output, "e2e-tour.png") });
  await page.locator(".cell").nth(1).locator('[data-action="delete"]').click();
  await page.waitForFunction(() => document.querySelectorAll(".cell").length === 39);

  await page.locator(".cell:has(.lab-cell)").nth(1).locator('[data-action="embed"]').click();
  await page.waitForFunction(() => document.getElementById("embed-link")?.value !== "");
  const snippet = await page.locator("#embed-link").inputValue();
  const src = /src="([^"]+)"/.exec(snippet)?.[1];
  assert.ok(src?.includes("?embed#nb="), snippet);
  const embed = await env.browser.newPage({ viewport: { width: 1000, height: 1150 } });
  await embed.goto(src);
  await embed.waitForSelector("body[data-ready]", { timeout: 120_000 });
  assert.equal(await embed.locator(".lab-cell").count(), 1);
  assert.equal(await embed.locator(".text-cell").count(), 0);
  assert.equal(await embed.locator("header").isVisible(), false);
  assert.equal(await part(embed, "family").inputValue(), "vae");
  await embed.screenshot({ path: join(output, "e2e-embed.png") });
  await embed.close();
  assert.deepEqual(problems, []);
  await page.close();
});

test("a hostile notebook runs nothing and reports its bad settings", { timeout: 120_000 }, async () => {
  const page = await env.browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const hostile = {
    version: 1,
    backend: "cpu",
    cells: [
      { kind: "text", text: '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> [click](javascript:window.pwned=3) <svg onload="window.pwned=4"></svg> <iframe src="javascript:alert(5)"></iframe>\n\nStill Markdown: $x^2$ and [a link](javascript:window.pwned=6)' },
      { kind: "lab", settings: { family: "vae", learning_rate: "-1", width: "1e9", dataset: "<b>moons</b>" } },
      { kind: "sql", text: "drop" },
    ],
  };
  await page.goto(notebookLink(hostile));
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  assert.equal(await page.getAttribute("body", "data-ready"), "true");
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  const rendered = page.locator(".text-cell").first();
  assert.equal(await rendered.locator("script, iframe, [onerror], [onload]").count(), 0);
  assert.equal(await rendered.locator('a[href^="javascript"]').count(), 0);
  assert.equal(await rendered.locator("math").count(), 1);
  const message = await page.locator("#message").textContent();
  for (const field of ["learning_rate", "width", "dataset", "cell 3"]) assert.match(message, new RegExp(field));
  assert.equal(await page.locator(".lab-cell").count(), 1);
  assert.deepEqual(problems, []);
  await page.close();

  const huge = await env.browser.newPage();
  await huge.goto(`${env.origin}/#nb=${"A".repeat(70_000)}`);
  await huge.waitForSelector("body[data-ready]", { timeout: 120_000 });
  assert.match(await huge.locator("#message").textContent(), /longer than/);
  assert.equal(await huge.locator(".lab-cell").count(), TOUR_LABS, "the tour opens instead");
  await huge.close();
});

test("a host page scripts an embedded lab through <genlab-lab>; Step trains one step", { timeout: 240_000 }, async () => {
  const page = await env.browser.newPage({ viewport: { width: 1100, height: 1300 } });
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  const host = `<!doctype html><title>Course notes</title>
    <script type="module" src="/genlab-lab.js"></script>
    <genlab-lab id="lab" src="/index.html" settings="backend=cpu&family=gan&dataset=moons&width=32&batch_size=128"></genlab-lab>`;
  await page.route(`${env.origin}/host.html`, (route) => route.fulfill({ body: host, contentType: "text/html" }));
  await page.goto(`${env.origin}/host.html`);
  const frame = page.frameLocator("genlab-lab >> iframe");
  await frame.locator("body[data-ready]").waitFor({ timeout: 120_000 });
  const state = await page.evaluate(() => document.getElementById("lab").getState());
  assert.equal(JSON.parse(state).cells[0].settings.family, "gan");

  await frame.locator('.lab-cell [data-role="w2"]').filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
  await frame.locator('.lab-cell [data-role="step-once"]').click();
  await frame.locator('.lab-cell [data-role="step"]').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
  await page.evaluate(() => document.getElementById("lab").play());
  await frame.locator('.lab-cell [data-role="step"]').filter({ hasText: /^([2-9]\d|\d{3,})$/ }).waitFor({ timeout: 60_000 });
  await page.evaluate(() => document.getElementById("lab").pause());

  const vae = JSON.stringify({ version: 1, backend: "cpu", cells: [{ kind: "lab", settings: { family: "vae", beta: "0.5", width: "nope" } }] });
  const errors = await page.evaluate((json) => document.getElementById("lab").setState(json), vae);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /width/);
  assert.equal(await frame.locator('.lab-cell [data-role="family"]').inputValue(), "vae");
  assert.equal(await frame.locator('.lab-cell [data-role="option-beta"]').inputValue(), "0.5");

  const download = page.waitForEvent("download");
  await frame.locator('.lab-cell [data-role="export-csv"]').click();
  assert.match((await download).suggestedFilename(), /divergences\.csv$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("bad settings in the URL are reported by name and the page still starts", { timeout: 120_000 }, async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.origin}/?backend=cpu&learning_rate=-3&dataset=mnist`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  const message = await page.locator("#message").textContent();
  assert.match(message, /dataset/);
  assert.match(message, /learning_rate/);
  assert.equal(await page.getAttribute("body", "data-ready"), "true");
  await page.close();
});
