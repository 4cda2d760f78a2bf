// The timing protocol of every training-rate figure in BENCHMARKS.md, GenLab's and its
// references' alike (bench/torch_reference.py implements the same in Python):
// - a window trains whole slices until at least `windowSeconds` have passed; its rate is
//   steps / elapsed;
// - each subject warms up until two consecutive windows agree within `tolerance`, and for at
//   least `minWarmupSeconds` (V8 tiers wasm code up over the first seconds); one that never
//   settles within `maxWarmupSeconds` is timed anyway and reported as unsettled;
// - then `rounds` timed windows per subject, the subjects in alternating order (forward, then
//   backward, …), so a drift of the machine's speed falls on all of them alike;
// - a figure is the median of its windows, reported with their range.

/** The protocol's settings (see the top of this file). */
export const PROTOCOL = { windowSeconds: 1, tolerance: 0.05, minWarmupSeconds: 3, maxWarmupSeconds: 60, rounds: 3 };

/**
 * Runs in a page (installed with `installSteadyRates`): the steady rates of `subjects`, each
 * `{ name, slice, train }` where `train(n)` runs n steps and resolves when they are done.
 * Resolves to `{ [name]: { median, min, max, windows, warmupSeconds, settled } }` in steps/s.
 */
export async function steadyRates(subjects, protocol) {
  const now = () => performance.now() / 1000;
  const window = async ({ slice, train }) => {
    const start = now();
    let steps = 0;
    do {
      await train(slice);
      steps += slice;
    } while (now() - start < protocol.windowSeconds);
    return steps / (now() - start);
  };
  const results = {};
  for (const subject of subjects) {
    const start = now();
    let previous = await window(subject);
    let settled = false;
    while (now() - start < protocol.maxWarmupSeconds) {
      const rate = await window(subject);
      settled = now() - start >= protocol.minWarmupSeconds && Math.abs(rate - previous) <= protocol.tolerance * previous;
      if (settled) break;
      previous = rate;
    }
    results[subject.name] = { windows: [], warmupSeconds: now() - start, settled };
  }
  for (let round = 0; round < protocol.rounds; round++) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) results[subject.name].windows.push(await window(subject));
  }
  for (const result of Object.values(results)) {
    const sorted = [...result.windows].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    result.median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    result.min = sorted[0];
    result.max = sorted.at(-1);
  }
  return results;
}

/** Makes `steadyRates` callable in `page` as `globalThis.steadyRates`. */
export function installSteadyRates(page) {
  return page.evaluate(`globalThis.steadyRates = ${steadyRates.toString()}; undefined`);
}

/** A steady rate as text: the median and, in brackets, the range of its windows. */
export function rateText(rate, digits = 1) {
  if (!rate || typeof rate.median !== "number") return "–";
  const unsettled = rate.settled === false ? ", unsettled" : "";
  return `${rate.median.toFixed(digits)} (${rate.min.toFixed(digits)}–${rate.max.toFixed(digits)}${unsettled})`;
}

/** The five workloads GenLab shares with its references: label, GenLab class, reference name. */
export const WORKLOADS = [
  ["flow matching", "FlowMatching", "flow_matching"],
  ["DDPM", "Diffusion", "diffusion"],
  ["VAE", "Vae", "vae"],
  ["GAN", "Gan", "gan"],
  ["RealNVP", "RealNvp", "real_nvp"],
];

/**
 * The table of GenLab's CPU path (`cpu`: GenLab class → family result with `stepRate`) against
 * PyTorch (bench/torch_reference.py's JSON) and TensorFlow.js (bench/tfjs_reference.mjs's),
 * steady rates with their ranges and ratios, as Markdown.
 */
export function referenceTable(cpu, torch, tfjs) {
  const rows = WORKLOADS.map(([label, cls, name]) => {
    const ours = cpu[cls]?.stepRate;
    const theirs = [torch.one_thread?.[name], torch.all_threads?.[name], tfjs.cpu?.[name], tfjs.wasm?.[name]];
    return `| ${label} | ${rateText(ours)} | ${theirs.map((t) => `${rateText(t)} | ${ratioText(ours, t)}`).join(" | ")} |`;
  });
  return [
    `| workload | GenLab CPU path | PyTorch 1 thread | ratio | PyTorch ${torch.threads ?? "all"} threads | ratio | TF.js cpu | ratio | TF.js wasm | ratio |`,
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** Several runs' steady rates of one workload as one: their windows pooled. */
export function pooled(...rates) {
  const present = rates.filter(Boolean);
  if (present.length < 2) return present[0];
  const windows = present.flatMap((rate) => rate.windows).sort((x, y) => x - y);
  const middle = windows.length >> 1;
  const median = windows.length % 2 === 1 ? windows[middle] : (windows[middle - 1] + windows[middle]) / 2;
  return { windows, median, min: windows[0], max: windows.at(-1), settled: present.every((rate) => rate.settled) };
}

/**
 * Of several fresh runs' steady rates of one workload, the one with the highest median: a
 * runtime's capability where this machine's second core sometimes gives a fresh process or Web
 * Worker little (BENCHMARKS.md, the note under the levers). PyTorch's reference is its faster
 * interpreter by the same rule (bench/torch_reference.py).
 */
export function faster(...rates) {
  const present = rates.filter(Boolean);
  return present.reduce((best, rate) => (rate.median > best.median ? rate : best), present[0]);
}

/**
 * The ratio of two steady rates: `{ median, low, high }`, the medians' ratio and the range the
 * windows allow (ours' slowest over theirs' fastest, to ours' fastest over theirs' slowest); null
 * when either was not measured.
 */
export function ratioRange(ours, theirs) {
  if (!ours?.median || !theirs?.median) return null;
  return { median: ours.median / theirs.median, low: ours.min / theirs.max, high: ours.max / theirs.min };
}

/** The ratio of two steady rates as text (see `ratioRange`). */
export function ratioText(ours, theirs) {
  const ratio = ratioRange(ours, theirs);
  if (ratio === null) return "–";
  return `${ratio.median.toFixed(2)}× (${ratio.low.toFixed(2)}–${ratio.high.toFixed(2)})`;
}
