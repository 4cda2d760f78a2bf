// bench/threads.mjs's Web Worker: loads one module (the page's relaxed-SIMD module, or the
// threaded module with a pool of `threads`), then times the five shared workloads at GenLab's
// defaults with bench/steady.mjs's protocol and posts their steady rates.
import { PROTOCOL, steadyRates } from "./steady.mjs";

const WORKLOADS = { FlowMatching: 10, Diffusion: 10, Vae: 10, Gan: 5, RealNvp: 10 };

onmessage = async ({ data: { glue, wasm, threads } }) => {
  try {
    const genlab = await import(glue);
    await genlab.default({ module_or_path: wasm });
    if (threads > 0) await genlab.initThreadPool(threads);
    await genlab.initBackend("cpu");
    const labs = {};
    for (const name of Object.keys(WORKLOADS)) labs[name] = await genlab[name].create({});
    const subjects = Object.entries(WORKLOADS).map(([name, slice]) => ({ name, slice, train: (n) => labs[name].train(n) }));
    const rates = await steadyRates(subjects, PROTOCOL);
    for (const lab of Object.values(labs)) lab.free();
    postMessage({ rates, instructions: genlab.cpuInstructions() });
  } catch (error) {
    postMessage({ error: String(error?.stack ?? error) });
  }
};
