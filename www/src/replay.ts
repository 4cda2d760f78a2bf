// The timeline under a lab's plots: while paused, a scrubber replays how the model learned (each
// kept evaluation's samples and panel, see `timeline.ts`), and Save animation records the plots
// over the timeline to a WebM video with the browser's own MediaRecorder (no server).

import { drawSideBySide, sideBySideCanvas } from "./exports";
import { Timeline, type TimelineFrame } from "./timeline";

/** Frames per second of a saved animation, and most frames it holds (evenly spaced). */
const ANIMATION_FPS = 12;
const ANIMATION_FRAMES = 90;
/** Height of the band above the plots where each frame's step is written. */
const CAPTION_PIXELS = 28;

/** What the replay needs of the lab's plots. */
export interface ReplayHost {
  /** Shows `frame` on the plots (samples and panel), or the latest evaluation when null. */
  show(frame: TimelineFrame | null): void;
  /** The canvases shown now, recorded side by side. */
  canvases(): HTMLCanvasElement[];
  /** The animation's file name, without its extension. */
  fileName(): string;
  /** Saves a recorded file. */
  save(blob: Blob, name: string): void;
  say(text: string): void;
}

/** Container types to record, best first (WebM in Chromium and Firefox, MP4 in Safari). */
const VIDEO_TYPES = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm", "video/mp4"];

/** A lab's timeline scrubber and animation recorder (see the top of this file). */
export class Replay {
  readonly timeline = new Timeline();
  private readonly scrubber: HTMLInputElement;
  private readonly label: HTMLOutputElement;
  private readonly saveButton: HTMLButtonElement;
  private playing = false;
  private recording = false;

  constructor(
    part: <T extends HTMLElement = HTMLElement>(role: string) => T,
    private readonly host: ReplayHost,
  ) {
    this.scrubber = part<HTMLInputElement>("timeline");
    this.label = part<HTMLOutputElement>("timeline-step");
    this.saveButton = part<HTMLButtonElement>("save-animation");
    this.scrubber.addEventListener("input", () => this.scrub());
    this.saveButton.addEventListener("click", () => void this.saveAnimation());
    this.update();
  }

  /** Keeps an evaluation and shows the scrubber at it (the latest). */
  record(step: number, samples: Float32Array, columns: number, divergences: TimelineFrame["divergences"]): void {
    this.timeline.add(step, samples, columns, divergences);
    this.update();
  }

  /** Forgets the timeline (a new model). */
  clear(): void {
    this.timeline.clear();
    this.update();
  }

  /** Training started or stopped: the scrubber works only while paused. */
  setPlaying(playing: boolean): void {
    this.playing = playing;
    if (playing) this.update();
    this.enable();
  }

  private enable(): void {
    const frames = this.timeline.frames.length;
    this.scrubber.disabled = this.playing || this.recording || frames < 2;
    this.saveButton.disabled = this.playing || this.recording || frames < 2;
  }

  /** Moves the scrubber to the latest frame. */
  private update(): void {
    const frames = this.timeline.frames;
    this.scrubber.max = String(Math.max(0, frames.length - 1));
    this.scrubber.value = this.scrubber.max;
    this.label.textContent = frames.length === 0 ? "" : `step ${frames[frames.length - 1].step} (latest)`;
    this.enable();
  }

  private scrub(): void {
    const frames = this.timeline.frames;
    const index = Number(this.scrubber.value);
    const latest = index >= frames.length - 1;
    const frame = frames[index];
    if (frame === undefined) return;
    this.host.show(latest ? null : frame);
    this.label.textContent = `step ${frame.step}${latest ? " (latest)" : ` (replay, ${index + 1} of ${frames.length})`}`;
  }

  /** Records the plots over the timeline to a video file, then shows the latest evaluation again. */
  private async saveAnimation(): Promise<void> {
    const type = typeof MediaRecorder === "undefined" ? undefined : VIDEO_TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    if (type === undefined) return this.host.say("This browser cannot record video: Save plots (PNG) keeps one frame.");
    const frames = this.timeline.frames;
    const count = Math.min(frames.length, ANIMATION_FRAMES);
    const chosen = Array.from({ length: count }, (_, k) => frames[Math.round((k * (frames.length - 1)) / Math.max(1, count - 1))]);
    this.recording = true;
    this.enable();
    try {
      const blob = await this.film(chosen, type);
      this.host.save(blob, `${this.host.fileName()}.${type.startsWith("video/mp4") ? "mp4" : "webm"}`);
      this.host.say(`Saved an animation of ${count} evaluations, steps ${chosen[0].step} to ${chosen[count - 1].step}.`);
    } catch (error) {
      this.host.say(`The animation was not saved: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.recording = false;
      this.host.show(null);
      this.update();
    }
  }

  /** Draws each frame's plots side by side on one canvas, with its step, recorded at `ANIMATION_FPS`. */
  private async film(frames: TimelineFrame[], type: string): Promise<Blob> {
    const canvases = this.host.canvases();
    const film = sideBySideCanvas(canvases, CAPTION_PIXELS);
    const context = film.getContext("2d");
    if (context === null) throw new Error("this browser cannot draw on a 2-D canvas");
    const stream = film.captureStream(ANIMATION_FPS);
    const recorder = new MediaRecorder(stream, { mimeType: type });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (event) => chunks.push(event.data);
    const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
    recorder.start();
    for (const frame of frames) {
      this.host.show(frame);
      drawSideBySide(context, canvases, CAPTION_PIXELS);
      context.fillStyle = "#1d2330";
      context.font = "18px system-ui, sans-serif";
      context.fillText(`step ${frame.step}`, 8, 20);
      this.label.textContent = `recording step ${frame.step}`;
      await new Promise((resolve) => setTimeout(resolve, 1000 / ANIMATION_FPS));
    }
    recorder.stop();
    await stopped;
    for (const track of stream.getTracks()) track.stop();
    return new Blob(chunks, { type: type.split(";")[0] });
  }
}
