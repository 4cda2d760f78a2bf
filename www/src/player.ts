// The training loop: one `requestAnimationFrame` callback per frame, doing one bounded unit of
// work and at most one readback (a train slice, or an evaluation every few frames). A run token
// cancels a stale loop: `stop()` or a new `start()` makes the old loop return at its next frame.

import type { Evaluation, LabHandle, TrainReport } from "./genlab";

/** What the loop reports to the page. */
export interface PlayerEvents {
  onTrain(report: TrainReport, stepsPerSecond: number): void;
  onEvaluate(evaluation: Evaluation): void;
  onError(error: unknown): void;
}

/** Milliseconds of training per frame the slice size is tuned to. */
const FRAME_BUDGET_MS = 12;
/** Every this many frames, the frame evaluates instead of training. */
const EVALUATE_EVERY = 6;
/** Samples drawn per evaluation. */
const EVALUATION_SAMPLES = 1000;

/** Drives one lab's training, frame by frame. */
export class Player {
  private run = 0;
  private stepsPerSlice = 4;
  private frames = 0;
  private rate = { steps: 0, since: 0 };
  private stepsPerSecond = 0;

  constructor(private readonly events: PlayerEvents) {}

  /** Whether a loop is running. */
  get playing(): boolean {
    return this.run % 2 === 1;
  }

  /** Starts (or restarts) training `lab`. */
  start(lab: LabHandle): void {
    this.run += this.playing ? 2 : 1;
    const run = this.run;
    this.frames = 0;
    this.rate = { steps: 0, since: performance.now() };
    const frame = async (): Promise<void> => {
      if (run !== this.run) return;
      try {
        await this.tick(lab);
      } catch (error) {
        if (run === this.run) this.stop();
        this.events.onError(error);
        return;
      }
      if (run === this.run) requestAnimationFrame(() => void frame());
    };
    requestAnimationFrame(() => void frame());
  }

  /** Stops the loop after its current frame. */
  stop(): void {
    if (this.playing) this.run += 1;
  }

  /** Draws and reports one evaluation now (used when paused, e.g. after a reset). */
  async evaluate(lab: LabHandle): Promise<void> {
    this.events.onEvaluate(await lab.evaluate(EVALUATION_SAMPLES));
  }

  private async tick(lab: LabHandle): Promise<void> {
    this.frames += 1;
    if (this.frames % EVALUATE_EVERY === 0) {
      await this.evaluate(lab);
      return;
    }
    const started = performance.now();
    const report = await lab.train(this.stepsPerSlice);
    const elapsed = Math.max(performance.now() - started, 0.1);
    const ideal = (this.stepsPerSlice * FRAME_BUDGET_MS) / elapsed;
    this.stepsPerSlice = Math.max(1, Math.min(256, Math.round(0.7 * this.stepsPerSlice + 0.3 * ideal)));
    this.rate.steps += report.steps;
    const window = performance.now() - this.rate.since;
    if (window > 500) {
      this.stepsPerSecond = (1000 * this.rate.steps) / window;
      this.rate = { steps: 0, since: performance.now() };
    }
    this.events.onTrain(report, this.stepsPerSecond);
  }
}
