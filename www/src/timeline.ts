// How a lab learned, kept small: each evaluation's model samples (a bounded number) and its
// divergence panel, at most `MAX_FRAMES` of them. When full, every other frame is dropped and
// later ones are kept as far apart (the first and the latest always stay), so the timeline keeps
// covering the whole run evenly, more coarsely.
// Pure: `replay.ts` shows and records it.

import type { Estimate } from "./genlab";

/** Most frames a timeline keeps. */
export const MAX_FRAMES = 120;
/** Most sample values a frame keeps (1 000 points, or 64 images of 8×8). */
export const MAX_FRAME_VALUES = 4096;

/** One evaluation, as the timeline keeps it. */
export interface TimelineFrame {
  step: number;
  /** Model samples, row-major, at most `MAX_FRAME_VALUES` values (whole rows). */
  samples: Float32Array;
  divergences: Estimate[];
}

/** A lab's timeline (see the top of this file). */
export class Timeline {
  /** Frames on the stride (evaluations number 0, stride, 2·stride, …), then maybe the latest one off it. */
  private kept: (TimelineFrame & { index: number })[] = [];
  /** Evaluations kept apart on the stride: doubled each time the timeline fills. */
  private stride = 1;
  /** Evaluations added since the last clear. */
  private added = 0;

  /** The frames, oldest first, the latest last. */
  get frames(): readonly TimelineFrame[] {
    return this.kept;
  }

  /**
   * Keeps an evaluation with `columns` values per sample (its samples truncated to whole rows
   * within the bound; copied). A second evaluation of the same step replaces the first.
   */
  add(step: number, samples: Float32Array, columns: number, divergences: Estimate[]): void {
    const rows = Math.floor(Math.min(samples.length, MAX_FRAME_VALUES) / columns);
    const last = this.kept.at(-1);
    if (last?.step === step) {
      this.kept[this.kept.length - 1] = { ...last, samples: samples.slice(0, rows * columns), divergences };
      return;
    }
    if (last !== undefined && last.index % this.stride !== 0) this.kept.pop();
    this.kept.push({ step, samples: samples.slice(0, rows * columns), divergences, index: this.added++ });
    if (this.kept.length > MAX_FRAMES) {
      this.stride *= 2;
      const latest = this.kept[this.kept.length - 1];
      this.kept = this.kept.filter((frame) => frame.index % this.stride === 0 || frame === latest);
    }
  }

  /** Forgets every frame (a new model). */
  clear(): void {
    this.kept = [];
    this.stride = 1;
    this.added = 0;
  }
}
