// The serve command end to end: `scripts/serve` (dist/ was just built by the test command, so it
// serves without rebuilding) answers on GENLAB_PORT with a page that starts with no console
// error (nothing injected that the page's Content-Security-Policy would block), cross-origin
// isolated, its worker on two threads.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { test } from "node:test";
import { env } from "./harness.mjs";

const root = resolve(import.meta.dirname, "../..");

/** A TCP port nothing listens on now. */
const freePort = () =>
  new Promise((done) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });

/** Resolves once `url` answers 200, polling; rejects after `timeout` ms or if `child` exits. */
async function answered(url, child, log, timeout) {
  const started = Date.now();
  while (Date.now() - started < timeout) {
    if (child.exitCode !== null) throw new Error(`scripts/serve exited with ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`scripts/serve did not answer within ${timeout} ms:\n${log()}`);
}

test("scripts/serve serves the page, which starts with no console error, isolated and on two threads", { timeout: 600_000 }, async () => {
  const port = await freePort();
  const child = spawn("bash", ["scripts/serve"], {
    cwd: root,
    env: { ...process.env, GENLAB_PORT: String(port) },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  try {
    const origin = `http://127.0.0.1:${port}`;
    await answered(`${origin}/`, child, () => output, 540_000);
    assert.match(output, /not rebuilding/, "the fresh dist/ is served as built");
    const page = await env.browser.newPage();
    const problems = [];
    page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${origin}/?family=flow_matching&backend=cpu&width=16`);
    await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
    assert.equal(await page.getAttribute("body", "data-ready"), "true", await page.locator("#message").textContent());
    assert.equal(await page.locator("script:not([src])").count(), 0, "no inline script");
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, "COOP/COEP make the page cross-origin isolated");
    assert.match(await page.locator("#backend-badge").textContent(), / · 2 threads\)$/);
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    process.kill(-child.pid, "SIGTERM");
  }
});
