// A drawing being edited: points sprayed and erased on a window, with undo. Pure: the random
// source is passed in, and nothing here touches the page (`drawing_panel.ts` wires it to the
// data plot's pointer events).

import { MAX_DRAWN_POINTS, type DrawingWindow } from "./drawn_points";

/** Edits kept for undo (each a copy of the points before it). */
const UNDO_DEPTH = 100;

/** The editable drawing (see the top of this file). */
export class Drawing {
  private data: number[] = [];
  private readonly undoStack: number[][] = [];

  constructor(
    /** The window points are drawn on, in the user's units. */
    readonly window: DrawingWindow,
    /** Uniform draws in [0, 1). */
    private readonly random: () => number = Math.random,
  ) {}

  /** Row-major `[n, 2]` points. */
  get points(): Float32Array {
    return Float32Array.from(this.data);
  }

  /** Points drawn. */
  get count(): number {
    return this.data.length / 2;
  }

  /** Whether another point fits. */
  get full(): boolean {
    return this.count >= MAX_DRAWN_POINTS;
  }

  /** Whether there is an edit to undo. */
  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  /** Starts an edit (a stroke, a clear, a replacement): what `undo` goes back to. */
  checkpoint(): void {
    this.undoStack.push([...this.data]);
    if (this.undoStack.length > UNDO_DEPTH) this.undoStack.shift();
  }

  /**
   * Adds up to `count` points around `(x, y)`, each offset by N(0, spread²) per axis; points
   * that land outside the window are dropped, and none is added past the limit. Returns how
   * many were added.
   */
  spray(x: number, y: number, spread: number, count: number): number {
    let added = 0;
    for (let i = 0; i < count && !this.full; i++) {
      const [dx, dy] = this.normalPair();
      const px = x + spread * dx;
      const py = y + spread * dy;
      if (!this.inside(px, py)) continue;
      this.data.push(px, py);
      added++;
    }
    return added;
  }

  /** Removes every point within `radius` of `(x, y)`; returns how many. */
  erase(x: number, y: number, radius: number): number {
    const kept: number[] = [];
    for (let i = 0; i < this.data.length; i += 2) {
      if (Math.hypot(this.data[i] - x, this.data[i + 1] - y) > radius) kept.push(this.data[i], this.data[i + 1]);
    }
    const removed = (this.data.length - kept.length) / 2;
    this.data = kept;
    return removed;
  }

  /** Replaces every point (a dataset to edit, a drawing read back), keeping those inside the window, at most the limit. */
  replace(points: Float32Array): void {
    this.data = [];
    for (let i = 0; i + 1 < points.length && !this.full; i += 2) {
      if (this.inside(points[i], points[i + 1])) this.data.push(points[i], points[i + 1]);
    }
  }

  /** Removes every point. */
  clear(): void {
    this.data = [];
  }

  /** Goes back to before the last edit; false when there is none. */
  undo(): boolean {
    const previous = this.undoStack.pop();
    if (previous === undefined) return false;
    this.data = previous;
    return true;
  }

  private inside(x: number, y: number): boolean {
    const w = this.window;
    return x >= w.x_min && x <= w.x_max && y >= w.y_min && y <= w.y_max;
  }

  /** Two independent standard normal draws (Box–Muller). */
  private normalPair(): [number, number] {
    const radius = Math.sqrt(-2 * Math.log(1 - this.random()));
    const angle = 2 * Math.PI * this.random();
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  }
}
