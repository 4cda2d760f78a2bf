// What a lab cell saves and loads as files: its plots as one PNG, its divergence history as
// CSV, and its weights (bytes from the lab, checked by Rust on the way back). The cell wires
// these to buttons.

import type { Estimate, GenLab } from "./genlab";
import { pairingError, parseSettings, type LabState } from "./state";

/** Saves `blob` as a file called `name`. */
export function download(blob: Blob, name: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/** A canvas wide enough for `canvases` side by side, `top` pixels taller (for a caption). */
export function sideBySideCanvas(canvases: readonly HTMLCanvasElement[], top = 0): HTMLCanvasElement {
  const joined = document.createElement("canvas");
  joined.width = canvases.reduce((sum, c) => sum + c.width, 0);
  joined.height = Math.max(...canvases.map((c) => c.height)) + top;
  return joined;
}

/** Draws `canvases` side by side on white, `top` pixels down (on a `sideBySideCanvas`). */
export function drawSideBySide(context: CanvasRenderingContext2D, canvases: readonly HTMLCanvasElement[], top = 0): void {
  context.fillStyle = "white";
  context.fillRect(0, 0, context.canvas.width, context.canvas.height);
  let x = 0;
  for (const canvas of canvases) {
    context.drawImage(canvas, x, top);
    x += canvas.width;
  }
}

/** `canvases` side by side on white, as one PNG. */
export function joinedPng(canvases: HTMLCanvasElement[]): Promise<Blob | null> {
  const joined = sideBySideCanvas(canvases);
  const context = joined.getContext("2d");
  if (context === null) return Promise.resolve(null);
  drawSideBySide(context, canvases);
  return new Promise((resolve) => joined.toBlob(resolve));
}

/**
 * Every evaluation's divergences as CSV, one row per evaluation: each estimate's value, its
 * noise floor's mean and its floor's 95 % bound.
 */
export function divergencesCsv(history: { step: number; divergences: Estimate[] }[]): string {
  const columns = history[0]?.divergences ?? [];
  const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
  const header = [
    "step",
    ...columns.flatMap(({ name: n }) => [quote(n), quote(`${n} noise floor mean`), quote(`${n} noise floor 95% bound`)]),
  ].join(",");
  const rows = history.map(({ step, divergences }) =>
    [
      step,
      ...columns.flatMap(({ id }) => {
        const e = divergences.find((d) => d.id === id);
        return [e?.value ?? "", e?.noise_floor?.mean ?? "", e?.noise_floor?.upper ?? ""];
      }),
    ].join(","),
  );
  return [header, ...rows].join("\n") + "\n";
}

/**
 * The lab settings a weights file was saved with, checked (the bytes by Rust, the options like
 * any setting); throws a message naming what is wrong. The dataset, which the weights do not
 * depend on, is the file's when it names one, otherwise `current`'s (the user's own points) if
 * the file's family learns it, else that family's default dataset.
 */
export function weightsSettings(genlab: GenLab, bytes: Uint8Array, current: LabState): LabState {
  const info = genlab.weightsInfo(bytes);
  const saved = (name: string): string | null => {
    if (name === "family") return info.family;
    const value = info.options[name];
    return typeof value === "string" || typeof value === "number" ? String(value) : null;
  };
  const { state, errors } = parseSettings(saved);
  if (errors.length > 0) throw new Error(`the file's options are not valid: ${errors.join("; ")}`);
  const named = typeof info.options.dataset === "string";
  const dataset = named || pairingError(state.family, current.dataset) !== null ? state.dataset : current.dataset;
  return { ...state, dataset, backend: current.backend };
}
