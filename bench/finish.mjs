// The benchmark scripts' exit: each prints its result and exits even when Chromium hangs on close.

/**
 * Prints `text` and exits once it is flushed: Chromium sometimes never answers the close after
 * WebGPU pages, and its child process would keep Node alive.
 */
export function finish(text) {
  process.stdout.write(`${text}\n`, () => process.exit(0));
}

/** Closes `browser`, giving up after 10 s (see `finish`). */
export const closeBrowser = (browser) => Promise.race([browser.close(), new Promise((done) => setTimeout(done, 10_000))]);
