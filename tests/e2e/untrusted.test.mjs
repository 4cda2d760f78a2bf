// End-to-end checks of untrusted notebooks: a corpus of hostile Markdown and settings runs nothing
// and is reported by field; Markdown cannot reach, shadow, duplicate or imitate the page's own
// elements (DOM clobbering); a 50 MB notebook file is refused by its size without freezing the
// page; broken links open the lesson with a reason; and a notebook exported, imported and
// mirrored through the link comes back identical.
import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { deflateRawSync } from "node:zlib";
import { env, goto, output, role, TOUR_LABS } from "./harness.mjs";

/** A fresh page that records page errors and dialogs; resolves once the notebook at `path` is ready. */
async function open(path) {
  const page = await env.browser.newPage({ viewport: { width: 1100, height: 1300 }, acceptDownloads: true });
  page.problems = [];
  page.on("pageerror", (error) => page.problems.push(error.message));
  page.on("dialog", (dialog) => {
    page.problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await goto(page, path);
  return page;
}

/** The fragment of a notebook, built independently of the page's code: JSON, raw deflate, base64url. */
const fragment = (notebook) => `#nb=${deflateRawSync(Buffer.from(JSON.stringify(notebook))).toString("base64url")}`;

/** Resolves once the page has drawn two more frames (it is not frozen). */
const frames = (page) => page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true)))));

/** Markdown that would run script if any of it reached the DOM unsanitised. */
const HOSTILE_TEXTS = [
  "<script>window.__pwned = 'script'</script>",
  '<img src=x onerror="window.__pwned = \'img\'">',
  "[a javascript: link](javascript:window.__pwned='markdown-link') and <a href=\"javascript:window.__pwned='a'\">another</a>",
  "<svg><script>window.__pwned = 'svg-script'</script></svg>",
  '<svg onload="window.__pwned = \'svg-onload\'"><circle r="4"></circle></svg>',
  '<iframe srcdoc="<script>parent.__pwned = \'srcdoc\'</script>"></iframe>',
  '<object data="javascript:window.__pwned=\'object\'"></object><embed src="javascript:window.__pwned=\'embed\'">',
  "Math with a link: $\\href{javascript:window.__pwned='katex'}{x}$",
];

test("a corpus of hostile notebook content runs nothing, is reported by field, and the page still trains", { timeout: 300_000 }, async () => {
  const deep = JSON.parse(`${"[".repeat(500)}${"]".repeat(500)}`);
  const notebook = {
    version: 1,
    backend: "cpu",
    cells: [
      { kind: "lab", settings: { family: "vae", width: "32", batch_size: "128", learning_rate: 1e308 } },
      ...HOSTILE_TEXTS.map((text) => ({ kind: "text", text })),
      { kind: "lab", settings: { family: "gan", width: -1e308, seed: "1e400", depth: "NaN", components: deep } },
      { kind: "lab", settings: { family: "made", "<img src=x onerror=alert(1)>": 1 }, hide: ["<script>"] },
      { kind: "<script>alert(1)</script>" },
    ],
  };
  const page = await open(`/${fragment(notebook)}`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const rendered = page.locator(".text-cell [data-role=rendered]");
  assert.equal(await rendered.count(), HOSTILE_TEXTS.length);
  assert.equal(await rendered.locator("script, iframe, object, embed, [onerror], [onload], [srcdoc]").count(), 0);
  assert.equal(await rendered.locator('[href^="javascript"], [src^="javascript"], [data^="javascript"]').count(), 0);
  const message = await page.locator("#message").textContent();
  for (const expected of [
    "cell 1: learning_rate: must be between",
    "cell 10: width: must be between",
    'cell 10: seed: must be a number, got "1e400"',
    'cell 10: depth: must be a number, got "NaN"',
    "cell 10: components: must be a string or a number",
    'cell 11: settings: unknown field "<img src=x onerror=alert(1)>" ignored',
    "cell 11: hide: must name only",
    'cell 12: kind must be "text" or "lab"',
  ]) {
    assert.ok(message.includes(expected), `${expected} in: ${message}`);
  }
  const lab = page.locator(".lab-cell").first();
  await role(lab, "w2").filter({ hasText: /\d/ }).waitFor({ timeout: 120_000 });
  await role(lab, "train").click();
  await role(lab, "step").filter({ hasText: /^([1-9]\d+)$/ }).waitFor({ timeout: 120_000 });

  const huge = join(output, "e2e-50mb-notebook.json");
  writeFileSync(huge, `{"version":1,"cells":[{"kind":"text","text":"${"x".repeat(50 * 1024 * 1024)}"}]}`);
  const started = Date.now();
  await page.locator("#import-json").setInputFiles(huge);
  await page.locator("#message").filter({ hasText: /was not imported/ }).waitFor({ timeout: 30_000 });
  assert.match(await page.locator("#message").textContent(), /^e2e-50mb-notebook\.json was not imported: it is \d+ bytes, and a notebook file holds at most 1048576 bytes \(1 MB\)\.$/);
  await frames(page);
  assert.ok(Date.now() - started < 15_000, "refused at once, without reading the file");
  const before = Number(await role(lab, "step").textContent());
  await page.waitForFunction((n) => Number(document.querySelector('.lab-cell [data-role="step"]')?.textContent) > n, before, { timeout: 60_000 });
  await role(lab, "train").click();
  assert.equal(await page.locator(".cell").count(), notebook.cells.length - 1, "the notebook is unchanged");
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(page.problems, []);
  await page.close();
});

/**
 * Markdown that tries to reach, shadow, duplicate or imitate the page's own elements: templates
 * with the ids the page clones cells from (placed before the real ones in document order), the
 * page's ids and names, its data-roles and classes, references to its ids, inert containers.
 */
const CLOBBERING_TEXTS = [
  '<template id="lab-cell"><section class="lab-cell"><p>a lab with no tools</p></section></template>',
  '<template id="text-cell"><section class="text-cell">hijacked</section></template>',
  '<template id="cell-frame"><div class="cell"><a href="https://example.com/sign-in">Session expired, sign in</a></div></template>',
  '<p id="message" class="message">Session expired: sign in again</p><span id="backend-badge" class="badge webgpu">WebGPU · fake</span>',
  '<a name="cells" id="cells">cells</a><img name="getElementById" src="data:,"><img id="body" name="body" src="data:,"><a name="querySelector">q</a>',
  '<div class="cell-tools" data-role="rendered" data-action="delete"><a data-action="delete" class="cell">✕</a></div><label for="backend">Backend</label>',
  '<noscript><p id="add-lab">x</p></noscript><slot name="cells"></slot><dialog open id="embed">Your session expired</dialog>',
  '<svg><a id="engine-badge"><text>in a worker</text></a></svg><math><mi id="lesson-link">x</mi></math><p aria-describedby="message" popover>spoof</p>',
];

test("Markdown cannot reach, shadow, duplicate or imitate the page's own elements", { timeout: 300_000 }, async () => {
  const notebook = {
    version: 1,
    backend: "cpu",
    cells: [
      ...CLOBBERING_TEXTS.map((text) => ({ kind: "text", text })),
      { kind: "lab", settings: { family: "flow_matching", width: "32" } },
      { kind: "text", text: "An ordinary cell after them." },
    ],
  };
  const page = await open(`/${fragment(notebook)}`);
  const report = await page.evaluate(() => {
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    const user = [...document.querySelectorAll(".markdown *")];
    const spoofed = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      if (/session expired|sign in|hijacked|no tools|WebGPU · fake/i.test(node.textContent) && node.parentElement?.closest(".markdown") === null) {
        spoofed.push(node.textContent);
      }
    }
    return {
      duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
      foreignNames: user.flatMap((e) => ["id", "name"].map((a) => e.getAttribute(a)).filter((v) => v !== null && !v.startsWith("user-content-"))),
      forbidden: user.filter((e) => e.matches("template, noscript, slot, dialog, [data-role], [data-action], [for], [popover], [aria-describedby], .cell, .cell-tools, .message, .badge")).map((e) => e.outerHTML),
      spoofed,
      templates: ["cell-frame", "text-cell", "lab-cell"].map((id) => document.getElementById(id) instanceof HTMLTemplateElement),
      getElementById: typeof document.getElementById,
      tools: [...document.querySelectorAll("#cells > .cell")].map((cell) => cell.querySelectorAll(":scope > .cell-tools button").length),
    };
  });
  assert.deepEqual(report.duplicateIds, []);
  assert.deepEqual(report.foreignNames, []);
  assert.deepEqual(report.forbidden, []);
  assert.deepEqual(report.spoofed, []);
  assert.deepEqual(report.templates, [true, true, true]);
  assert.equal(report.getElementById, "function");
  assert.deepEqual(report.tools, [...CLOBBERING_TEXTS.map(() => 4), 5, 4], "every cell has its own tools");
  assert.equal(await page.locator(".text-cell").count(), CLOBBERING_TEXTS.length + 1);
  assert.match(await page.locator("#backend-badge").textContent(), /^CPU/);
  assert.doesNotMatch(await page.locator("#message").textContent(), /session|sign in/i);

  // The tools act on their own cell: the last text moves above the lab.
  const last = page.locator("#cells > .cell").last();
  await last.locator('.cell-tools [data-action="up"]').click();
  assert.equal(await page.locator("#cells > .cell").nth(CLOBBERING_TEXTS.length).locator(".text-cell").count(), 1);
  const lab = page.locator(".lab-cell").first();
  await role(lab, "train").click();
  await role(lab, "step").filter({ hasText: /^[1-9]\d*$/ }).waitFor({ timeout: 120_000 });
  await role(lab, "train").click();
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("truncated or garbled links open the lesson and say why", { timeout: 180_000 }, async () => {
  const whole = fragment({ version: 1, backend: "cpu", cells: [{ kind: "text", text: "hello ".repeat(50) }] });
  for (const broken of [whole.slice(0, Math.floor(whole.length / 2)), "#nb=@@@!!", `${whole.slice(0, 12)}%%${whole.slice(14)}`]) {
    const page = await open(`/${broken}`);
    assert.match(await page.locator("#message").textContent(), /the link's notebook cannot be read|not valid JSON/, broken);
    assert.equal(await page.locator(".lab-cell").count(), TOUR_LABS, "the tour opens instead");
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});

test("a notebook exported, imported and mirrored through its link comes back identical", { timeout: 300_000 }, async () => {
  const notebook = {
    version: 1,
    backend: "cpu",
    cells: [
      { kind: "text", text: "# My experiment\n\nDiffusion sampled with DDIM, $\\eta = 0.5$." },
      { kind: "lab", settings: { family: "diffusion", dataset: "moons", seed: "42", width: "48", sampler: "ddim", ddim_steps: "12", eta: "0.5" }, hide: ["reset", "exports"] },
      { kind: "text", text: "A GAN with the hinge loss and **two** discriminator steps:" },
      { kind: "lab", settings: { family: "gan", dataset: "rings", learning_rate: "0.0005", loss: "hinge", d_steps: "2" } },
      { kind: "lab", settings: { family: "pixel_cnn", channels: "16", layers: "3" } },
    ],
  };
  const exported = async (page) => {
    const download = page.waitForEvent("download");
    await page.locator("#export-json").click();
    return readFileSync(await (await download).path(), "utf8");
  };

  const first = await open(`/${fragment(notebook)}`);
  const json = await exported(first);
  assert.deepEqual(JSON.parse(json), notebook, "the export is the notebook");
  const file = join(output, "e2e-notebook.json");
  writeFileSync(file, json);
  await first.close();

  const imported = await open("/?backend=cpu&family=vae&width=16");
  await imported.locator("#import-json").setInputFiles(file);
  await imported.locator("#message").filter({ hasText: /^Imported e2e-notebook\.json\.$/ }).waitFor({ timeout: 60_000 });
  assert.equal(await exported(imported), json, "file → page → file");
  await imported.waitForFunction(() => location.hash.startsWith("#nb="));
  const link = await imported.evaluate(() => location.hash);
  assert.deepEqual(imported.problems, []);
  await imported.close();

  const mirrored = await open(`/${link}`);
  assert.equal(await mirrored.evaluate(() => location.hash), link, "link → page → link");
  assert.equal(await exported(mirrored), json, "link → page → file");
  assert.equal(await mirrored.locator('.lab-cell [data-control="reset"]').first().isVisible(), false, "hidden controls survive");
  assert.deepEqual(mirrored.problems, []);
  await mirrored.close();
});
