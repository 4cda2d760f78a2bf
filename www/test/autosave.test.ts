// The notebook saved in this browser: restored only when valid, written after a pause, storage
// failures reported once and never thrown.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { Autosave, SAVE_KEYS, restoredMessage, type NotebookStorage } from "../src/autosave";
import { LIMITS, NOTEBOOK_VERSION, toJson, type Notebook } from "../src/notebook";
import { defaultsFor, withChange } from "../src/state";

const notebook: Notebook = {
  backend: "cpu",
  cells: [
    { kind: "text", text: "My notes" },
    { kind: "lab", lab: withChange(defaultsFor("gan"), { backend: "cpu", shared: { seed: 7 }, settings: { loss: "hinge" } }) },
  ],
};

/** An in-memory storage that records writes and can be made to fail. */
class FakeStorage implements NotebookStorage {
  readonly items = new Map<string, string>();
  writes = 0;
  failure: Error | null = null;
  getItem(key: string): string | null {
    if (this.failure !== null) throw this.failure;
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.failure !== null) throw this.failure;
    this.writes += 1;
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    if (this.failure !== null) throw this.failure;
    this.items.delete(key);
  }
}

function setUp(delayMs = 10) {
  const storage = new FakeStorage();
  const warnings: string[] = [];
  const autosave = new Autosave(() => storage, (text) => warnings.push(text), () => Date.UTC(2026, 8, 1, 12), delayMs);
  return { storage, warnings, autosave };
}

test("nothing saved: nothing restored, nothing said", () => {
  assert.deepEqual(setUp().autosave.restore(), { notebook: null, message: "" });
});

test("a saved notebook is written after a pause, once, and restored with when it was saved", async () => {
  const { storage, autosave } = setUp();
  autosave.save(toJson({ ...notebook, cells: [] }));
  autosave.save(toJson(notebook));
  assert.equal(storage.writes, 0, "not before the pause");
  await new Promise((done) => setTimeout(done, 40));
  assert.equal(storage.items.get(SAVE_KEYS.notebook), toJson(notebook));
  assert.equal(storage.items.get(SAVE_KEYS.savedAt), String(Date.UTC(2026, 8, 1, 12)));
  const restored = autosave.restore();
  assert.deepEqual(restored.notebook, notebook);
  assert.equal(restored.message, restoredMessage(new Date(Date.UTC(2026, 8, 1, 12)), []));
  assert.match(restored.message, /^Restored the notebook saved in this browser on .+\. Reset to lesson starts over\.$/);
});

test("flush writes a pending save at once; clear forgets it and cancels a pending one", () => {
  const { storage, autosave } = setUp(60_000);
  autosave.save(toJson(notebook));
  autosave.flush();
  assert.equal(storage.items.get(SAVE_KEYS.notebook), toJson(notebook));
  autosave.save(toJson({ ...notebook, cells: [] }));
  autosave.clear();
  autosave.flush();
  assert.equal(storage.items.size, 0);
  assert.deepEqual(autosave.restore(), { notebook: null, message: "" });
});

test("a corrupt, newer or oversize save is refused with its reason, like a link", () => {
  for (const [json, reason] of [
    ["{not json", /not valid JSON/],
    [JSON.stringify({ version: NOTEBOOK_VERSION + 1, cells: [] }), /newer/],
    [JSON.stringify([1, 2]), /object/],
    ["x".repeat(LIMITS.jsonBytes + 1), /at most/],
  ] as const) {
    const { storage, autosave } = setUp();
    storage.items.set(SAVE_KEYS.notebook, json);
    const { notebook: restored, message } = autosave.restore();
    assert.equal(restored, null);
    assert.match(message, /^The notebook saved in this browser was not restored/);
    assert.match(message, reason);
  }
});

test("bad settings in a save are reported by field and replaced; a bad time is left out", () => {
  const { storage, autosave } = setUp();
  storage.items.set(SAVE_KEYS.notebook, JSON.stringify({ version: 1, cells: [{ kind: "lab", settings: { family: "vae", width: "huge" } }] }));
  storage.items.set(SAVE_KEYS.savedAt, "yesterday");
  const { notebook: restored, message } = autosave.restore();
  assert.equal(restored?.cells.length, 1);
  assert.match(message, /^Restored the notebook saved in this browser\. Some of its settings were ignored: cell 1: width/);
});

test("storage that is disabled or full is reported once and never throws", () => {
  const { storage, warnings, autosave } = setUp();
  storage.failure = Object.assign(new Error("The quota has been exceeded."), { name: "QuotaExceededError" });
  autosave.save(toJson(notebook));
  autosave.flush();
  autosave.save(toJson(notebook));
  autosave.flush();
  autosave.clear();
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /QuotaExceededError/);
  assert.match(warnings[0], /Export notebook/);

  const disabled = new Autosave(
    () => {
      throw Object.assign(new Error("access is denied"), { name: "SecurityError" });
    },
    (text) => warnings.push(text),
  );
  const restored = disabled.restore();
  assert.equal(restored.notebook, null);
  assert.match(restored.message, /SecurityError/);
  disabled.save(toJson(notebook));
  disabled.flush();
  assert.equal(warnings.length, 1, "said once, by restore");
});

test("a notebook too large to read back is not written", () => {
  const { storage, warnings, autosave } = setUp();
  const huge: Notebook = { backend: "auto", cells: Array.from({ length: 60 }, () => ({ kind: "text", text: "z".repeat(LIMITS.textChars) })) };
  autosave.save(toJson(huge));
  autosave.flush();
  assert.equal(storage.writes, 0);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /more than the 1048576/);
});
