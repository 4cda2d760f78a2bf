// The set-up every end-to-end test file shares: dist/ served on 127.0.0.1 and one headless
// Chromium (Debian's, driven by playwright-core), started before the file's tests and closed
// after them. Importing this module registers both hooks. Also the page helpers the files share.
import { strict as assert } from "node:assert";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before } from "node:test";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../../scripts/serve-dist.mjs";

const root = resolve(import.meta.dirname, "../..");

/** Where screenshots and downloads go. */
export const output = join(root, "test-output");

/** The browser and the page's origin, set before the tests run. */
export const env = { browser: null, origin: "" };

/** Lab cells of the tour (www/src/tour.ts): the ten 2-D labs, then the image labs. */
export const TOUR_LABS = 19;
/** The tour's 2-D labs, which come first. */
export const TOUR_POINT_LABS = 10;

let server;

before(async () => {
  server = await serveDist(join(root, "dist"));
  env.origin = server.origin;
  env.browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  mkdirSync(output, { recursive: true });
});

after(async () => {
  await env.browser?.close();
  server?.close();
});

/** The element with `data-role="name"` inside `cell`. */
export const role = (cell, name) => cell.locator(`[data-role="${name}"]`).first();

/** Navigates `page` to `path` and waits until the notebook is ready (and says it started). */
export async function goto(page, path) {
  await page.goto(`${env.origin}${path}`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  assert.equal(await page.getAttribute("body", "data-ready"), "true", await page.locator("#message").textContent());
}

/**
 * A fresh page (its own storage) at `path` whose `problems` collect page errors and console
 * errors (except those matching `ignore`); resolves once the notebook is ready.
 */
export async function open(path, { viewport = { width: 1100, height: 1300 }, ignore = null } = {}) {
  const page = await env.browser.newPage({ viewport, acceptDownloads: true });
  page.problems = [];
  page.on("pageerror", (error) => page.problems.push(error.message));
  page.on("console", (message) => message.type() === "error" && !ignore?.test(message.text()) && page.problems.push(message.text()));
  await goto(page, path);
  return page;
}

/** Waits until `cell` (a 2-D lab) has drawn its first evaluation (its model is built). */
export const built = (cell) => role(cell, "w2").filter({ hasText: /\d/ }).waitFor({ timeout: 120_000 });

/**
 * Pauses the training `cell` and waits until the paused model's own evaluation is shown (the cell
 * stops being `aria-busy`): only then are its panel, samples and timeline final.
 */
export async function pause(cell) {
  await role(cell, "train").click();
  await role(cell, "train").filter({ hasText: /^Train$/ }).waitFor({ timeout: 60_000 });
  await cell.page().waitForFunction((element) => !element.hasAttribute("aria-busy"), await cell.elementHandle(), { timeout: 60_000 });
}

/** Waits until `cell`'s step readout shows a number, then until it reaches `steps`. */
export async function waitForStep(cell, steps, timeout = 120_000) {
  await role(cell, "step").filter({ hasText: /^\d+$/ }).waitFor({ timeout });
  await cell.evaluate(
    (element, n) =>
      new Promise((done, fail) => {
        const started = Date.now();
        const poll = () => {
          if (Number(element.querySelector('[data-role="step"]')?.textContent) >= n) done();
          else if (Date.now() - started > 110_000) fail(new Error(`step ${n} not reached`));
          else setTimeout(poll, 100);
        };
        poll();
      }),
    steps,
  );
}
