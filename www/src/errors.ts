// Errors as the page sees them: plain data that crosses the worker boundary with the fields Rust
// sets (a bad option's `field`, a training fault's `what` and steps), and crashes: a Rust panic
// traps its wasm instance (a `WebAssembly.RuntimeError`) and leaves it unusable, so a
// `CrashGuard` rejects every call to it from then on.

/** An error as plain data (it crosses the worker boundary), keeping the fields Rust sets. */
export interface ErrorData {
  message: string;
  field?: string;
  what?: string;
  step?: number;
  restoredStep?: number;
  /** The wasm instance trapped (a Rust panic): it and every lab in it are unusable. */
  crashed?: boolean;
}

/** The message of an error, as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether `error` is a wasm trap (a Rust panic) or says that its engine crashed. */
export function isCrash(error: unknown): boolean {
  if (error instanceof WebAssembly.RuntimeError) return true;
  return typeof error === "object" && error !== null && (error as ErrorData).crashed === true;
}

/** The error every call to a crashed engine rejects with. */
export function crashError(reason: string): Error {
  return errorFrom({ message: `the lab engine crashed (${reason})`, crashed: true });
}

/** The data of `error`. */
export function errorData(error: unknown): ErrorData {
  if (typeof error !== "object" || error === null) return { message: String(error) };
  const e = error as Record<string, unknown>;
  const data: ErrorData = { message: typeof e.message === "string" ? e.message : String(error) };
  if (isCrash(error)) data.crashed = true;
  if (typeof e.field === "string") data.field = e.field;
  if (typeof e.what === "string") data.what = e.what;
  if (typeof e.step === "number") data.step = e.step;
  if (typeof e.restoredStep === "number") data.restoredStep = e.restoredStep;
  return data;
}

/** An `Error` carrying `data`'s fields again. */
export function errorFrom(data: ErrorData): Error {
  return Object.assign(new Error(data.message), data);
}

/**
 * The calls in flight to one wasm instance and whether it crashed: a trap (or `fail`) rejects
 * every call in flight and every later one with the crash error, and calls `crashed` once.
 */
export class CrashGuard {
  private crash: Error | null = null;
  private readonly pending = new Set<(error: Error) => void>();

  constructor(private readonly crashed: (reason: string) => void) {}

  /** Whether the instance crashed. */
  get dead(): boolean {
    return this.crash !== null;
  }

  /** `work`'s result, or the crash error if the instance crashes before it settles. */
  run<T>(work: () => T | Promise<T>): Promise<T> {
    if (this.crash !== null) return Promise.reject(this.crash);
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      Promise.resolve()
        .then(work)
        .then(resolve, (error: unknown) => {
          if (isCrash(error)) this.fail(errorText(error));
          reject(error);
        })
        .finally(() => this.pending.delete(reject));
    });
  }

  /** Marks the instance crashed (once), rejecting every call in flight. */
  fail(reason: string): void {
    if (this.crash !== null) return;
    this.crash = crashError(reason);
    for (const reject of this.pending) reject(this.crash);
    this.pending.clear();
    this.crashed(reason);
  }
}
