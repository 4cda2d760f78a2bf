// Recovery from crashes and GPU faults: the fault matchers, the snapshot policy, the messages,
// the crash guard of the main-thread engine (with a fake module whose calls trap like a Rust
// panic) and the order of recovery (with a fake page).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { MainThreadEngine, errorData, errorFrom, isCrash, type Lab } from "../src/engine";
import type { GenLab } from "../src/genlab";
import {
  MAX_RESTARTS,
  Recovery,
  SNAPSHOT_INTERVAL_MS,
  WeightsSnapshot,
  crashReport,
  deviceFaultReport,
  gpuFault,
  isDeviceFault,
  snapshotDue,
  type RecoverableLab,
} from "../src/recovery";

const trap = () => new WebAssembly.RuntimeError("unreachable");

test("GPU faults are recognised by their message, whatever the case", () => {
  for (const message of [
    "Device lost: the GPU process exited",
    "wgpu: the adapter LOST THE DEVICE",
    "Out of memory allocating a buffer",
    "GPUDevice was destroyed",
    "DeviceLost(Unknown)",
  ]) {
    assert.ok(isDeviceFault(message), message);
  }
  for (const message of ["learning_rate must be below 1", "the lab engine crashed (unreachable)", "device chosen: cpu", "memory"]) {
    assert.ok(!isDeviceFault(message), message);
  }
});

test("only a lab on WebGPU moves to the CPU, and never for a crash", () => {
  const on = (backend: "cpu" | "webgpu") => ({ info: { backend: { backend, adapter: null, reason: "" } } }) as unknown as Lab;
  assert.equal(gpuFault(new Error("Device lost"), on("webgpu")), "Device lost");
  assert.equal(gpuFault(new Error("Device lost"), on("cpu")), null);
  assert.equal(gpuFault(new Error("bad option"), on("webgpu")), null);
  assert.equal(gpuFault(new Error("out of memory"), null), null);
  assert.equal(gpuFault(errorFrom({ message: "out of memory", crashed: true }), on("webgpu")), null);
});

test("a snapshot is due after a paused change of step, or every interval while training", () => {
  const last = { step: 100, bytes: new Uint8Array(), takenAt: 1000 };
  assert.equal(snapshotDue(0, null, 0, false), false, "a fresh model is rebuilt from its seed");
  assert.equal(snapshotDue(100, last, 99_999, false), false, "never twice of one step");
  assert.equal(snapshotDue(101, last, 1001, false), true, "paused: at once");
  assert.equal(snapshotDue(5, null, 0, true), true, "the first one at once");
  assert.equal(snapshotDue(300, last, 1000 + SNAPSHOT_INTERVAL_MS - 1, true), false);
  assert.equal(snapshotDue(300, last, 1000 + SNAPSHOT_INTERVAL_MS, true), true);
});

test("a lab's snapshot keeps the last readable weights, one read at a time", async () => {
  const element = { dataset: {} as Record<string, string> } as unknown as HTMLElement;
  const snapshot = new WeightsSnapshot(element);
  let reads = 0;
  let fail = false;
  const lab = {
    exportWeights: async () => {
      reads += 1;
      if (fail) throw new Error("readback failed");
      return new Uint8Array([reads]);
    },
  } as unknown as Lab;
  await Promise.all([snapshot.consider(lab, 10, false, () => true), snapshot.consider(lab, 11, false, () => true)]);
  assert.equal(reads, 1, "one read at a time");
  assert.equal(snapshot.latest?.step, 10);
  assert.equal(element.dataset.snapshotStep, "10");
  fail = true;
  await snapshot.consider(lab, 12, false, () => true);
  assert.deepEqual(snapshot.latest?.bytes, new Uint8Array([1]), "a failed read keeps the previous one");
  fail = false;
  await snapshot.consider(lab, 13, false, () => false);
  assert.equal(snapshot.latest?.step, 10, "weights of a replaced lab are not kept");
  snapshot.clear();
  assert.equal(snapshot.latest, null);
  assert.equal(element.dataset.snapshotStep, undefined);
});

test("the crash message says what happened, that labs restarted, and from which step", () => {
  const message = crashReport("unreachable", [
    { name: "VAE (lab 1)", step: 312 },
    { name: "GAN (lab 2)", step: 0 },
    { name: "MADE (lab 3)", step: null },
  ]);
  assert.equal(
    message,
    "GenLab's engine crashed (unreachable) and was restarted. Every lab was rebuilt from its last snapshot and is paused: " +
      "VAE (lab 1) continues from step 312; GAN (lab 2) continues from step 0; MADE (lab 3) could not be rebuilt (see its message).",
  );
  assert.match(crashReport("unreachable", []), /No lab had been built yet/);
  assert.equal(
    deviceFaultReport("Device lost", { name: "VAE (lab 1)", step: 40 }),
    "The GPU failed (Device lost): labs now run on the CPU backend. VAE (lab 1) continues from step 40.",
  );
});

/** A fake page: records what recovery does, in order. */
function fakePage(labs: { active: boolean; step: number | null }[], replaceEngine: () => Promise<void> = async () => undefined) {
  const log: string[] = [];
  const said: string[] = [];
  const cells = labs.map(({ active, step }, index): { lab: RecoverableLab; name: string } => ({
    name: `lab ${index + 1}`,
    lab: {
      active,
      pause: () => log.push(`pause ${index + 1}`),
      restart: async (why) => {
        log.push(`restart ${index + 1}: ${why}`);
        return step;
      },
    },
  }));
  const recovery = new Recovery({
    labs: () => cells,
    replaceEngine: async () => {
      log.push("new engine");
      await replaceEngine();
    },
    useCpu: async (why) => void log.push(`cpu: ${why}`),
    say: (text) => said.push(text),
  });
  const settled = () => new Promise((done) => setTimeout(done, 10));
  return { log, said, cells, recovery, settled };
}

test("after a crash: every lab paused, one new engine, the built labs rebuilt, one report", async () => {
  const { log, said, recovery, settled } = fakePage([
    { active: true, step: 120 },
    { active: false, step: null },
    { active: true, step: 0 },
  ]);
  recovery.engineCrashed("unreachable");
  await settled();
  assert.deepEqual(log, ["pause 1", "pause 2", "pause 3", "new engine", "restart 1: Rebuilt after the engine crashed", "restart 3: Rebuilt after the engine crashed"]);
  assert.equal(said.at(-1), crashReport("unreachable", [{ name: "lab 1", step: 120 }, { name: "lab 3", step: 0 }]));
});

test("a crash that keeps coming back is not restarted forever; a failed restart is said", async () => {
  const { log, said, recovery, settled } = fakePage([{ active: true, step: 5 }]);
  for (let k = 0; k <= MAX_RESTARTS; k++) recovery.engineCrashed("unreachable");
  await settled();
  assert.equal(log.filter((line) => line === "new engine").length, MAX_RESTARTS);
  assert.match(said.at(-1) ?? "", /crashed again .* Reload the page/);

  const broken = fakePage([{ active: true, step: 5 }], async () => {
    throw new Error("the worker could not start");
  });
  broken.recovery.engineCrashed("unreachable");
  await broken.settled();
  assert.match(broken.said.at(-1) ?? "", /could not recover \(the worker could not start\)/);
});

test("a GPU fault moves the page to the CPU, then rebuilds that lab alone, once", async () => {
  const { log, said, cells, recovery, settled } = fakePage([
    { active: true, step: 40 },
    { active: true, step: 9 },
  ]);
  recovery.deviceFault(cells[0].lab, "lab 1", "Device lost");
  recovery.deviceFault(cells[0].lab, "lab 1", "Device lost");
  await settled();
  assert.deepEqual(log, ["cpu: Device lost", "restart 1: Rebuilt on the CPU after the GPU failed"]);
  assert.equal(said.at(-1), deviceFaultReport("Device lost", { name: "lab 1", step: 40 }));
});

/** A fake module whose labs answer `train` with `answer()`; `simulateCrash` traps. */
function fakeModule(answer: () => Promise<unknown>): GenLab {
  const handle = {
    backend: () => ({ backend: "cpu", adapter: null, reason: "test" }),
    dataName: () => "moons",
    views: () => [],
    actions: () => [],
    options: () => ({}),
    train: answer,
    free: () => {
      throw new Error("a crashed instance must not be called");
    },
  };
  return {
    initBackend: async () => ({ backend: "cpu", adapter: null, reason: "test" }),
    FlowMatching: { create: async () => handle },
    simulateCrash: () => {
      throw trap();
    },
  } as unknown as GenLab;
}

/** The page's global events, for the main-thread engine's watch on uncaught traps. */
const page = new EventTarget();
Object.assign(globalThis, { addEventListener: page.addEventListener.bind(page) });

test("a trap on the main thread rejects every call in flight and every later one, and is said once", async () => {
  const engine = new MainThreadEngine(fakeModule(() => new Promise(() => undefined)), "the main thread");
  const crashes: string[] = [];
  engine.onCrash = (reason) => crashes.push(reason);
  const lab = await engine.create("FlowMatching", {});
  const hanging = lab.train(1);
  await assert.rejects(engine.simulateCrash("trap"), (error) => isCrash(error) && /crashed \(unreachable\)/.test(String(error)));
  await assert.rejects(hanging, (error) => isCrash(error));
  await assert.rejects(lab.train(1), (error) => isCrash(error));
  await assert.rejects(engine.initBackend("cpu"), (error) => isCrash(error));
  lab.free();
  assert.deepEqual(crashes, ["unreachable"]);
});

test("a trap inside an asynchronous call (an uncaught error) crashes the main-thread engine too", async () => {
  const engine = new MainThreadEngine(fakeModule(() => new Promise(() => undefined)), "the main thread");
  const crashes: string[] = [];
  engine.onCrash = (reason) => crashes.push(reason);
  const lab = await engine.create("FlowMatching", {});
  const hanging = lab.train(1);
  page.dispatchEvent(Object.assign(new Event("error"), { error: new TypeError("not a trap") }));
  page.dispatchEvent(Object.assign(new Event("error"), { error: trap() }));
  await assert.rejects(hanging, (error) => isCrash(error));
  page.dispatchEvent(Object.assign(new Event("unhandledrejection"), { reason: trap() }));
  assert.deepEqual(crashes, ["unreachable"]);
});

test("a crash survives the worker boundary as data; other errors are not crashes", () => {
  assert.deepEqual(errorData(trap()), { message: "unreachable", crashed: true });
  assert.ok(isCrash(errorFrom(errorData(trap()))));
  assert.ok(!isCrash(errorFrom(errorData(Object.assign(new Error("bad"), { field: "width" })))));
});
