// End-to-end checks of the learner's own data and work (issue 21): a shape drawn with the mouse
// and by touch trains two families and the divergence falls; the notebook's link, opened in a
// fresh page, brings back the same drawing; a CSV file dropped on a lab trains, and a malformed
// one chosen with the file picker is refused naming its line; the timeline replays earlier
// evaluations and Save animation records a video.
import { strict as assert } from "node:assert";
import { statSync } from "node:fs";
import { test } from "node:test";
import { built, env, open, pause, role, waitForStep } from "./harness.mjs";


/** Points the drawing holds now (the plot's `data-drawn`). */
const drawn = async (cell) => Number(await role(cell, "scatter").getAttribute("data-drawn"));

/** Pointer positions along a circle of radius `r` (a fraction of the canvas) about its centre. */
function ring(box, r, steps) {
  return Array.from({ length: steps + 1 }, (_, k) => {
    const angle = (2 * Math.PI * k) / steps;
    return { x: box.x + box.width * (0.5 + r * Math.cos(angle)), y: box.y + box.height * (0.5 + r * Math.sin(angle)) };
  });
}

/** Trains `cell` to `steps` and pauses; returns sliced W2 before and after (the paused model's). */
async function trainedW2(cell, steps) {
  const shownBefore = await role(cell, "w2").textContent();
  await role(cell, "train").click();
  await waitForStep(cell, steps);
  await pause(cell);
  assert.notEqual(await role(cell, "w2").textContent(), shownBefore, "the paused model's sliced W2 is shown");
  return [Number(shownBefore), Number(await role(cell, "w2").textContent())];
}

test("a shape drawn by mouse and by touch trains two families, and its link restores the drawing", { timeout: 420_000 }, async () => {
  const page = await open("/?backend=cpu&family=flow_matching&dataset=moons&width=32");
  const lab = page.locator(".lab-cell").first();
  await built(lab);
  await lab.locator("details.own-data summary").click();
  await role(lab, "draw").click();
  assert.equal(await role(lab, "draw").getAttribute("aria-pressed"), "true");
  await role(lab, "draw-density").fill("20");
  const canvas = role(lab, "scatter");
  const box = await canvas.boundingBox();

  // The mouse draws a ring.
  const [start, ...rest] = ring(box, 0.3, 60);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (const p of rest) await page.mouse.move(p.x, p.y);
  await page.mouse.up();
  const byMouse = await drawn(lab);
  assert.ok(byMouse >= 600, `${byMouse} points from 61 mouse positions at density 20`);

  // A finger draws a blob in the middle (real touch events, which Chromium turns into pointer events).
  const touch = await page.context().newCDPSession(page);
  await touch.send("Emulation.setTouchEmulationEnabled", { enabled: true, maxTouchPoints: 1 });
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await touch.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [centre] });
  for (let k = 1; k <= 15; k++) {
    await touch.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x: centre.x + k, y: centre.y - k }] });
  }
  await touch.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  const byTouch = await drawn(lab);
  assert.ok(byTouch >= byMouse + 100, `touch added ${byTouch - byMouse} points`);

  // Undo takes the touch stroke back; erasing at the centre removes only points near it.
  await role(lab, "draw-undo").click();
  assert.equal(await drawn(lab), byMouse);
  await role(lab, "draw-tool").selectOption("erase");
  await page.mouse.click(start.x, start.y);
  const erased = await drawn(lab);
  // The eraser's disc (three spreads across) covers about a tenth of the ring.
  assert.ok(erased < byMouse && erased > 0.75 * byMouse, `the eraser left ${erased} of ${byMouse}`);

  await role(lab, "use-drawing").click();
  await role(lab, "message").filter({ hasText: `Training on your ${erased} drawn points` }).waitFor({ timeout: 60_000 });
  assert.equal(await role(lab, "draw").getAttribute("aria-pressed"), "false");
  assert.equal(await role(lab, "dataset").locator("option:checked").textContent(), `your ${erased} points`);
  const [before, after] = await trainedW2(lab, 400);
  assert.ok(after < 0.5 * before, `flow matching on the drawing: sliced W2 ${before} → ${after}`);

  // The link, opened in a fresh page (its own storage), brings back the same drawing.
  const link = page.url();
  assert.match(new URL(link).hash, /^#nb=/);
  const fresh = await env.browser.newPage({ viewport: { width: 1100, height: 1300 } });
  fresh.problems = [];
  fresh.on("pageerror", (error) => fresh.problems.push(error.message));
  await fresh.goto(link);
  await fresh.waitForSelector("body[data-ready]", { timeout: 120_000 });
  const again = fresh.locator(".lab-cell").first();
  await built(again);
  assert.equal(await role(again, "dataset").locator("option:checked").textContent(), `your ${erased} points`);
  assert.equal(new URL(fresh.url()).hash, new URL(link).hash, "the restored notebook mirrors the same link");
  await again.locator("details.own-data summary").click();
  await role(again, "draw").click();
  assert.equal(await drawn(again), erased);
  await role(again, "draw").click();

  // A second family learns the same drawing.
  await role(again, "family").selectOption("diffusion");
  await role(again, "message").filter({ hasText: /reset/ }).waitFor({ timeout: 60_000 });
  assert.equal(await role(again, "dataset").locator("option:checked").textContent(), `your ${erased} points`);
  const [ddpmBefore, ddpmAfter] = await trainedW2(again, 600);
  assert.ok(ddpmAfter < 0.7 * ddpmBefore, `DDPM on the drawing: sliced W2 ${ddpmBefore} → ${ddpmAfter}`);
  assert.deepEqual([...page.problems, ...fresh.problems], []);
  await fresh.close();
  await page.close();
});

test("a CSV file dropped on a lab trains; a malformed one chosen with the picker is refused naming its line", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=flow_matching&dataset=moons&width=32");
  const lab = page.locator(".lab-cell").first();
  await built(lab);
  const rows = Array.from({ length: 300 }, (_, k) => `${(100 + 20 * Math.cos(k)).toFixed(3)},${(-7 + 3 * Math.sin(k)).toFixed(3)}`);
  const transfer = await page.evaluateHandle((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], "ring.csv", { type: "text/csv" }));
    return data;
  }, `x,y\n${rows.join("\n")}`);
  await lab.dispatchEvent("dragover", { dataTransfer: transfer });
  await lab.dispatchEvent("drop", { dataTransfer: transfer });
  await role(lab, "message").filter({ hasText: "Training on the points of ring.csv" }).waitFor({ timeout: 60_000 });
  assert.equal(await role(lab, "dataset").locator("option:checked").textContent(), "your 300 points");
  const [before, after] = await trainedW2(lab, 300);
  assert.ok(after < 0.5 * before, `sliced W2 in the file's units: ${before} → ${after}`);

  await lab.locator("details.own-data summary").click();
  await role(lab, "points-file").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from("x,y\n1,2\n3,four\n") });
  await role(lab, "message").filter({ hasText: /line 3: `four` is not a number/ }).waitFor({ timeout: 60_000 });
  assert.equal(await role(lab, "dataset").locator("option:checked").textContent(), "your 300 points", "the lab keeps the dropped data");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the timeline replays earlier samples and panels while paused, and Save animation records a video", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=flow_matching&dataset=moons&width=32");
  const lab = page.locator(".lab-cell").first();
  await built(lab);
  const scatter = role(lab, "scatter");
  const w2Cell = role(lab, "divergences").locator('tr[data-id="sliced_w2"] td.value');
  const first = { samples: await scatter.getAttribute("data-samples-digest"), w2: await w2Cell.textContent() };
  assert.equal(await role(lab, "timeline").isDisabled(), true, "one evaluation: nothing to replay yet");
  const [, trained] = await trainedW2(lab, 300);
  const latest = { samples: await scatter.getAttribute("data-samples-digest"), w2: await w2Cell.textContent() };
  assert.notEqual(latest.samples, first.samples);
  const scrubber = role(lab, "timeline");
  assert.equal(await scrubber.isDisabled(), false);
  const frames = Number(await scrubber.getAttribute("max")) + 1;
  assert.ok(frames >= 2, `${frames} frames`);
  const scrubTo = (value) =>
    scrubber.evaluate((input, v) => {
      input.value = String(v);
      input.dispatchEvent(new Event("input"));
    }, value);
  await scrubTo(0);
  assert.equal(await scatter.getAttribute("data-samples-digest"), first.samples, "the step-0 samples again");
  assert.equal(await w2Cell.textContent(), first.w2, "the step-0 panel again");
  assert.match(await role(lab, "timeline-step").textContent(), new RegExp(`^step 0 \\(replay, 1 of ${frames}\\)$`));
  await scrubTo(frames - 1);
  assert.equal(await scatter.getAttribute("data-samples-digest"), latest.samples);
  assert.equal(await w2Cell.textContent(), latest.w2);
  // The table shows 4 decimals, the readout 3: the same value, rounded twice.
  assert.ok(Math.abs(Number(latest.w2) - trained) < 0.0006, `the table's latest sliced W2 ${latest.w2} is the readout's ${trained}`);

  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), role(lab, "save-animation").click()]);
  assert.equal(download.suggestedFilename(), "genlab-flow_matching-training.webm");
  const { size } = statSync(await download.path());
  assert.ok(size > 2000, `a ${size}-byte video`);
  await role(lab, "message").filter({ hasText: new RegExp(`Saved an animation of ${Math.min(frames, 90)} evaluations`) }).waitFor();
  assert.equal(await scatter.getAttribute("data-samples-digest"), latest.samples, "the latest samples shown after recording");
  assert.deepEqual(page.problems, []);
  await page.close();
});
