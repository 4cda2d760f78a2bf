// Courtesy to the machine: the labs training when the tab is hidden pause, and resume when it is
// shown again. Pausing keeps everything (weights, step, curves), so nothing is lost.

/** A lab as this module sees it. */
export interface Pausable {
  /** Whether it is training now. */
  readonly playing: boolean;
  /** Starts training. */
  play(): void;
  /** Stops training, keeping its state. */
  pause(): void;
}

/** Pauses the training labs while the tab is hidden and resumes the same labs when it shows. */
export class HiddenTabPause {
  private paused: Pausable[] = [];

  /** `labs` lists the page's labs now; `say` shows a message in the page's status line. */
  constructor(
    private readonly labs: () => Pausable[],
    private readonly say: (text: string) => void,
  ) {}

  /** Follows the document's visibility (call on every `visibilitychange`). */
  onVisibility(state: DocumentVisibilityState): void {
    if (state === "hidden") {
      const training = this.labs().filter((lab) => lab.playing);
      if (training.length === 0) return;
      for (const lab of training) lab.pause();
      this.paused = training;
      this.say("Training paused while the tab is hidden; it resumes when the tab is shown again.");
      return;
    }
    const present = new Set(this.labs());
    const resumed = this.paused.filter((lab) => present.has(lab) && !lab.playing);
    this.paused = [];
    if (resumed.length === 0) return;
    for (const lab of resumed) lab.play();
    this.say("The tab is shown again: training resumed where it paused.");
  }
}
