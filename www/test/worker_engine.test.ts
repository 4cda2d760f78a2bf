// The worker engine's life: after a forced WebGPU replaced it (`WorkerEngine.retire`), the worker
// stops once the labs still on it are freed, at once when none are, and a lab freed twice counts
// once; a panic's message on its channel (from a pool thread, whose worker never answers again)
// ends it as a crash. A fake `Worker` answers the engine's requests as `worker.ts` would.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { WorkerEngine, type WorkerRequest } from "../src/engine";

/** Answers init, create and free like the page's worker; remembers whether it was terminated. */
class FakeWorker {
  static last: FakeWorker | null = null;
  terminated = false;
  freed: number[] = [];
  panicChannel = "";
  private listeners: ((event: { data: unknown }) => void)[] = [];
  private labs = 0;

  constructor() {
    FakeWorker.last = this;
  }

  addEventListener(type: string, listener: (event: { data: unknown }) => void): void {
    if (type === "message") this.listeners.push(listener);
  }

  postMessage(request: WorkerRequest): void {
    let value: unknown = null;
    if (request.op === "create") value = { id: ++this.labs, info: { backend: { backend: "cpu", adapter: null, reason: "" } } };
    if (request.op === "free") this.freed.push(request.lab);
    if (request.op === "init") this.panicChannel = request.panicChannel;
    setTimeout(() => {
      if (!this.terminated) for (const listener of this.listeners) listener({ data: { id: request.id, ok: true, value } });
    });
  }

  terminate(): void {
    this.terminated = true;
  }
}

/** A started engine on a fake worker, and that worker. */
async function startFake(): Promise<{ engine: WorkerEngine; worker: FakeWorker }> {
  (globalThis as { Worker?: unknown }).Worker = FakeWorker;
  const engine = await WorkerEngine.start("worker.js", "genlab.js", "genlab_bg.wasm", { count: 2, why: "test" });
  return { engine, worker: FakeWorker.last! };
}

/** Lets the fake worker's answers (timers) and the engine's promise callbacks run. */
const settle = () => new Promise((done) => setTimeout(done, 5));

test("a retired worker engine without labs stops at once", async () => {
  const { engine, worker } = await startFake();
  engine.retire();
  assert.equal(worker.terminated, true);
});

test("a retired worker engine stops when its last lab is freed, and not before", async () => {
  const { engine, worker } = await startFake();
  const first = await engine.create("FlowMatching", {});
  const second = await engine.create("Gan", {});
  engine.retire();
  assert.equal(worker.terminated, false, "labs still run on it");
  first.free();
  first.free();
  await settle();
  assert.deepEqual(worker.freed, [1], "a lab freed twice is freed once");
  assert.equal(worker.terminated, false, "the second lab still runs on it");
  second.free();
  await settle();
  assert.deepEqual(worker.freed, [1, 2]);
  assert.equal(worker.terminated, true);
});

test("an engine that is not retired keeps its worker when its labs are freed", async () => {
  const { engine, worker } = await startFake();
  const lab = await engine.create("FlowMatching", {});
  lab.free();
  await settle();
  assert.equal(worker.terminated, false);
  engine.retire();
});

test("a panic's message on the engine's channel ends the worker and is reported once as a crash", async () => {
  const { engine, worker } = await startFake();
  const crashes: string[] = [];
  engine.onCrash = (reason) => crashes.push(reason);
  assert.match(worker.panicChannel, /^genlab-panics-/);
  const thread = new BroadcastChannel(worker.panicChannel);
  thread.postMessage("panicked at src/models/gan.rs:1:1:\nsomething broke");
  thread.postMessage("panicked at src/models/gan.rs:1:1:\nsomething broke");
  await settle();
  thread.close();
  assert.equal(worker.terminated, true);
  assert.deepEqual(crashes, ["panicked at src/models/gan.rs:1:1: something broke"]);
  await assert.rejects(engine.create("FlowMatching", {}), /crashed/);
});

test("two engines listen on channels of their own", async () => {
  const first = await startFake();
  const second = await startFake();
  assert.notEqual(first.worker.panicChannel, second.worker.panicChannel);
  first.engine.retire();
  second.engine.retire();
});
