// End-to-end checks that the page works on any screen and by any hand (issue 21): axe-core
// reports no serious or critical violation on the tour, a lab and embed mode; at a phone's width
// (390 px) the plots stack, nothing overflows sideways, touch draws a dataset and the check
// passes; the keyboard alone trains a lab and draws.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { built, env, goto, role } from "./harness.mjs";

const AXE = readFileSync(join(resolve(import.meta.dirname, "../.."), "node_modules/axe-core/axe.min.js"), "utf8");


/** A fresh page at `path` (the page's CSP lets the test inject axe-core), collecting page errors. */
async function open(path, options = {}) {
  const page = await env.browser.newPage({ viewport: { width: 1100, height: 1300 }, bypassCSP: true, ...options });
  page.problems = [];
  page.on("pageerror", (error) => page.problems.push(error.message));
  await goto(page, path);
  return page;
}

/** axe-core's serious and critical violations on the page as it is, one line each. */
async function seriousViolations(page) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await globalThis.axe.run(document, { resultTypes: ["violations"] })).violations);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}×: ${[...new Set(v.nodes.map((n) => n.target.join(" ").replace(/.*> /, "")))].slice(0, 8).join("; ")})`);
}

test("the tour, a lab and embed mode pass the accessibility check (no serious or critical violation)", { timeout: 300_000 }, async () => {
  const tour = await open("/");
  await built(tour.locator(".lab-cell").first());
  assert.deepEqual(await seriousViolations(tour), [], "the tour");
  await tour.close();

  const lab = await open("/?backend=cpu&family=gan&width=32");
  const cell = lab.locator(".lab-cell").first();
  await built(cell);
  await cell.locator("details.own-data summary").click();
  await role(cell, "draw").click();
  assert.deepEqual(await seriousViolations(lab), [], "a lab, drawing");
  const hash = new URL(lab.url()).hash;
  await lab.close();

  const embedded = await open(`/?embed${hash}`);
  await built(embedded.locator(".lab-cell").first());
  assert.deepEqual(await seriousViolations(embedded), [], "embed mode");
  assert.deepEqual([...tour.problems, ...lab.problems, ...embedded.problems], []);
  await embedded.close();
});

test("at a phone's width the plots stack, nothing overflows, touch draws, and the check passes", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=flow_matching&dataset=moons&width=32", {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const cell = page.locator(".lab-cell").first();
  await built(cell);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide at a 390 px viewport`);
  const scatter = await role(cell, "scatter").boundingBox();
  const view = await role(cell, "view").boundingBox();
  assert.ok(scatter.width <= 390 && view.y >= scatter.y + scatter.height - 1, `plots stack: ${JSON.stringify({ scatter, view })}`);

  await cell.locator("details.own-data summary").tap();
  await role(cell, "draw").tap();
  await role(cell, "scatter").scrollIntoViewIfNeeded();
  const box = await role(cell, "scatter").boundingBox();
  const scrolled = await page.evaluate(() => window.scrollY);
  const touch = await page.context().newCDPSession(page);
  // Up and to the right: a drag a page would otherwise scroll by.
  const at = (k) => ({ x: box.x + box.width * (0.3 + 0.02 * k), y: box.y + box.height * (0.7 - 0.02 * k) });
  await touch.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [at(0)] });
  for (let k = 1; k <= 20; k++) await touch.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [at(k)] });
  await touch.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  const drawn = Number(await role(cell, "scatter").getAttribute("data-drawn"));
  assert.ok(drawn >= 40, `${drawn} points drawn by touch`);
  // A finger dragging on a page scrolls it unless the plot takes the touch (touch-action: none).
  assert.equal(await page.evaluate(() => window.scrollY), scrolled, "drawing did not scroll the page");
  // A click: after the raw touch stroke above, Chromium's gesture detector turns no later
  // synthetic tap into a click (a harness artefact; taps on buttons work before it, see above).
  await role(cell, "use-drawing").click();
  await role(cell, "message").filter({ hasText: /./ }).waitFor({ timeout: 60_000 });
  assert.match(await role(cell, "message").textContent(), new RegExp(`^Training on your ${drawn} drawn points`));
  assert.deepEqual(await seriousViolations(page), [], "a lab at a phone's width");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the keyboard alone trains a lab and draws on its plot", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=flow_matching&dataset=moons&width=32");
  const cell = page.locator(".lab-cell").first();
  await built(cell);
  await role(cell, "train").focus();
  await page.keyboard.press("Enter");
  await role(cell, "train").filter({ hasText: "Pause" }).waitFor();
  await page.keyboard.press("Enter");
  await role(cell, "train").filter({ hasText: "Train" }).waitFor();

  await cell.locator("details.own-data summary").focus();
  await page.keyboard.press("Enter");
  await role(cell, "draw").focus();
  await page.keyboard.press("Enter");
  assert.equal(await role(cell, "draw").getAttribute("aria-pressed"), "true");
  const canvas = role(cell, "scatter");
  assert.equal(await canvas.getAttribute("tabindex"), "0", "the plot takes focus while drawing");
  await canvas.focus();
  await page.keyboard.press("Space");
  const once = Number(await canvas.getAttribute("data-drawn"));
  assert.ok(once > 0, "Space sprays at the brush");
  for (let k = 0; k < 5; k++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  assert.ok(Number(await canvas.getAttribute("data-drawn")) > once, "Enter sprays where the arrows moved the brush");
  assert.deepEqual(page.problems, []);
  await page.close();
});
