// The soak's Markdown section from its memory samples (see bench/soak.mjs): the curve, and for
// each quantity whether it is flat after the warm-up — the median of the last third of the
// samples against the median of the first third (a garbage-collected heap saws up and down, so
// single samples would not do).

/** Warm-up excluded from the flatness check: the allocators reach their working set. */
export const WARMUP_FRACTION = 1 / 6;
/** Largest change of the median between the first and the last third that counts as flat (a
 * larger fall is reported as released memory, a larger rise as growth). */
export const FLAT = 0.05;

const mb = (bytes) => (bytes === null || bytes === undefined ? "–" : `${(bytes / 1e6).toFixed(1)}`);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The relative change of `key`'s median from the first to the last third of `samples`. */
export function growth(samples, key) {
  const values = samples.map(key).filter((v) => typeof v === "number");
  if (values.length < 3) return null;
  const third = Math.max(1, Math.floor(values.length / 3));
  const first = median(values.slice(0, third));
  return (median(values.slice(-third)) - first) / Math.max(first, 1);
}

/**
 * The section for `samples` of `labs` trained on `backend` for `minutes`, with the numerical
 * `faults` met on the way (each paused its lab and restored its weights; the soak went on).
 */
export function soakReport({ samples, faults = [], labs, backend, minutes, sampleSeconds }) {
  if (samples.error) return `The soak failed: ${samples.error}`;
  const after = samples.filter((s) => s.seconds >= WARMUP_FRACTION * minutes * 60);
  // A pool that releases pages after the warm-up is no leak: only growth fails the check.
  const verdict = (g) => (g === null ? "not reported" : `${(100 * g).toFixed(1)} % (${Math.abs(g) <= FLAT ? "flat" : g < 0 ? "falls: released" : "GROWS"})`);
  const shown = samples.filter((_, k) => k % Math.max(1, Math.round(samples.length / 12)) === 0 || k === samples.length - 1);
  return `Every family (${labs} labs: the ten 2-D families on 8 gaussians at their defaults, PixelCNN,
VAE, DDPM and GAN on the digits) trained round robin in one page on the ${backend} backend for
${minutes} minutes, 5 steps per lab per round and one evaluation per round (in turn); memory sampled
at the end of a round, at most every ${sampleSeconds} s (${samples.length} samples). Flat means the median of the
last third of the samples after the warm-up (the first ${Math.round(WARMUP_FRACTION * minutes)} minutes) is within ${100 * FLAT} % of the
first third's.

| minute | steps | wasm memory (MB) | JS heap (MB) | device allocator in use / reserved (MB) |
|---|---|---|---|---|
${shown.map((s) => `| ${(s.seconds / 60).toFixed(1)} | ${s.steps} | ${mb(s.wasm)} | ${mb(s.heap)} | ${s.device ? `${mb(s.device.bytes_in_use)} / ${mb(s.device.bytes_reserved)}` : "not reported"} |`).join("\n")}

Change after the warm-up: wasm memory ${verdict(growth(after, (s) => s.wasm))}; JS heap
${verdict(growth(after, (s) => s.heap))}; device allocator in use
${verdict(growth(after, (s) => s.device?.bytes_in_use))}, reserved
${verdict(growth(after, (s) => s.device?.bytes_reserved))}.
${faults.length === 0 ? "No numerical fault." : `Numerical faults (each lab paused, restored and trained on): ${faults.join("; ")}.`}`;
}
