// Drawing a dataset on a 2-D lab's data plot: press and drag (mouse, pen or touch, through
// Pointer Events) to spray points or erase them, with a spread and a density, undo, clear, and
// a shipped dataset's points as a start. From the keyboard: the plot takes focus, the arrow keys
// move a brush (drawn as a ring) and Space or Enter sprays or erases there. "Train on the drawing" hands the drawing, encoded as a
// notebook carries it, to the lab cell. Plain text only.

import { Drawing } from "./drawing";
import { MAX_DRAWN_POINTS, MIN_DRAWN_POINTS, decodeDrawing, encodeDrawing, type DrawingWindow, type EncodedDrawing } from "./drawn_points";

/** What the drawing panel needs of its lab cell. */
export interface DrawingHost {
  /** The window of the data plot now, in the user's units. */
  window(): DrawingWindow;
  /** The drawing the lab trains on now, if any (drawing again edits it). */
  current(): EncodedDrawing | null;
  /** The data points the plot shows now (a copy to edit), or null before the first evaluation. */
  shownData(): Float32Array | null;
  /** Drawing starts: training pauses and the plot is the drawing's. */
  started(): void;
  /** Shows the drawing's points on the data plot, in its window, with the keyboard's brush (centre and radius). */
  show(points: Float32Array, window: DrawingWindow, brush: { x: number; y: number; radius: number }): void;
  /** Trains on the drawing; resolves false when the lab rejected it (the reason is said). */
  use(drawing: EncodedDrawing): Promise<boolean>;
  /** Drawing ended without training on it: the plot shows the model again. */
  ended(): void;
}

/** The data plot's drawing mode and its tools (see the top of this file). */
export class DrawingPanel {
  private drawing: Drawing | null = null;
  /** The pointer that is drawing now (one at a time), or null. */
  private pointer: number | null = null;
  /** Where the keyboard sprays, in the drawing's window (its centre at first). */
  private brush = { x: 0, y: 0 };
  private readonly toggle: HTMLButtonElement;
  private readonly tools: HTMLElement;
  private readonly tool: HTMLSelectElement;
  private readonly spread: HTMLInputElement;
  private readonly density: HTMLInputElement;
  private readonly count: HTMLOutputElement;

  constructor(
    part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    private readonly canvas: HTMLCanvasElement,
    private readonly host: DrawingHost,
  ) {
    this.toggle = part<HTMLButtonElement>("draw");
    this.tools = part("drawing-tools");
    this.tool = part<HTMLSelectElement>("draw-tool");
    this.spread = part<HTMLInputElement>("draw-spread");
    this.density = part<HTMLInputElement>("draw-density");
    this.count = part<HTMLOutputElement>("drawn-count");
    this.toggle.addEventListener("click", () => (this.drawing === null ? this.open() : this.close()));
    part("draw-undo").addEventListener("click", () => this.edit((d) => d.undo(), false));
    part("draw-clear").addEventListener("click", () => this.edit((d) => d.clear()));
    part("draw-from-data").addEventListener("click", () => this.startFromData());
    part("use-drawing").addEventListener("click", () => void this.train());
    canvas.addEventListener("pointerdown", (event) => this.pointerDown(event));
    canvas.addEventListener("pointermove", (event) => this.pointerMove(event));
    canvas.addEventListener("keydown", (event) => this.key(event));
    for (const end of ["pointerup", "pointercancel", "lostpointercapture"]) {
      canvas.addEventListener(end, (event) => {
        if ((event as PointerEvent).pointerId === this.pointer) this.pointer = null;
      });
    }
  }

  /** Whether the plot is in drawing mode. */
  get active(): boolean {
    return this.drawing !== null;
  }

  /** Enters drawing mode, editing the lab's drawing if it trains on one. */
  open(): void {
    const current = this.host.current();
    const decoded = current === null ? null : decodeDrawing(current);
    this.drawing = new Drawing(decoded?.window ?? this.host.window());
    if (decoded !== null) this.drawing.replace(decoded.points);
    const w = this.drawing.window;
    this.brush = { x: (w.x_min + w.x_max) / 2, y: (w.y_min + w.y_max) / 2 };
    this.host.started();
    this.setMode(true);
    this.redraw();
  }

  /** Leaves drawing mode without training on the drawing. */
  close(): void {
    if (this.drawing === null) return;
    this.setMode(false);
    this.host.ended();
  }

  private setMode(on: boolean): void {
    if (!on) {
      this.drawing = null;
      this.pointer = null;
    }
    this.tools.hidden = !on;
    this.toggle.textContent = on ? "Stop drawing" : "Draw points";
    this.toggle.setAttribute("aria-pressed", String(on));
    this.canvas.classList.toggle("drawing", on);
    if (on) {
      this.canvas.tabIndex = 0;
      this.canvas.setAttribute("aria-label", "Drawing: arrow keys move the brush, Space or Enter sprays (or erases) there");
    } else {
      this.canvas.removeAttribute("tabindex");
      this.canvas.setAttribute("aria-label", "Data and model samples");
    }
  }

  /** The keyboard's brush: arrows move it by 2 % of the window, Space or Enter applies the tool there. */
  private key(event: KeyboardEvent): void {
    const drawing = this.drawing;
    if (drawing === null) return;
    const w = drawing.window;
    const [dx, dy] = [(w.x_max - w.x_min) / 50, (w.y_max - w.y_min) / 50];
    const moves: Record<string, [number, number]> = { ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy] };
    const move = moves[event.key];
    if (move !== undefined) {
      this.brush.x = Math.min(w.x_max, Math.max(w.x_min, this.brush.x + move[0]));
      this.brush.y = Math.min(w.y_max, Math.max(w.y_min, this.brush.y + move[1]));
    } else if (event.key === " " || event.key === "Enter") {
      drawing.checkpoint();
      this.apply(this.brush.x, this.brush.y);
    } else {
      return;
    }
    event.preventDefault();
    this.redraw();
  }

  /** An edit of the drawing (undoable unless `checkpoint` is false), then a redraw. */
  private edit(change: (drawing: Drawing) => unknown, checkpoint = true): void {
    if (this.drawing === null) return;
    if (checkpoint) this.drawing.checkpoint();
    change(this.drawing);
    this.redraw();
  }

  private startFromData(): void {
    const data = this.host.shownData();
    if (data === null) return this.say("The dataset's points are shown after the first evaluation; try again in a moment.");
    this.edit((d) => d.replace(data));
  }

  private async train(): Promise<void> {
    const drawing = this.drawing;
    if (drawing === null) return;
    if (drawing.count < MIN_DRAWN_POINTS) return this.say(`Draw at least ${MIN_DRAWN_POINTS} points first.`);
    const encoded = encodeDrawing({ window: drawing.window, points: drawing.points });
    if (await this.host.use(encoded)) this.setMode(false);
  }

  /** The data coordinates of a pointer event on the plot. */
  private at(event: PointerEvent, window: DrawingWindow): [number, number] {
    const rect = this.canvas.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    return [window.x_min + fx * (window.x_max - window.x_min), window.y_max - fy * (window.y_max - window.y_min)];
  }

  private pointerDown(event: PointerEvent): void {
    if (this.drawing === null || this.pointer !== null || event.button > 0) return;
    event.preventDefault();
    this.pointer = event.pointerId;
    this.canvas.setPointerCapture?.(event.pointerId);
    this.drawing.checkpoint();
    this.stroke(event);
  }

  private pointerMove(event: PointerEvent): void {
    if (this.drawing === null || event.pointerId !== this.pointer) return;
    event.preventDefault();
    this.stroke(event);
  }

  /** Sprays or erases at the pointer. */
  private stroke(event: PointerEvent): void {
    if (this.drawing === null) return;
    const [x, y] = this.at(event, this.drawing.window);
    this.brush = { x, y };
    this.apply(x, y);
    this.redraw();
  }

  /** The spread of sprayed points in the window's units (a fraction of its width). */
  private spreadInUnits(drawing: Drawing): number {
    return Number(this.spread.value) * (drawing.window.x_max - drawing.window.x_min);
  }

  /** Sprays or erases (within three spreads) at `(x, y)`. */
  private apply(x: number, y: number): void {
    const drawing = this.drawing;
    if (drawing === null) return;
    const spread = this.spreadInUnits(drawing);
    if (this.tool.value === "erase") drawing.erase(x, y, 3 * spread);
    else drawing.spray(x, y, spread, Number(this.density.value));
  }

  private redraw(): void {
    if (this.drawing === null) return;
    const spread = this.spreadInUnits(this.drawing);
    const radius = this.tool.value === "erase" ? 3 * spread : spread;
    this.host.show(this.drawing.points, this.drawing.window, { ...this.brush, radius });
    const full = this.drawing.full ? ` (the most a drawing holds: ${MAX_DRAWN_POINTS})` : "";
    this.count.textContent = `${this.drawing.count} points${full}`;
  }

  private say(text: string): void {
    this.count.textContent = text;
  }
}
