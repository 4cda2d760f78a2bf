// Recovery from faults that would otherwise lose a student's work. Each lab keeps a snapshot of
// its weights in JS (`WeightsSnapshot`); when the wasm instance behind the labs crashes (a Rust
// panic), `Recovery` starts a fresh engine and rebuilds every built lab from its snapshot, and
// when the GPU fails (device lost, out of memory) it moves the page to the CPU backend and
// rebuilds the failed lab there. Each is said once, in plain words.

import { errorText, isCrash, type Lab } from "./engine";

/** Whether a lab error's `message` says that the GPU device was lost or ran out of memory. */
export function isDeviceFault(message: string): boolean {
  return /device lost|lost the device|out of memory|gpudevice|devicelost/i.test(message);
}

/** The message of `error` when it is a GPU fault of `lab` (a lab on WebGPU); null otherwise. */
export function gpuFault(error: unknown, lab: Lab | null): string | null {
  const message = errorText(error);
  return !isCrash(error) && lab?.info.backend.backend === "webgpu" && isDeviceFault(message) ? message : null;
}

/** Least time between two snapshots of a lab while it trains. */
export const SNAPSHOT_INTERVAL_MS = 5000;

/** A lab's weights file at one step, and when it was read (`performance.now()`). */
export interface Snapshot {
  step: number;
  bytes: Uint8Array;
  takenAt: number;
}

/**
 * Whether a lab just evaluated at `step` should keep a new snapshot: never at step 0 (a fresh
 * model is rebuilt from its seed), never twice of one step; while paused always, while training
 * at most once per `SNAPSHOT_INTERVAL_MS`.
 */
export function snapshotDue(step: number, last: Snapshot | null, now: number, playing: boolean): boolean {
  if (step === 0 || step === last?.step) return false;
  return !playing || last === null || now - last.takenAt >= SNAPSHOT_INTERVAL_MS;
}

/** The last weights of one lab, kept in JS so that the lab can be rebuilt after its engine dies. */
export class WeightsSnapshot {
  private kept: Snapshot | null = null;
  private reading = false;

  constructor(
    /** The step of the snapshot kept is shown as `data-snapshot-step` on it (for tests). */
    private readonly element: HTMLElement,
    /** Called with each snapshot read from the lab (to keep it across reloads). */
    private readonly onRead: (snapshot: Snapshot) => void = () => undefined,
  ) {}

  /** The snapshot kept, if any. */
  get latest(): Snapshot | null {
    return this.kept;
  }

  /**
   * After `lab` evaluated at `step`: reads its weights if a snapshot is due (one readback,
   * queued behind the lab's other calls, one at a time). `current()` says whether `lab` is still
   * the cell's once they arrive. A failed read keeps the previous snapshot.
   */
  async consider(lab: Lab, step: number, playing: boolean, current: () => boolean): Promise<void> {
    if (this.reading || !snapshotDue(step, this.kept, performance.now(), playing)) return;
    this.reading = true;
    const bytes = await lab.exportWeights().catch(() => null);
    this.reading = false;
    if (bytes === null || !current()) return;
    const snapshot = { step, bytes, takenAt: performance.now() };
    this.keep(snapshot);
    this.onRead(snapshot);
  }

  /** Keeps `snapshot` (the one a rebuilt lab was loaded from). */
  keep(snapshot: Snapshot): void {
    this.kept = snapshot;
    this.element.dataset.snapshotStep = String(snapshot.step);
  }

  /** Forgets the snapshot (the lab was rebuilt with other settings). */
  clear(): void {
    this.kept = null;
    delete this.element.dataset.snapshotStep;
  }
}

/** A lab cell as recovery sees it. */
export interface RecoverableLab {
  /** Whether its model has been built. */
  readonly active: boolean;
  pause(): void;
  /**
   * Rebuilds the model on the page's current engine from its last snapshot and says `why` in the
   * cell; resolves to the step it continues from, or null if it could not be rebuilt.
   */
  restart(why: string): Promise<number | null>;
}

/** What recovery needs of the page. */
export interface RecoveryHost {
  /** The lab cells in notebook order, each with a name for messages ("VAE, lab 2"). */
  labs(): { lab: RecoverableLab; name: string }[];
  /** Replaces the crashed engine by a fresh one of the same kind, with its backend chosen. */
  replaceEngine(): Promise<void>;
  /** Puts the page's labs on the CPU backend from now on, because the GPU failed (`why`). */
  useCpu(why: string): Promise<void>;
  /** Shows a notebook-level message. */
  say(text: string): void;
}

/** Most automatic restarts of one page: a panic that recurs at once is not retried forever. */
export const MAX_RESTARTS = 3;

/** How each rebuilt lab continues, in words. */
function continuations(outcomes: { name: string; step: number | null }[]): string {
  return outcomes
    .map(({ name, step }) => (step === null ? `${name} could not be rebuilt (see its message)` : `${name} continues from step ${step}`))
    .join("; ");
}

/** The one message after a crash: what happened, that labs were restarted, and from which step. */
export function crashReport(reason: string, outcomes: { name: string; step: number | null }[]): string {
  const what = `GenLab's engine crashed (${reason}) and was restarted.`;
  if (outcomes.length === 0) return `${what} No lab had been built yet; nothing was lost.`;
  return `${what} Every lab was rebuilt from its last snapshot and is paused: ${continuations(outcomes)}.`;
}

/** The message after a GPU fault: the lab moved to the CPU backend, and from which step. */
export function deviceFaultReport(message: string, outcome: { name: string; step: number | null }): string {
  return `The GPU failed (${message}): labs now run on the CPU backend. ${continuations([outcome])}.`;
}

/** Restarts after crashes and moves labs off a failed GPU, one recovery at a time. */
export class Recovery {
  private restarts = 0;
  private work: Promise<void> = Promise.resolve();
  /** Labs being moved to the CPU (a fault said twice moves a lab once). */
  private readonly moving = new Set<RecoverableLab>();

  constructor(private readonly host: RecoveryHost) {}

  /** The engine crashed: a fresh one, every built lab rebuilt from its snapshot, one message. */
  engineCrashed(reason: string): void {
    this.enqueue(() => this.restart(reason));
  }

  /** `lab` failed with a GPU fault (`message`): the page moves to the CPU, and `lab` is rebuilt there. */
  deviceFault(lab: RecoverableLab, name: string, message: string): void {
    if (this.moving.has(lab)) return;
    this.moving.add(lab);
    this.enqueue(async () => {
      try {
        await this.host.useCpu(message);
        const step = await lab.restart("Rebuilt on the CPU after the GPU failed");
        this.host.say(deviceFaultReport(message, { name, step }));
      } finally {
        this.moving.delete(lab);
      }
    });
  }

  /** Runs `task` after the recoveries before it; a failure is said, never thrown. */
  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((error: unknown) => {
      this.host.say(`GenLab could not recover (${errorText(error)}). Reload the page: your notebook is kept in its link.`);
    });
  }

  private async restart(reason: string): Promise<void> {
    const labs = this.host.labs();
    for (const { lab } of labs) lab.pause();
    if (this.restarts >= MAX_RESTARTS) {
      this.host.say(`GenLab's engine crashed again (${reason}) after ${MAX_RESTARTS} restarts. Reload the page: your notebook is kept in its link.`);
      return;
    }
    this.restarts += 1;
    const built = labs.filter(({ lab }) => lab.active);
    this.host.say(`GenLab's engine crashed (${reason}); restarting it…`);
    await this.host.replaceEngine();
    const outcomes: { name: string; step: number | null }[] = [];
    for (const { lab, name } of built) outcomes.push({ name, step: await lab.restart("Rebuilt after the engine crashed") });
    this.host.say(crashReport(reason, outcomes));
  }
}
