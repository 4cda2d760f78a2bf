// Embed mode: the page inside another page's `<iframe>` (`?embed#nb=…`, made by the lesson-link
// builder or by `<genlab-lab>`) shows the first lab cell alone, without the page chrome, and
// keeps `?embed` in the link it mirrors. The embedding page drives it through the `postMessage`
// API below.

import { fromJson, toJson, type Cell, type Notebook } from "./notebook";

/** Embed mode (`?embed#nb=…`): the first lab cell alone, without page chrome, for an iframe. */
export const EMBED = new URLSearchParams(location.search).has("embed");

/** The cells of `cells` the page shows: all of them, or in embed mode the first lab cell alone. */
export function shownCells(cells: Cell[]): Cell[] {
  return EMBED ? cells.filter((c) => c.kind === "lab").slice(0, 1) : cells;
}

/** This page's link (path and query, embed mode kept) with `fragment` as its fragment. */
export function pageLink(fragment: string): string {
  return `${location.pathname}${EMBED ? "?embed" : ""}#${fragment}`;
}

/** What the `postMessage` API needs of the notebook page. */
export interface EmbeddedPage {
  /** The notebook as it stands. */
  toNotebook(): Notebook;
  /** The lab cells in notebook order. */
  labCells(): { play(): void; pause(): void }[];
  /** Replaces the notebook. */
  load(notebook: Notebook): Promise<void>;
}

/**
 * The `postMessage` API for a page that embeds this one: `{ genlab: "play" | "pause" |
 * "get-state" | "set-state", notebook? }` from the parent window; state replies go back to the
 * sender as `{ genlab: "state", notebook, errors }`. A notebook set this way is untrusted like
 * any other (validated, size-limited).
 */
export function listenToParent(page: EmbeddedPage): void {
  window.addEventListener("message", (event: MessageEvent) => {
    if (event.source !== window.parent || window.parent === window) return;
    const data: unknown = event.data;
    if (typeof data !== "object" || data === null || !("genlab" in data)) return;
    const reply = (errors: string[]) =>
      (event.source as Window).postMessage({ genlab: "state", notebook: toJson(page.toNotebook()), errors }, event.origin);
    const labs = page.labCells();
    switch ((data as { genlab: unknown }).genlab) {
      case "play":
        labs[0]?.play();
        break;
      case "pause":
        for (const lab of labs) lab.pause();
        break;
      case "get-state":
        reply([]);
        break;
      case "set-state": {
        const text = (data as { notebook?: unknown }).notebook;
        const { notebook, errors } = fromJson(typeof text === "string" ? text : "");
        if (notebook === null) reply(errors);
        else void page.load(notebook).then(() => reply(errors));
        break;
      }
    }
  });
}
