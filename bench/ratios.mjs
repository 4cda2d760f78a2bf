// GenLab's CPU path against PyTorch (one thread and all) and TensorFlow.js on the five shared
// workloads, in one run of a few minutes: PyTorch first, then GenLab, then TF.js, then PyTorch
// again (its two runs' windows pooled, so a drift of the machine falls on both sides), every
// rate steady (bench/steady.mjs). Meant for measuring one lever at a time (build, run, compare);
// `scripts/bench` covers the same in its full report. Needs `trunk build --release`, and what
// `scripts/bench` installs (PyTorch in ~/.cache/genlab/bench-venv, TF.js in bench/node_modules).
// Prints a Markdown section; asserts nothing.
import { execFileSync } from "node:child_process";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import { FAMILY_SLICES, PROTOCOL_TEXT, familiesInPage } from "./families.mjs";
import { closeBrowser, finish } from "./finish.mjs";
import { WORKLOADS, pooled, referenceTable } from "./steady.mjs";

const root = resolve(import.meta.dirname, "..");
const python = join(homedir(), ".cache", "genlab", "bench-venv", "bin", "python");
const torchRun = () => JSON.parse(execFileSync(python, [join(root, "bench", "torch_reference.py")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));

const torchBefore = torchRun();
const server = await serveDist(join(root, "dist"));
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const slices = Object.fromEntries(WORKLOADS.map(([, cls]) => [cls, FAMILY_SLICES[cls]]));
const cpu = await familiesInPage(browser, server, "cpu", slices, 900);
await closeBrowser(browser);
server.close();
const tfjs = JSON.parse(execFileSync("node", [join(root, "bench", "tfjs_reference.mjs")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
const torchAfter = torchRun();
const torch = { ...torchBefore };
for (const threads of ["one_thread", "all_threads"]) {
  torch[threads] = Object.fromEntries(WORKLOADS.map(([, , name]) => [name, pooled(torchBefore[threads]?.[name], torchAfter[threads]?.[name])]));
}

finish(`### GenLab against PyTorch and TensorFlow.js (${new Date().toISOString().slice(0, 10)}, \`node bench/ratios.mjs\`)

GenLab's defaults on 8 gaussians (batch 512, Adam) on its CPU path (the relaxed-SIMD module, one thread, headless
Chromium) against PyTorch ${torch.torch} natively (1 and ${torch.threads} threads; run before and after
GenLab, windows pooled) and TensorFlow.js in the same browser. ${PROTOCOL_TEXT}. A ratio is
GenLab / reference (above 1: GenLab is faster), the medians' ratio with the range its windows
allow in brackets.${cpu.error ? `\n\nGenLab's run failed: ${cpu.error}` : ""}

${referenceTable(cpu.error ? {} : cpu, torch, tfjs)}
`);
