// TensorFlow.js reference workloads, run inside headless Chromium by bench/tfjs_reference.mjs:
// GenLab's default flow matching and GAN (SiLU MLPs 128 × 3, batch 512, Adam) on the CPU and
// wasm backends. Exposes `window.runTfjs({ backend, workloads, slice, protocol })`: the steady
// rates of the workloads (bench/steady.mjs's `steadyRates`, installed in the page), and the
// backend's version and flags.
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

const BATCH = 512;
const ATLAS = 1 << 15;

/** A SiLU MLP `dIn → width (× depth) → dOut` as variables, initialised like a dense layer. */
function mlp(dIn, dOut, width = 128, depth = 3) {
  const sizes = [dIn, ...Array(depth).fill(width), dOut];
  const layers = sizes.slice(1).map((d, i) => {
    const bound = 1 / Math.sqrt(sizes[i]);
    return {
      w: tf.variable(tf.randomUniform([sizes[i], d], -bound, bound)),
      b: tf.variable(tf.zeros([d])),
    };
  });
  const forward = (x) =>
    layers.reduce((h, { w, b }, i) => {
      const y = h.matMul(w).add(b);
      return i < layers.length - 1 ? y.mul(y.sigmoid()) : y;
    }, x);
  return { forward, vars: layers.flatMap(({ w, b }) => [w, b]) };
}

/** 8 gaussians (FFJORD's), as GenLab samples them. */
function eightGaussians(n) {
  const values = new Float32Array(2 * n);
  for (let k = 0; k < n; k++) {
    const angle = Math.floor(Math.random() * 8) * (Math.PI / 4);
    const normal = () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
    values[2 * k] = (4 * Math.cos(angle) + 0.5 * normal()) / 1.414;
    values[2 * k + 1] = (4 * Math.sin(angle) + 0.5 * normal()) / 1.414;
  }
  return tf.tensor2d(values, [n, 2]);
}

function flowMatching(atlas) {
  const net = mlp(3, 2);
  const optimizer = tf.train.adam(1e-3);
  return () =>
    optimizer.minimize(() => {
      const x1 = tf.gather(atlas, tf.randomUniform([BATCH], 0, ATLAS, "int32"));
      const x0 = tf.randomNormal([BATCH, 2]);
      const t = tf.randomUniform([BATCH, 1]);
      const xt = x0.mul(tf.scalar(1).sub(t)).add(x1.mul(t));
      const v = net.forward(tf.concat([xt, t], 1));
      return v.sub(x1.sub(x0)).square().sum(1).mean();
    }, true, net.vars);
}

function gan(atlas) {
  const generator = mlp(2, 2);
  const discriminator = mlp(2, 1);
  const dOptimizer = tf.train.adam(1e-3, 0.5);
  const gOptimizer = tf.train.adam(1e-3, 0.5);
  const softplus = (x) => tf.softplus(x);
  return () => {
    const d = dOptimizer.minimize(() => {
      const real = tf.gather(atlas, tf.randomUniform([BATCH], 0, ATLAS, "int32"));
      const fake = generator.forward(tf.randomNormal([BATCH, 2]));
      return softplus(discriminator.forward(real).neg()).mean().add(softplus(discriminator.forward(fake)).mean());
    }, true, discriminator.vars);
    d.dispose();
    return gOptimizer.minimize(
      () => softplus(discriminator.forward(generator.forward(tf.randomNormal([BATCH, 2]))).neg()).mean(),
      true,
      generator.vars,
    );
  };
}

window.runTfjs = async ({ backend, workloads, slice, protocol }) => {
  if (backend === "wasm") setWasmPaths(new URL("./", location.href).href);
  await tf.setBackend(backend);
  await tf.ready();
  const atlas = eightGaussians(ATLAS);
  const subjects = workloads.map((name) => {
    const step = (name === "gan" ? gan : flowMatching)(atlas);
    // `count` steps, the last one's loss read back (so the work is done when it resolves).
    const train = async (count) => {
      for (let k = 0; k < count; k++) {
        const loss = tf.tidy(step);
        if (k === count - 1) loss.dataSync();
        loss.dispose();
      }
    };
    return { name, slice, train };
  });
  const rates = await globalThis.steadyRates(subjects, protocol);
  const flags = backend === "wasm" ? { simd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"), threads: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT") } : {};
  tf.disposeVariables();
  for (const rate of Object.values(rates)) Object.assign(rate, { version: tf.version.tfjs, ...flags });
  return rates;
};
