// The image families alone, in one run: training steps/s and images/s on the CPU path and on
// WebGPU, with flow matching's 2-D CPU steps/s measured in the same run as the reference of the
// ratios. Prints a Markdown section; `scripts/bench` covers the same families in its full report.
// Run it alone on a built dist/ (`trunk build --release`). No figure is asserted.
import { resolve, join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, serveDist } from "../scripts/serve-dist.mjs";
import {
  FAMILY_SLICES, IMAGE_FAMILY_SLICES, IMAGE_SAMPLES, IMAGE_SAMPLING_COSTS, PROTOCOL_TEXT, WEBGPU_FAMILY_SECONDS,
  familiesInPage, familyRows,
} from "./families.mjs";
import { rateText } from "./steady.mjs";
import { closeBrowser } from "./finish.mjs";

const dist = join(resolve(import.meta.dirname, ".."), "dist");
const server = await serveDist(dist);
const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const reference = await familiesInPage(browser, server, "cpu", { FlowMatching: FAMILY_SLICES.FlowMatching }, 300);
const images = { cpu: await familiesInPage(browser, server, "cpu", IMAGE_FAMILY_SLICES, 1200, true), webgpu: {} };
for (const name of Object.keys(IMAGE_FAMILY_SLICES)) {
  const result = await familiesInPage(browser, server, "webgpu", { [name]: IMAGE_FAMILY_SLICES[name] }, WEBGPU_FAMILY_SECONDS, true);
  images.webgpu[name] = result.error ? result : result[name];
}
await closeBrowser(browser);
server.close();

const flowMatching = reference.FlowMatching?.stepRate;
console.log(`### Image families (8×8 digits), ${new Date().toISOString().slice(0, 10)}

Each image family at its default settings on the digits, batch 128: training steps/s
(${PROTOCOL_TEXT}; 3 steps on WebGPU after one) and images/s drawing a grid of ${IMAGE_SAMPLES}
(${IMAGE_SAMPLING_COSTS}). Ratios are to flow matching's 2-D CPU steps/s in the same run
(${rateText(flowMatching)}).

| family | CPU steps/s | ratio to flow matching (same run) | CPU images/s | WebGPU steps/s | WebGPU images/s |
|---|---|---|---|---|---|
${familyRows(images, flowMatching)}
`);
