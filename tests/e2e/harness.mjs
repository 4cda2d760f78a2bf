// The set-up every end-to-end test file shares: dist/ served on 127.0.0.1 and one headless
// Chromium (Debian's, driven by playwright-core), started before the file's tests and closed
// after them. Importing this module registers both hooks.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before } from "node:test";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../../bench/serve-dist.mjs";

const root = resolve(import.meta.dirname, "../..");

/** Where screenshots and downloads go. */
export const output = join(root, "test-output");

/** The browser and the page's origin, set before the tests run. */
export const env = { browser: null, origin: "" };

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
