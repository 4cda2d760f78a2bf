// Two builds of the page against each other, for a lever's same-run before/after ratio (the levers
// table in bench/levers.md): `node bench/builds.mjs BEFORE_DIST AFTER_DIST [ROUNDS]` trains the
// five shared workloads at GenLab's defaults on the CPU path, each build in a fresh page, in the
// order before, after, after, before (repeated ROUNDS times, default 1), so a drift of the
// machine falls on both; each build's windows from its pages pooled (bench/steady.mjs's
// protocol). Both builds run the module Chromium gets (relaxed SIMD); `MODULE=plain` times the
// plain one. Prints a Markdown table. Asserts nothing.
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { FAMILY_SLICES, PROTOCOL_TEXT, familiesInPage } from "./families.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { WORKLOADS, pooled, rateText, ratioText } from "./steady.mjs";

const [beforeDist, afterDist, roundsText = "1"] = process.argv.slice(2);
if (!beforeDist || !afterDist) throw new Error("usage: node bench/builds.mjs BEFORE_DIST AFTER_DIST [ROUNDS]");
const module = process.env.MODULE ?? "relaxed";
const servers = { before: await serveDist(resolve(beforeDist)), after: await serveDist(resolve(afterDist)) };
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const slices = Object.fromEntries(WORKLOADS.map(([, cls]) => [cls, FAMILY_SLICES[cls]]));
const runs = { before: [], after: [] };
for (let round = 0; round < Number(roundsText); round++) {
  for (const build of ["before", "after", "after", "before"]) {
    const result = await familiesInPage(browser, servers[build], "cpu", slices, 900, false, module);
    if (result.error) throw new Error(`the ${build} build's run failed: ${result.error}`);
    runs[build].push(result);
  }
}
await closeBrowser(browser);
Object.values(servers).forEach((server) => server.close());

const rate = (build, cls) => pooled(...runs[build].map((run) => run[cls].stepRate));
const rows = WORKLOADS.map(([label, cls]) => {
  const [before, after] = [rate("before", cls), rate("after", cls)];
  return `| ${label} | ${rateText(before)} | ${rateText(after)} | ${ratioText(after, before)} |`;
});
finish(`### ${beforeDist} against ${afterDist} (${new Date().toISOString().slice(0, 10)}, \`node bench/builds.mjs\`, ${module} module)

Steps/s on the CPU path at GenLab's defaults on 8 gaussians (batch 512, Adam), each build in
${2 * Number(roundsText)} fresh pages (order before, after, after, before; windows pooled). ${PROTOCOL_TEXT}. The ratio
is after / before, the medians' ratio with the range the windows allow.

| workload | before | after | ratio |
|---|---|---|---|
${rows.join("\n")}
`);
