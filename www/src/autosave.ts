// The notebook saved in this browser: the same JSON a notebook file holds, written to
// localStorage a moment after each change and read back when the page opens without a link.
// Storage is untrusted (another tab or an extension may write it), so it is validated exactly like
// a link; a corrupt save is reported and ignored. Storage that is disabled or full is reported
// once and never breaks the page.

import { LIMITS, fromJson, type Notebook } from "./notebook";

/** The localStorage keys of the saved notebook's JSON and of when it was saved (ms since 1970). */
export const SAVE_KEYS = { notebook: "genlab.notebook", savedAt: "genlab.notebook.savedAt" } as const;

/** Milliseconds after the last change before the notebook is written. */
export const AUTOSAVE_DELAY_MS = 500;

/** The storage the notebook is saved in (a part of `Storage`, so tests can fake it). */
export type NotebookStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** What the page opens from the save: a notebook (or null), and what to say about it. */
export interface Restored {
  notebook: Notebook | null;
  message: string;
}

/** The message of an exception, as text. */
function reason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The message shown when a saved notebook was restored (saved at `savedAt`, if known). */
export function restoredMessage(savedAt: Date | null, errors: readonly string[]): string {
  const when = savedAt === null ? "" : ` on ${savedAt.toLocaleString()}`;
  const ignored = errors.length > 0 ? ` Some of its settings were ignored: ${errors.join("; ")}.` : "";
  return `Restored the notebook saved in this browser${when}.${ignored} Reset to lesson starts over.`;
}

/** Saves the notebook a moment after each change; restores it when the page opens. */
export class Autosave {
  private pending: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private warned = false;

  constructor(
    /** The storage; may throw (storage disabled). */
    private readonly storage: () => NotebookStorage,
    /** Shows a message about storage (once per page). */
    private readonly warn: (text: string) => void,
    private readonly now: () => number = Date.now,
    private readonly delayMs: number = AUTOSAVE_DELAY_MS,
  ) {}

  /** The saved notebook, validated like a link's; none when nothing (readable) is saved. */
  restore(): Restored {
    let json: string | null;
    let savedAt: string | null;
    try {
      const storage = this.storage();
      json = storage.getItem(SAVE_KEYS.notebook);
      savedAt = storage.getItem(SAVE_KEYS.savedAt);
    } catch (error) {
      this.warned = true;
      return { notebook: null, message: `This browser does not let GenLab keep the notebook (${reason(error)}): its link and Export notebook still do.` };
    }
    if (json === null) return { notebook: null, message: "" };
    const { notebook, errors } = fromJson(json);
    if (notebook === null) {
      return { notebook: null, message: `The notebook saved in this browser was not restored (${errors.join("; ")}); the lesson opens instead.` };
    }
    const time = Number(savedAt);
    const date = savedAt !== null && Number.isFinite(time) && time > 0 ? new Date(time) : null;
    return { notebook, message: restoredMessage(date, errors) };
  }

  /** Saves `json` (a notebook's JSON) after `delayMs` without a further change. */
  save(json: string): void {
    this.pending = json;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  /** Writes a pending save now (the page is being hidden or left). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const json = this.pending;
    this.pending = null;
    if (json === null) return;
    if (json.length > LIMITS.jsonBytes) {
      return this.report(`This notebook is ${json.length} characters, more than the ${LIMITS.jsonBytes} a saved notebook may hold`);
    }
    this.write((storage) => {
      storage.setItem(SAVE_KEYS.notebook, json);
      storage.setItem(SAVE_KEYS.savedAt, String(this.now()));
    });
  }

  /** Forgets the saved notebook (Reset to lesson): the lesson opens next time. */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    this.write((storage) => {
      storage.removeItem(SAVE_KEYS.notebook);
      storage.removeItem(SAVE_KEYS.savedAt);
    });
  }

  private write(change: (storage: NotebookStorage) => void): void {
    try {
      change(this.storage());
    } catch (error) {
      this.report(`This browser did not let GenLab save the notebook (${reason(error)})`);
    }
  }

  /** Says that saving failed, once per page. */
  private report(what: string): void {
    if (this.warned) return;
    this.warned = true;
    this.warn(`${what}. Its link and Export notebook still keep your work.`);
  }
}
