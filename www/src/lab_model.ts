// A lab cell's model: built from the cell's settings one build at a time (the first sight of the
// cell, a settings change, Reset), worked on while paused (a fine step, a family's action), with
// a snapshot of its weights kept while it trains, and rebuilt from that snapshot after the engine
// crashed or the GPU failed. Each snapshot is also kept in the browser (`LabModelHost.keep`), and
// the first build loads the one kept there, paused at its step. A failed call is said in the
// cell; a GPU fault of a WebGPU lab is passed on, for the page to move the labs to the CPU. What
// a build creates and how it is shown are the cell's (`LabModelHost`).

import { setBusy } from "./controls";
import { errorText, type Lab } from "./engine";
import type { Player } from "./player";
import { WeightsSnapshot, gpuFault, type Snapshot } from "./recovery";
import type { StoredWeights } from "./weights_store";

/** What a lab cell's model needs of its cell. */
export interface LabModelHost {
  /** Creates a model of the cell's current settings and data; throws if they are rejected. */
  create(): Promise<Lab>;
  /** Shows the model just built (its readouts, actions and views), training again if `wasPlaying`. */
  show(lab: Lab, wasPlaying: boolean): Promise<void>;
  /** Stops training (and shows it stopped). */
  pause(): void;
  /** An evaluation of `lab`, then its view. */
  redraw(lab: Lab): Promise<void>;
  /** Shows a message (plain text) in the cell. */
  say(text: string): void;
  /** The model failed on the GPU (`message`): the page moves it to the CPU. */
  deviceFault(message: string): void;
  /** The weights this browser kept for the lab as it is set up now, if any. */
  stored(): Promise<StoredWeights | null>;
  /** Keeps a snapshot across reloads. */
  keep(snapshot: Snapshot): void;
  /** The kept weights were refused (`why`): they are removed. */
  refused(why: string): void;
}

/** One lab cell's model (see the top of this file). */
export class LabModel {
  private current: Lab | null = null;
  /** A model is being built (no second build meanwhile). */
  private pending: Promise<boolean> | null = null;
  private readonly snapshot: WeightsSnapshot;
  /** Whether the first build is still to come (it loads the weights kept in the browser). */
  private firstBuild = true;

  constructor(
    /** The cell's element (it shows the step of the snapshot kept, for tests). */
    private readonly root: HTMLElement,
    /** The element of the cell with `data-role="role"`. */
    private readonly part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    /** The cell's training loop. */
    private readonly player: Player,
    private readonly host: LabModelHost,
  ) {
    this.snapshot = new WeightsSnapshot(root, (snapshot) => host.keep(snapshot));
  }

  /** The model, or null before it was built. */
  get lab(): Lab | null {
    return this.current;
  }

  /** The build running, if any (wait for it, in a loop, before the next call on the model). */
  get building(): Promise<boolean> | null {
    return this.pending;
  }

  /** Builds the model if it has not been built yet. */
  async activate(): Promise<void> {
    // A build may start while another's awaiters resume: wait until none is running.
    while (this.pending !== null) await this.pending;
    if (this.current !== null) return;
    const first = this.firstBuild;
    this.firstBuild = false;
    if ((await this.reset()) && first) await this.restoreKept();
  }

  /** Loads the weights the browser kept for this lab, if any, paused at their step; says so. */
  private async restoreKept(): Promise<void> {
    const kept = await this.host.stored();
    const lab = this.current;
    if (kept === null || lab === null || this.player.playing) return;
    let step: number;
    try {
      step = await lab.importWeights(kept.bytes);
    } catch (error) {
      return this.host.refused(errorText(error));
    }
    this.snapshot.keep({ step, bytes: kept.bytes, takenAt: performance.now() });
    this.part("step").textContent = String(step);
    try {
      await this.host.redraw(lab);
    } catch (error) {
      return this.fail(error);
    }
    this.host.say(`Restored from this browser: the model as trained to step ${step}, paused (Reset starts afresh).`);
  }

  /** Builds a fresh model from the cell's settings; false (with the reason shown) if it was rejected. */
  async reset(): Promise<boolean> {
    while (this.pending !== null) await this.pending;
    this.pending = this.rebuild();
    try {
      return await this.pending;
    } finally {
      this.pending = null;
    }
  }

  /** The body of `reset`: nothing else touches the lab until it resolves. */
  private async rebuild(): Promise<boolean> {
    const wasPlaying = this.player.playing;
    this.player.stop();
    const shownStep = this.part("step").textContent;
    setBusy(this.part, this.root, true);
    try {
      await this.replaceLab(wasPlaying);
      return true;
    } catch (error) {
      this.fail(error);
      this.part("step").textContent = shownStep;
      return false;
    } finally {
      setBusy(this.part, this.root, false);
    }
  }

  /** Creates the model of the cell's settings and shows it; throws if it was rejected. */
  private async replaceLab(wasPlaying: boolean): Promise<void> {
    this.part("step").textContent = "0";
    const lab = await this.host.create();
    this.current?.free();
    this.current = lab;
    this.snapshot.clear();
    await this.host.show(lab, wasPlaying);
  }

  /** The lab, built first if needed (null if it could not be built; the reason is said). */
  async builtLab(): Promise<Lab | null> {
    await this.activate();
    return this.current;
  }

  /** While paused: `work` on the lab (a training step, a fine step), then an evaluation and the view. */
  async stepPaused(work: (lab: Lab) => Promise<void>): Promise<void> {
    if (this.player.playing) return;
    await this.activate();
    if (this.player.playing || this.current === null) return;
    try {
      await work(this.current);
      await this.host.redraw(this.current);
    } catch (error) {
      this.fail(error);
    }
  }

  /** `lab` was evaluated at `step`: a snapshot of its weights is kept if one is due. */
  evaluated(step: number): void {
    const lab = this.current;
    if (lab !== null) void this.snapshot.consider(lab, step, this.player.playing, () => this.current === lab);
  }

  /** Says why a call failed; a GPU fault of a WebGPU lab goes to the page, which moves it to the CPU. */
  fail(error: unknown): void {
    const fault = gpuFault(error, this.current);
    this.host.say(fault === null ? errorText(error) : `${fault}: moving to the CPU…`);
    const restored = (error as { restoredStep?: unknown } | null)?.restoredStep;
    if (typeof restored === "number") this.part("step").textContent = String(restored);
    if (fault !== null) this.host.deviceFault(fault);
  }

  /**
   * Rebuilds the model (its engine died, or its GPU failed) on the page's current engine from
   * its current settings, then loads its last snapshot, paused; says `why` and from which step it
   * continues. Resolves to that step, or null if it was never built or could not be rebuilt.
   */
  async restart(why: string): Promise<number | null> {
    while (this.pending !== null) await this.pending;
    if (this.current === null) return null;
    const snapshot = this.snapshot.latest;
    this.host.pause();
    if (!(await this.reset()) || this.current === null) return null;
    const lab = this.current;
    let step = 0;
    if (snapshot !== null) {
      try {
        step = await lab.importWeights(snapshot.bytes);
        this.snapshot.keep(snapshot);
        this.part("step").textContent = String(step);
        await this.host.redraw(lab);
      } catch (error) {
        this.fail(error);
        return null;
      }
    }
    this.host.say(`${why}: continues from step ${step} (the optimizer's moments start afresh).`);
    return step;
  }

  /** Frees the model (the cell is deleted). */
  dispose(): void {
    this.current?.free();
    this.current = null;
  }
}
