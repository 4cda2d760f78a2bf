// End-to-end checks that no work is lost: the notebook saved in the browser comes back when the
// page opens without a link (Reset to lesson forgets it; a corrupt save is reported and
// ignored), and a Rust panic, in the worker or on the main thread, is reported once while every
// built lab is rebuilt from its last weights snapshot and trains on; hiding the tab pauses
// training and showing it resumes; a trained lab survives a reload (its weights kept in IndexedDB).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { built, goto, open as openPage, pause, role, TOUR_LABS, waitForStep } from "./harness.mjs";

/** What a simulated panic prints on the console (the panic hook), which is expected there. */
const PANIC_OUTPUT = /simulated panic|panicked at|unreachable/;

/** A fresh page at `path`, the panic's own console output expected. */
const open = (path) => openPage(path, { ignore: PANIC_OUTPUT });


test("an edited notebook is saved in the browser and restored by the page opened without a link", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=gan&width=32&batch_size=128");
  const lab = page.locator(".lab-cell").first();
  await built(lab);
  await role(lab, "option-loss").selectOption("hinge");
  await role(lab, "message").filter({ hasText: /reset/ }).waitFor({ timeout: 60_000 });
  await page.locator("#add-text").click();
  const text = page.locator(".text-cell").last();
  await role(text, "edit").click();
  await role(text, "editor").fill("My own notes: $x^2$");
  await role(text, "edit").click();
  await page.waitForFunction(() => localStorage.getItem("genlab.notebook")?.includes("My own notes"), null, { timeout: 10_000 });
  const saved = await page.evaluate(() => localStorage.getItem("genlab.notebook"));
  const link = await page.evaluate(() => location.hash);
  assert.match(saved, /"loss":"hinge"/);

  await goto(page, "/");
  assert.match(await page.locator("#message").textContent(), /^Restored the notebook saved in this browser on .+\. Reset to lesson starts over\.$/);
  assert.equal(await page.evaluate(() => location.hash), link, "the same notebook, to the byte");
  assert.equal(await page.evaluate(() => localStorage.getItem("genlab.notebook")), saved);
  assert.equal(await page.locator(".lab-cell").count(), 1);
  assert.equal(await role(page.locator(".lab-cell").first(), "option-loss").inputValue(), "hinge");
  assert.match(await page.locator(".text-cell").last().textContent(), /My own notes/);

  page.once("dialog", (dialog) => void dialog.accept());
  await page.locator("#reset-lesson").click();
  await page.waitForFunction((labs) => document.querySelectorAll(".lab-cell").length === labs, TOUR_LABS);
  assert.equal(await page.evaluate(() => localStorage.getItem("genlab.notebook")), null, "Reset to lesson forgets the save");
  await goto(page, "/");
  assert.equal(await page.locator(".lab-cell").count(), TOUR_LABS, "the tour opens");
  assert.doesNotMatch(await page.locator("#message").textContent(), /Restored/);

  await page.evaluate(() => localStorage.setItem("genlab.notebook", JSON.stringify({ version: 1, cells: { kind: "text" } })));
  await goto(page, "/");
  assert.match(await page.locator("#message").textContent(), /was not restored \(cells: must be an array\); the lesson opens instead/);
  assert.equal(await page.locator(".lab-cell").count(), TOUR_LABS);
  assert.deepEqual(page.problems, []);
  await page.close();
});

// The crash happens where labs train: on a thread of the threaded worker's pool (the page is
// isolated), in a one-thread worker, and on the main thread. On a pool thread the worker the page
// talks to is blocked waiting for the pool: a panic's message reaches the page only through the
// engine's channel, which the message shows, and the abort that follows (a `RuntimeError:
// unreachable` in the pool thread's Web Worker) is caught by the patched rayon helper and posted
// there too, so the page reports no uncaught error (unpatched, Chromium reports it as the page's).
// A bare trap on a pool thread (no panic, so no hook and no message of Rust's) reaches the page
// only through that helper's post: without it the page would wait for the worker for good.
for (const [kind, where, query, engine, threads] of [
  ["panic", "on a thread of the worker's pool", "", "worker", "2"],
  ["trap", "on a thread of the worker's pool", "", "worker", "2"],
  ["panic", "in a one-thread worker", "&threads=off", "worker", "1"],
  ["panic", "on the main thread", "&worker=0", "main", "1"],
]) {
  test(`a ${kind} ${where} is said once; the lab is rebuilt from its snapshot and trains on`, { timeout: 300_000 }, async () => {
    const page = await open(`/?backend=cpu&family=vae&width=32&batch_size=128${query}`);
    assert.equal(await page.getAttribute("#engine-badge", "data-engine"), engine);
    assert.equal(await page.getAttribute("#backend-badge", "data-threads"), threads);
    const lab = page.locator(".lab-cell").first();
    await built(lab);
    const link = await page.evaluate(() => location.hash);
    await role(lab, "train").click();
    await waitForStep(lab, 30);
    await page.waitForFunction(() => Number(document.querySelector(".lab-cell")?.dataset.snapshotStep) > 0, null, { timeout: 60_000 });

    await page.evaluate((detail) => window.dispatchEvent(new CustomEvent("genlab:simulate-crash", { detail })), kind);
    await page.locator("#message").filter({ hasText: /and was restarted/ }).waitFor({ timeout: 120_000 });
    const snapshot = await lab.getAttribute("data-snapshot-step");
    assert.ok(Number(snapshot) > 0, `snapshot of step ${snapshot}`);
    const message = await page.locator("#message").textContent();
    assert.match(message, /^GenLab's engine crashed \(.+\) and was restarted\. Every lab was rebuilt from its last snapshot and is paused: /);
    assert.match(message, new RegExp(`VAE \\(lab 1\\) continues from step ${snapshot}\\.$`));
    if (threads === "2" && kind === "panic") assert.match(message, /\(panicked at .+: simulated panic: /, "the pool thread's panic, told on the channel");
    if (threads === "2" && kind === "trap") assert.match(message, /\(a thread of the pool stopped: RuntimeError: unreachable/, "the pool thread's trap, told on the channel by the rayon helper");
    const said = (await page.locator("body").innerText()).split("GenLab's engine crashed").length - 1;
    assert.equal(said, 1, "the crash is said once");
    assert.equal(await role(lab, "step").textContent(), snapshot, "the lab is back at its snapshot's step");
    assert.match(await role(lab, "message").textContent(), new RegExp(`continues from step ${snapshot} `));
    assert.equal(await role(lab, "train").textContent(), "Train", "paused");
    assert.equal(await page.getAttribute("#engine-badge", "data-engine"), engine, "a fresh engine of the same kind");
    assert.equal(await page.getAttribute("#backend-badge", "data-threads"), threads, "on as many threads");
    assert.equal(await page.evaluate(() => location.hash), link, "the notebook's settings are unchanged");

    await role(lab, "train").click();
    await waitForStep(lab, Number(snapshot) + 30);
    await role(lab, "train").click();
    assert.ok(Number.isFinite(Number(await role(lab, "loss").textContent())), "it trains on");
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test("a lost GPU device moves the lab to the CPU from its snapshot, and it trains on", { timeout: 600_000 }, async () => {
  const page = await open("/?backend=webgpu&family=flow_matching&width=16&depth=1&batch_size=64");
  assert.equal(await page.getAttribute("#backend-badge", "data-backend"), "webgpu");
  const lab = page.locator(".lab-cell").first();
  await built(lab);
  await role(lab, "train").click();
  await waitForStep(lab, 5);
  await page.waitForFunction(() => Number(document.querySelector(".lab-cell")?.dataset.snapshotStep) > 0, null, { timeout: 300_000 });

  await page.evaluate(() => window.dispatchEvent(new CustomEvent("genlab:simulate-device-loss")));
  await page.locator("#message").filter({ hasText: /The GPU failed/ }).waitFor({ timeout: 300_000 });
  const snapshot = await lab.getAttribute("data-snapshot-step");
  assert.match(await page.locator("#message").textContent(), /labs now run on the CPU backend\. .+ continues from step \d+\.$/);
  assert.equal(await page.getAttribute("#backend-badge", "data-backend"), "cpu", "the page says it runs on the CPU");

  const train = role(lab, "train");
  if ((await train.textContent()) === "Train") await train.click();
  await waitForStep(lab, Number(snapshot) + 30);
  assert.ok(Number.isFinite(Number(await role(lab, "loss").textContent())), "it trains on");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a loss that overflows pauses the lab, names what diverged and restores the last finite weights", { timeout: 300_000 }, async () => {
  // A VAE at learning rate 1 overflows its variances within its first steps (natively: by step
  // 5 for seeds 0, 1 and 2). Points in any units no longer can: the models train standardised.
  const page = await open("/?backend=cpu&family=vae&learning_rate=1");
  const lab = page.locator(".lab-cell").first();
  await built(lab);
  await role(lab, "train").click();
  const message = role(lab, "message").filter({ hasText: /became NaN or infinite/ });
  await message.waitFor({ timeout: 120_000 });
  // The page's first slice is one step, so the last finite weights are those of step 0 or 1.
  const said = (await message.textContent()).match(
    /loss became NaN or infinite by step (\d+); training paused and the weights of step (\d+) were restored\. Try a smaller learning_rate\./,
  );
  assert.ok(said !== null, await message.textContent());
  const [, failed, restored] = said.map(Number);
  assert.ok(restored < failed && restored <= 1, `restored step ${restored}, failed at ${failed}`);
  assert.equal(await role(lab, "train").textContent(), "Train", "paused");
  assert.equal(await role(lab, "step").textContent(), String(restored), "back on the last finite weights' step");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("points in their own units train, the Dataset menu names them, and choosing the set again restores it", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=flow_matching&dataset=moons&width=32");
  const lab = page.locator(".lab-cell").first();
  await built(lab);
  // A banana in "user units": ×15 and shifted by (+40, −25).
  const rows = Array.from({ length: 200 }, (_, k) => {
    const t = -1.5 + (3 * k) / 199;
    const wobble = 0.15 * Math.sin(7 * k);
    return `${(40 + 15 * t).toFixed(3)},${(-25 + 15 * (t * t - 1 + wobble)).toFixed(3)}`;
  });
  await lab.locator("details.own-data summary").click();
  await role(lab, "points-csv").fill(`x,y\n${rows.join("\n")}`);
  await role(lab, "use-points").click();
  await role(lab, "message").filter({ hasText: /Training on your points/ }).waitFor({ timeout: 60_000 });
  const chooser = role(lab, "dataset");
  assert.equal(await chooser.inputValue(), "custom");
  assert.equal(await chooser.locator("option:checked").textContent(), "your 200 points");
  const shownBefore = await role(lab, "w2").textContent();
  const before = Number(shownBefore);
  await role(lab, "train").click();
  await waitForStep(lab, 400);
  // Pausing evaluates the paused model (however few evaluations ran while it trained).
  await pause(lab);
  assert.notEqual(await role(lab, "w2").textContent(), shownBefore, "the paused model's sliced W2 is shown");
  const after = Number(await role(lab, "w2").textContent());
  assert.ok(after < 0.5 * before, `sliced W2 in the data's units: ${before} → ${after}`);

  await chooser.selectOption("moons");
  await role(lab, "message").filter({ hasText: /Back to moons: the model was reset/ }).waitFor({ timeout: 60_000 });
  assert.equal(await chooser.inputValue(), "moons");
  assert.equal(await chooser.locator(`option[value="custom"]`).count(), 0, "the entry for your points is gone");
  assert.deepEqual(page.problems, []);
  await page.close();
});

/** Makes the page believe its tab is `state` ("hidden" or "visible") and tells it so. */
async function setVisibility(page, state) {
  await page.evaluate((value) => {
    Object.defineProperty(document, "visibilityState", { value, configurable: true });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }, state);
}

test("hiding the tab pauses training, losing nothing, and showing it resumes", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=flow_matching");
  const cell = page.locator(".lab-cell").first();
  await built(cell);
  await role(cell, "train").click();
  await waitForStep(cell, 20);
  await setVisibility(page, "hidden");
  await page.locator("#message").filter({ hasText: /paused while the tab is hidden/ }).waitFor({ timeout: 10_000 });
  assert.equal(await role(cell, "train").textContent(), "Train");
  await page.waitForTimeout(1500); // a slice already sent still finishes
  const paused = Number(await role(cell, "step").textContent());
  await page.waitForTimeout(1500);
  assert.equal(Number(await role(cell, "step").textContent()), paused, "no step while hidden");
  await setVisibility(page, "visible");
  await page.locator("#message").filter({ hasText: /training resumed/ }).waitFor({ timeout: 10_000 });
  assert.equal(await role(cell, "train").textContent(), "Pause");
  await waitForStep(cell, paused + 20);
  assert.deepEqual(page.problems, []);
  await page.close();
});

/** The steps of the weights entries this page's origin keeps in IndexedDB. */
const keptSteps = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const opening = indexedDB.open("genlab", 1);
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const request = opening.result.transaction("weights").objectStore("weights").getAll();
          request.onsuccess = () => resolve(request.result.map((entry) => entry.step));
          request.onerror = () => reject(request.error);
        };
      }),
  );

test("a trained lab survives a reload: back at its step, paused, with identical samples; Reset to lesson forgets it", { timeout: 300_000 }, async () => {
  const page = await open("/?backend=cpu&family=flow_matching&dataset=moons&width=32");
  const cell = page.locator(".lab-cell").first();
  await built(cell);
  await role(cell, "train").click();
  await waitForStep(cell, 300);
  const shownBefore = await role(cell, "w2").textContent();
  await pause(cell);
  assert.notEqual(await role(cell, "w2").textContent(), shownBefore, "the paused model's sliced W2 is shown");
  const step = Number(await role(cell, "step").textContent());
  // The paused model's snapshot is written to IndexedDB.
  await page.waitForFunction((n) => document.querySelector(".lab-cell")?.dataset.snapshotStep === String(n), step, { timeout: 30_000 });
  for (let tries = 0; !(await keptSteps(page)).includes(step); tries++) {
    assert.ok(tries < 100, `no weights of step ${step} kept: ${await keptSteps(page)}`);
    await page.waitForTimeout(100);
  }
  const samples = await role(cell, "scatter").getAttribute("data-samples-digest");

  await page.reload();
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  const again = page.locator(".lab-cell").first();
  await role(again, "message").filter({ hasText: `Restored from this browser: the model as trained to step ${step}, paused` }).waitFor({ timeout: 120_000 });
  assert.equal(await role(again, "step").textContent(), String(step));
  assert.equal(await role(again, "train").textContent(), "Train");
  assert.equal(await role(again, "scatter").getAttribute("data-samples-digest"), samples, "the same model samples after the reload");

  page.once("dialog", (dialog) => void dialog.accept());
  await page.locator("#reset-lesson").click();
  for (let tries = 0; (await keptSteps(page)).includes(step); tries++) {
    assert.ok(tries < 100, "Reset to lesson left the kept weights");
    await page.waitForTimeout(100);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});
