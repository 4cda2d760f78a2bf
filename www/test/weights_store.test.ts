// The labs' weights kept in the browser (issue 21): round trip, a full or disabled storage said
// once, corrupt entries removed with a message, entries of labs gone tidied away.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { MAX_STORED_WEIGHTS_BYTES, WeightsStore, isQuotaError, type KeyValueStore } from "../src/weights_store";

/** An in-memory store whose next writes can be made to fail with `failWith`. */
class FakeStore implements KeyValueStore {
  readonly entries = new Map<string, unknown>();
  failWith: Error | null = null;
  async get(key: string): Promise<unknown> {
    return this.entries.get(key);
  }
  async put(key: string, value: unknown): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.entries.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
  async keys(): Promise<string[]> {
    return [...this.entries.keys()];
  }
}

function setUp(): { fake: FakeStore; store: WeightsStore; messages: string[] } {
  const fake = new FakeStore();
  const messages: string[] = [];
  return { fake, store: new WeightsStore(async () => fake, (text) => messages.push(text)), messages };
}

const WEIGHTS = { step: 400, bytes: Uint8Array.from([1, 2, 3, 4]) };

test("weights kept come back as they were; a key never saved gives none", async () => {
  const { store, messages } = setUp();
  await store.save("a#0", "VAE (lab 1)", WEIGHTS);
  assert.deepEqual(await store.load("a#0", "VAE (lab 1)"), WEIGHTS);
  assert.equal(await store.load("b#0", "GAN (lab 2)"), null);
  assert.deepEqual(messages, []);
});

test("a full storage is said once, naming the lab, and the page goes on", async () => {
  const { fake, store, messages } = setUp();
  fake.failWith = new DOMException("quota", "QuotaExceededError");
  assert.ok(isQuotaError(fake.failWith));
  await store.save("a#0", "VAE (lab 1)", WEIGHTS);
  await store.save("b#0", "GAN (lab 2)", WEIGHTS);
  assert.deepEqual(messages, [
    "The weights of VAE (lab 1) were not kept across reloads: this browser's storage for GenLab is full. Save weights keeps a trained model in a file.",
  ]);
  assert.equal(fake.entries.size, 0);
});

test("other refusals and a disabled storage are said with their reason, never thrown", async () => {
  const { fake, store, messages } = setUp();
  fake.failWith = new Error("disk on fire");
  await store.save("a#0", "VAE (lab 1)", WEIGHTS);
  assert.match(messages[0], /refused to keep them \(Error: disk on fire\)/);
  const disabled: string[] = [];
  const none = new WeightsStore(() => Promise.reject(new DOMException("denied", "SecurityError")), (text) => disabled.push(text));
  assert.equal(await none.load("a#0", "VAE (lab 1)"), null);
  await none.save("a#0", "VAE (lab 1)", WEIGHTS);
  await none.retain(new Set());
  assert.equal(disabled.length, 1);
  assert.match(disabled[0], /did not let GenLab read the weights it keeps \(SecurityError: denied\)/);
});

test("corrupt entries are ignored with a message naming the lab, and removed", async () => {
  const corrupt: unknown[] = [
    null,
    "weights",
    { step: 3 },
    { step: "3", bytes: Uint8Array.from([1]) },
    { step: -1, bytes: Uint8Array.from([1]) },
    { step: 1.5, bytes: Uint8Array.from([1]) },
    { step: 3, bytes: [1, 2, 3] },
    { step: 3, bytes: new Uint8Array(0) },
  ];
  for (const value of corrupt) {
    const { fake, store, messages } = setUp();
    fake.entries.set("a#0", value);
    assert.equal(await store.load("a#0", "RealNVP (lab 3)"), null, JSON.stringify(value));
    assert.deepEqual(messages, [
      "The weights this browser kept for RealNVP (lab 3) were not loaded (they were unreadable) and were removed; it starts afresh.",
    ]);
    assert.equal(fake.entries.has("a#0"), false);
  }
});

test("weights the lab refuses are removed with the lab's reason", async () => {
  const { fake, store, messages } = setUp();
  await store.save("a#0", "VAE (lab 1)", WEIGHTS);
  await store.discard("a#0", "VAE (lab 1)", "these weights are of another family");
  assert.equal(fake.entries.size, 0);
  assert.match(messages[0], /VAE \(lab 1\) were not loaded \(these weights are of another family\)/);
});

test("weights over the size bound are not written, and that is said", async () => {
  const { fake, store, messages } = setUp();
  await store.save("a#0", "VQ-VAE (lab 5)", { step: 1, bytes: new Uint8Array(MAX_STORED_WEIGHTS_BYTES + 1) });
  assert.equal(fake.entries.size, 0);
  assert.match(messages[0], /VQ-VAE \(lab 5\) \(67108865 bytes\) are larger than the 67108864 bytes kept/);
});

test("tidying keeps the labs of the notebook and removes the rest; Reset to lesson removes all", async () => {
  const { fake, store } = setUp();
  for (const key of ["a#0", "a#1", "b#0"]) await store.save(key, "lab", WEIGHTS);
  await store.retain(new Set(["a#1", "c#0"]));
  assert.deepEqual([...fake.entries.keys()], ["a#1"]);
  await store.clear();
  assert.equal(fake.entries.size, 0);
});
