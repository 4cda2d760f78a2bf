// The training loop: one bounded unit of work at a time with at most one readback: a train slice,
// or (at most once a second, and never more than a fifth of the time) an evaluation, or, after an
// evaluation, the family's view. On the main thread each unit gets its own animation frame; with
// a worker, units follow one another at once (the worker computes, the page keeps drawing). A
// run token cancels a stale loop: `stop()` or a new `start()` makes the old loop return at its
// next frame. Frames per second are the page's own (a separate frame counter), so they show
// whether training, wherever it runs, leaves the page fluid.

import type { Lab } from "./engine";
import type { Evaluation, TrainReport } from "./genlab";

/** What the loop reports to the page. */
export interface PlayerEvents {
  /** A slice trained: its report, the training rate and the loop's frames per second. */
  onTrain(report: TrainReport, stepsPerSecond: number, framesPerSecond: number): void;
  onEvaluate(evaluation: Evaluation): void;
  /** Recomputes and draws the family's chosen view (one readback). */
  refreshView(lab: Lab): Promise<void>;
  onError(error: unknown): void;
}

/** Milliseconds of training per slice when training blocks the page (main thread)... */
const MAIN_THREAD_SLICE_MS = 12;
/** ...and when it runs in a worker, where a longer slice costs the page nothing. */
const WORKER_SLICE_MS = 40;
/** Shortest time between two evaluations. */
const EVALUATION_INTERVAL_MS = 1000;
/** Evaluations take at most 1 / (1 + this) of the loop's time. */
const TRAIN_TIME_PER_EVALUATION_TIME = 4;
/** Shortest time between two evaluations in slow motion. */
const SLOW_MOTION_EVALUATION_MS = 250;
/** Samples drawn per evaluation of a lab on 2-D points... */
export const POINT_EVALUATION_SAMPLES = 1000;
/** ...and of a lab on images (each sample costs far more: 64 pixels, PixelCNN's 64 passes). */
export const IMAGE_EVALUATION_SAMPLES = 256;

/** Drives one lab's training, frame by frame. */
export class Player {
  private run = 0;
  private stepsPerSlice = 4;
  private nextEvaluation = 0;
  private rate = { steps: 0, since: 0 };
  private stepsPerSecond = 0;
  private frames = 0;
  private framesPerSecond = 0;
  private viewPending = false;
  /** Slow motion: one step per frame and an evaluation every quarter second, to watch. */
  slowMotion = false;
  /** Samples (and data) each evaluation draws. */
  evaluationSamples = POINT_EVALUATION_SAMPLES;
  /** Milliseconds of training each slice is tuned to. */
  private sliceMs = MAIN_THREAD_SLICE_MS;

  constructor(private readonly events: PlayerEvents) {}

  /** Whether labs run in a worker. */
  private worker = false;
  /** The unit of work in flight, if any (a stopped loop finishes it). */
  private inFlight: Promise<void> | null = null;

  /** Tunes slices and scheduling for labs in a worker (`true`) or on the main thread. */
  set inWorker(inWorker: boolean) {
    this.worker = inWorker;
    this.sliceMs = inWorker ? WORKER_SLICE_MS : MAIN_THREAD_SLICE_MS;
  }

  /**
   * Starts the next unit of work: at the next frame when training runs on the main thread (one
   * slice per frame) or in slow motion (one step per frame); at once when it runs in a worker,
   * whose slices never block a frame (their results arrive at most ~25 times a second).
   */
  private schedule(work: () => void): void {
    if (this.worker && !this.slowMotion) setTimeout(work, 0);
    else requestAnimationFrame(work);
  }

  /** Whether a loop is running. */
  get playing(): boolean {
    return this.run % 2 === 1;
  }

  /** Starts (or restarts) training `lab`. */
  start(lab: Lab): void {
    this.run += this.playing ? 2 : 1;
    const run = this.run;
    this.nextEvaluation = performance.now() + EVALUATION_INTERVAL_MS;
    this.rate = { steps: 0, since: performance.now() };
    this.frames = 0;
    const count = (): void => {
      if (run !== this.run) return;
      this.frames += 1;
      requestAnimationFrame(count);
    };
    requestAnimationFrame(count);
    const frame = async (): Promise<void> => {
      if (run !== this.run) return;
      try {
        this.inFlight = this.tick(lab);
        await this.inFlight;
      } catch (error) {
        if (run === this.run) this.stop();
        this.events.onError(error);
        return;
      }
      if (run === this.run) this.schedule(() => void frame());
    };
    this.schedule(() => void frame());
  }

  /** Stops the loop after its current frame. */
  stop(): void {
    if (this.playing) this.run += 1;
  }

  /** Resolves once the unit of work in flight (if any) has finished, failed or not. */
  async settled(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
  }

  /** Trains exactly one step and reports it (the Step button; only while paused). */
  async step(lab: Lab): Promise<void> {
    if (this.playing) return;
    const report = await lab.train(1);
    this.events.onTrain(report, 0, 0);
  }

  /** Draws and reports one evaluation now (used when paused, e.g. after a reset). */
  async evaluate(lab: Lab): Promise<void> {
    this.events.onEvaluate(await lab.evaluate(this.evaluationSamples));
  }

  private async tick(lab: Lab): Promise<void> {
    if (this.viewPending) {
      this.viewPending = false;
      await this.events.refreshView(lab);
      return;
    }
    if (performance.now() >= this.nextEvaluation) {
      const started = performance.now();
      await this.evaluate(lab);
      const spent = performance.now() - started;
      const interval = this.slowMotion ? SLOW_MOTION_EVALUATION_MS : EVALUATION_INTERVAL_MS;
      this.nextEvaluation = performance.now() + Math.max(interval, TRAIN_TIME_PER_EVALUATION_TIME * spent);
      this.viewPending = true;
      return;
    }
    const started = performance.now();
    const report = await lab.train(this.slowMotion ? 1 : this.stepsPerSlice);
    const elapsed = Math.max(performance.now() - started, 0.1);
    const ideal = (this.stepsPerSlice * this.sliceMs) / elapsed;
    if (!this.slowMotion) {
      this.stepsPerSlice = Math.max(1, Math.min(256, Math.round(0.7 * this.stepsPerSlice + 0.3 * ideal)));
    }
    this.rate.steps += report.steps;
    const window = performance.now() - this.rate.since;
    if (window > 500) {
      this.stepsPerSecond = (1000 * this.rate.steps) / window;
      this.framesPerSecond = (1000 * this.frames) / window;
      this.rate = { steps: 0, since: performance.now() };
      this.frames = 0;
    }
    this.events.onTrain(report, this.stepsPerSecond, this.framesPerSecond);
  }
}
