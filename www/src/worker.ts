// The Web Worker that runs the labs: it loads the wasm module (whose URLs the page sends), chooses
// the backend (WebGPU is available in workers) and answers `WorkerRequest`s with `WorkerReply`s.
// Requests are handled as they come; a lab refuses a second call while one is in flight. A Rust
// panic inside an asynchronous call traps in a microtask, outside any request: the worker tells
// the page (`WorkerCrash`), which terminates it and starts another. A panic on a thread of the
// threaded module's pool leaves this worker waiting for good: the module posts its message, and the
// pool thread's helper its trap, on the page's `BroadcastChannel` (`panicChannel`), which the page
// treats as the same crash.

import { LabTable, errorData, errorText, transferables, type WorkerCrash, type WorkerReply, type WorkerRequest } from "./engine";
import { loadGenLab } from "./genlab";

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply | WorkerCrash, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
let table: LabTable | null = null;

function labs(): LabTable {
  if (table === null) throw new Error("the worker has not loaded the wasm module");
  return table;
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case "init": {
      const genlab = await loadGenLab(request.bindings, request.wasm, request.threads, request.panicChannel);
      table = new LabTable(genlab);
      return null;
    }
    case "backend":
      return labs().initBackend(request.preference);
    case "create":
      return labs().create(request.className, request.options);
    case "call":
      return labs().call(request.lab, request.method, request.args);
    case "free":
      labs().free(request.lab);
      return null;
    case "crash":
      labs().simulateCrash(request.kind);
      return null;
    case "device-loss":
      labs().simulateDeviceLoss();
      return null;
  }
}

/** Tells the page when an uncaught error is a wasm trap (and keeps it off the console twice). */
function reportTrap(error: unknown, event: Event): void {
  if (!(error instanceof WebAssembly.RuntimeError)) return;
  event.preventDefault();
  scope.postMessage({ crash: errorText(error) }, []);
}

self.addEventListener("error", (event: ErrorEvent) => reportTrap(event.error, event));
self.addEventListener("unhandledrejection", (event: PromiseRejectionEvent) => reportTrap(event.reason, event));

scope.onmessage = (event) => {
  const request = event.data;
  handle(request).then(
    (value) => scope.postMessage({ id: request.id, ok: true, value }, transferables(value)),
    (error: unknown) => scope.postMessage({ id: request.id, ok: false, error: errorData(error) }, []),
  );
};
