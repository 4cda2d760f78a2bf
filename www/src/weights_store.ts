// Each lab's latest weights, kept in this browser's IndexedDB so that a reload brings the trained
// model back, paused at its step. An entry is keyed by the lab's settings and data (its
// notebook cell, so weights never load into a lab they were not trained for) and by its place
// among labs with the same ones; entries of labs the notebook no longer holds are removed when
// the notebook is edited. Storage is untrusted and may be full or disabled: a corrupt entry is
// removed with a message, and a failed write is said once; neither breaks the page.

/** Largest weights entry kept (a larger model is not kept across reloads, and the page says so). */
export const MAX_STORED_WEIGHTS_BYTES = 64 << 20;

/** The IndexedDB database and object store the weights live in. */
const DATABASE = { name: "genlab", version: 1, store: "weights" } as const;

/** The key-value store behind `WeightsStore` (IndexedDB in the page, a fake in tests). */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** A lab's weights file at its step, as kept. */
export interface StoredWeights {
  step: number;
  bytes: Uint8Array;
}

/** The message of an exception, as text. */
function reason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Whether `error` says the browser's storage quota is used up. */
export function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === "QuotaExceededError" || error.code === 22);
}

/** An entry read back, checked; null when it is not a weights entry. */
function checked(value: unknown): StoredWeights | null {
  if (typeof value !== "object" || value === null) return null;
  const { step, bytes } = value as Record<string, unknown>;
  if (typeof step !== "number" || !Number.isInteger(step) || step < 0) return null;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > MAX_STORED_WEIGHTS_BYTES) return null;
  return { step, bytes };
}

/** The labs' weights kept in this browser (see the top of this file). */
export class WeightsStore {
  private warned = false;
  private store: Promise<KeyValueStore> | null = null;

  constructor(
    /** Opens the store; may reject (storage disabled). */
    private readonly open: () => Promise<KeyValueStore>,
    /** Shows a message about storage (a failed write: once per page). */
    private readonly warn: (text: string) => void,
  ) {}

  private opened(): Promise<KeyValueStore> {
    this.store ??= this.open();
    return this.store;
  }

  /** The weights kept under `key`, checked; a corrupt entry is removed and said; null when none. */
  async load(key: string, lab: string): Promise<StoredWeights | null> {
    let value: unknown;
    try {
      value = await (await this.opened()).get(key);
    } catch (error) {
      this.report(`This browser did not let GenLab read the weights it keeps (${reason(error)})`);
      return null;
    }
    if (value === undefined) return null;
    const weights = checked(value);
    if (weights === null) await this.discard(key, lab, "they were unreadable");
    return weights;
  }

  /** Removes the entry under `key` (it was corrupt, or the lab refused it: `why`), saying so. */
  async discard(key: string, lab: string, why: string): Promise<void> {
    this.warn(`The weights this browser kept for ${lab} were not loaded (${why}) and were removed; it starts afresh.`);
    await this.forget(key);
  }

  /** Removes the entry under `key`, if any (the lab was reset). */
  async forget(key: string): Promise<void> {
    try {
      await (await this.opened()).delete(key);
    } catch {
      // Nothing more to do: the next save under this key replaces the entry.
    }
  }

  /** Keeps `weights` under `key` for the lab named `lab`; a failure is said once per page. */
  async save(key: string, lab: string, weights: StoredWeights): Promise<void> {
    if (weights.bytes.length > MAX_STORED_WEIGHTS_BYTES) {
      return this.report(`The weights of ${lab} (${weights.bytes.length} bytes) are larger than the ${MAX_STORED_WEIGHTS_BYTES} bytes kept across reloads`);
    }
    try {
      await (await this.opened()).put(key, { step: weights.step, bytes: weights.bytes });
    } catch (error) {
      const full = isQuotaError(error) ? "this browser's storage for GenLab is full" : `this browser refused to keep them (${reason(error)})`;
      this.report(`The weights of ${lab} were not kept across reloads: ${full}`);
    }
  }

  /** Removes every entry whose key is not in `keep` (the labs of the notebook as edited). */
  async retain(keep: ReadonlySet<string>): Promise<void> {
    try {
      const store = await this.opened();
      for (const key of await store.keys()) if (!keep.has(key)) await store.delete(key);
    } catch (error) {
      this.report(`This browser did not let GenLab tidy the weights it keeps (${reason(error)})`);
    }
  }

  /** Removes every entry (Reset to lesson). */
  clear(): Promise<void> {
    return this.retain(new Set());
  }

  /** Says that storage failed, once per page. */
  private report(what: string): void {
    if (this.warned) return;
    this.warned = true;
    this.warn(`${what}. Save weights keeps a trained model in a file.`);
  }
}

/** A request's result as a promise. */
function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The weights store of this browser's IndexedDB. */
export async function openIndexedDb(): Promise<KeyValueStore> {
  const opening = indexedDB.open(DATABASE.name, DATABASE.version);
  opening.onupgradeneeded = () => opening.result.createObjectStore(DATABASE.store);
  const db = await done(opening);
  const store = () => db.transaction(DATABASE.store, "readonly").objectStore(DATABASE.store);
  /** A write, resolved once its transaction commits (a full disk fails the commit, not the request). */
  const write = (change: (store: IDBObjectStore) => void) =>
    new Promise<void>((resolve, reject) => {
      const transaction = db.transaction(DATABASE.store, "readwrite");
      change(transaction.objectStore(DATABASE.store));
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  return {
    get: (key) => done(store().get(key)),
    put: (key, value) => write((s) => s.put(value, key)),
    delete: (key) => write((s) => s.delete(key)),
    keys: async () => (await done(store().getAllKeys())).map(String),
  };
}
