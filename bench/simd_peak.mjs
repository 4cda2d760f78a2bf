// The machine's arithmetic ceiling for wasm SIMD (128-bit lanes) on one thread: a tiny module,
// assembled here, whose loop is nothing but independent multiply-adds on `f32x4` values kept in
// locals (registers once V8's optimising tier has the loop). No matrix product in wasm can
// exceed its rate, whatever its kernel, so `compare.mjs` divides a step's FLOP by it for the
// most steps/s any wasm kernel could give. `peakProbe` runs in the page (it is serialised into
// `page.evaluate`, so it is self-contained); the bytes come from `simdPeakBytes`.

/** Independent accumulators: enough to hide the multiply-add latency (and `mul_add`'s longer chain: it saturates at 12 here, `fma` at 8) within V8's 16 SIMD registers with the two operands (14 spill). */
export const CHAINS = 12;

/** LEB128 of a non-negative integer. */
const leb = (value) => {
  const bytes = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
};
const f32 = (value) => [...new Uint8Array(new Float32Array([value]).buffer)];
/** A section: its id, its byte length, its bytes. */
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const name = (text) => [...leb(text.length), ...new TextEncoder().encode(text)];

const SIMD = 0xfd;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const SPLAT = [SIMD, ...leb(0x13)];
const ADD = [SIMD, ...leb(0xe4)];
const MUL = [SIMD, ...leb(0xe6)];
const RELAXED_MADD = [SIMD, ...leb(0x105)];

/**
 * One exported function `(iterations: i32) -> f32`: `CHAINS` accumulators each updated
 * `acc ← acc·½ + 1` per iteration (with `f32x4.relaxed_madd` when `fused`, else `f32x4.mul` then
 * `f32x4.add`), 8·CHAINS FLOP an iteration; it returns a lane of their sum so that nothing is dead.
 * The values converge to 2: no overflow, no subnormals.
 */
function body(fused) {
  const multiplier = CHAINS + 1;
  const addend = CHAINS + 2;
  const code = [];
  const splat = (value, local) => code.push(0x43, ...f32(value), ...SPLAT, LOCAL_SET, local);
  for (let chain = 0; chain < CHAINS; chain++) splat(1 + chain / 64, 1 + chain);
  splat(0.5, multiplier);
  splat(1, addend);
  code.push(0x03, 0x40); // loop, no result
  for (let chain = 1; chain <= CHAINS; chain++) {
    code.push(LOCAL_GET, chain, LOCAL_GET, multiplier);
    if (fused) code.push(LOCAL_GET, addend, ...RELAXED_MADD);
    else code.push(...MUL, LOCAL_GET, addend, ...ADD);
    code.push(LOCAL_SET, chain);
  }
  code.push(LOCAL_GET, 0, 0x41, 1, 0x6b, LOCAL_TEE, 0, 0x0d, 0, 0x0b); // i -= 1; br_if i; end
  code.push(LOCAL_GET, 1);
  for (let chain = 2; chain <= CHAINS; chain++) code.push(LOCAL_GET, chain, ...ADD);
  code.push(SIMD, ...leb(0x1f), 0, 0x0b); // f32x4.extract_lane 0; end
  const locals = [1, ...leb(CHAINS + 2), 0x7b]; // CHAINS + 2 locals of v128
  const func = [...locals, ...code];
  return [...leb(func.length), ...func];
}

/** The module's bytes: `fma` (relaxed multiply-add) and `mul_add` (plain SIMD), both `(i32) -> f32`. */
export function simdPeakBytes() {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]),
    ...section(3, [2, 0, 0]),
    ...section(7, [2, ...name("fma"), 0, 0, ...name("mul_add"), 0, 1]),
    ...section(10, [2, ...body(true), ...body(false)]),
  ]);
}

/**
 * In the page: GFLOP/s of each export, the median of `rounds` timed calls of `iterations` after
 * `warmup` seconds of calls (V8 tiers the loop up to its optimising compiler); `{ error }` where
 * the browser refuses relaxed SIMD (the module holds both exports, so neither is measured there).
 */
export async function peakProbe({ bytes, chains, iterations, rounds, warmup }) {
  const module = WebAssembly.validate(new Uint8Array(bytes)) ? await WebAssembly.compile(new Uint8Array(bytes)) : null;
  if (module === null) return { error: "the browser refuses relaxed SIMD" };
  const { exports } = await WebAssembly.instantiate(module);
  const rates = {};
  for (const kind of ["fma", "mul_add"]) {
    const run = exports[kind];
    const until = performance.now() + 1000 * warmup;
    while (performance.now() < until) run(iterations);
    const samples = [];
    for (let round = 0; round < rounds; round++) {
      const start = performance.now();
      const value = run(iterations);
      const seconds = (performance.now() - start) / 1000;
      if (!(value > 0)) throw new Error(`the ${kind} probe returned ${value}`);
      samples.push((8 * chains * iterations) / seconds / 1e9);
    }
    samples.sort((a, b) => a - b);
    rates[kind] = { median: samples[samples.length >> 1], min: samples[0], max: samples[samples.length - 1] };
  }
  return rates;
}
