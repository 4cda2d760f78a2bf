// The two wasm modules against each other (issue 22): the five shared workloads at GenLab's
// defaults, trained on the CPU path in a fresh page per module, in the order plain, relaxed,
// relaxed, plain, so a drift of the machine falls on both; each module's windows from its two
// pages pooled (bench/steady.mjs's protocol). "Relaxed" is the module Chromium gets: the same
// crate built with relaxed SIMD, whose matrix products use `f32x4.relaxed_madd`. Needs
// `trunk build --release`. Prints a Markdown section; `scripts/bench` includes it. Asserts nothing.
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { FAMILY_SLICES, PROTOCOL_TEXT, familiesInPage } from "./families.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { WORKLOADS, pooled, rateText, ratioText } from "./steady.mjs";

const root = resolve(import.meta.dirname, "..");
const server = await serveDist(join(root, "dist"));
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const slices = Object.fromEntries(WORKLOADS.map(([, cls]) => [cls, FAMILY_SLICES[cls]]));
const runs = { plain: [], relaxed: [] };
for (const module of ["plain", "relaxed", "relaxed", "plain"]) {
  const result = await familiesInPage(browser, server, "cpu", slices, 900, false, module);
  if (result.error) throw new Error(`the ${module} module's run failed: ${result.error}`);
  runs[module].push(result);
}
await closeBrowser(browser);
server.close();

const rate = (module, cls) => pooled(runs[module][0][cls].stepRate, runs[module][1][cls].stepRate);
const rows = WORKLOADS.map(([label, cls]) => {
  const [plain, relaxed] = [rate("plain", cls), rate("relaxed", cls)];
  return `| ${label} | ${rateText(plain)} | ${rateText(relaxed)} | ${ratioText(relaxed, plain)} |`;
});
finish(`### Fused multiply-add: the relaxed-SIMD module against the plain one (${new Date().toISOString().slice(0, 10)}, \`node bench/modules.mjs\`)

Steps/s on the CPU path at GenLab's defaults on 8 gaussians (batch 512, Adam), each module in two
fresh pages (order plain, relaxed, relaxed, plain; windows pooled). ${PROTOCOL_TEXT}. The ratio is
relaxed / plain, the medians' ratio with the range the windows allow.

| workload | plain module (mul + add) | relaxed module (relaxed_madd) | ratio |
|---|---|---|---|
${rows.join("\n")}
`);
