// A seeded fuzz test of the notebook parser, which reads untrusted input (links, files, storage):
// random JSON values, notebook-shaped values with wrong types, huge numbers, NaN-like strings,
// long strings, unknown fields and deep nesting, mutated valid notebooks (as values and as text),
// and truncated, garbled or over-inflating `#nb=` fragments. The parser must never throw; it
// returns a notebook that survives its own round trip, or errors that name a field or a limit.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { deflateRawSync } from "node:zlib";
import { LIMITS, fromFragment, fromJson, toFragment, toJson, type Notebook, type ParsedNotebook } from "../src/notebook";
import { SCHEMA } from "../src/generated/schema";
import { HIDEABLE, PAGE_SETTINGS, SETTING_NAMES, defaultsFor, withChange } from "../src/state";
import { tour } from "../src/tour";

/** Mulberry32: a small seeded generator of numbers in [0, 1). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = generator(20_260_901);
const below = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[below(items.length)];

const FIELDS = ["version", "backend", "cells", "kind", "text", "settings", "hide", "__proto__", "constructor", "extra", ...SETTING_NAMES];
const CHOICES = [...PAGE_SETTINGS, ...SCHEMA.shared, ...SCHEMA.families.flatMap((f) => f.settings)].flatMap((s) => s.choices ?? []);
const STRINGS = [
  "", "NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1e-400", "0x10", " 7 ", "1_000", "２", "null", "true",
  "__proto__", "<script>window.__pwned = 1</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
  "\u0000", "\ud800", "🙂", "text", "lab", "auto", "cpu", "webgpu", ...HIDEABLE, ...CHOICES,
];
const NUMBERS = [0, -0, 1, -1, 2, 0.5, 1e308, -1e308, 5e-324, 2 ** 53, 2 ** 53 + 2, 1e21, 123456789, -7.25];

function randomString(): string {
  if (random() < 0.9) return pick(STRINGS);
  const length = random() < 0.1 ? LIMITS.textChars + below(3) : below(200);
  return Array.from({ length: Math.min(length, 64) }, () => String.fromCharCode(below(0x3000))).join("").repeat(Math.ceil(length / 64)).slice(0, length);
}

function randomNumber(): number {
  return random() < 0.7 ? pick(NUMBERS) : (random() - 0.5) * 10 ** below(40);
}

/** Any JSON value, at most `depth` levels deep. */
function randomValue(depth: number): unknown {
  const kind = depth <= 0 ? below(4) : below(6);
  if (kind === 0) return randomString();
  if (kind === 1) return randomNumber();
  if (kind === 2) return pick([true, false]);
  if (kind === 3) return null;
  if (kind === 4) return Array.from({ length: below(5) }, () => randomValue(depth - 1));
  return Object.fromEntries(Array.from({ length: below(5) }, () => [pick(FIELDS), randomValue(depth - 1)]));
}

/** A value shaped like a notebook whose every part may be of the wrong type or out of range. */
function randomNotebook(): unknown {
  const cell = () => {
    const settings = Object.fromEntries(
      Array.from({ length: below(8) }, () => [pick(FIELDS), random() < 0.6 ? pick([...CHOICES, ...STRINGS.slice(0, 12)]) : random() < 0.8 ? randomNumber() : randomValue(2)]),
    );
    const value: Record<string, unknown> = { kind: random() < 0.9 ? pick(["text", "lab"]) : randomValue(1) };
    if (random() < 0.8) value.text = random() < 0.8 ? randomString() : randomValue(1);
    if (random() < 0.8) value.settings = random() < 0.9 ? settings : randomValue(1);
    if (random() < 0.3) value.hide = random() < 0.7 ? Array.from({ length: below(4) }, () => pick([...HIDEABLE, "train", 3])) : randomValue(1);
    return random() < 0.05 ? randomValue(2) : value;
  };
  const notebook: Record<string, unknown> = {
    version: random() < 0.8 ? 1 : pick([0, 2, 1.5, "1", null, 1e308, -1]),
    backend: random() < 0.8 ? pick(["auto", "cpu", "webgpu"]) : randomValue(1),
    cells: random() < 0.9 ? Array.from({ length: below(random() < 0.02 ? 120 : 6) }, cell) : randomValue(1),
  };
  if (random() < 0.2) notebook[pick(FIELDS)] = randomValue(2);
  return notebook;
}

/** `value` with one random part replaced, removed or duplicated. */
function mutate(value: unknown): unknown {
  if (typeof value !== "object" || value === null || random() < 0.2) return random() < 0.5 ? randomValue(2) : value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return copy;
  const key = pick(keys);
  const action = below(4);
  if (action === 0) delete (copy as Record<string, unknown>)[key];
  else if (action === 1 && Array.isArray(copy)) copy.push(copy[Number(key)]);
  else (copy as Record<string, unknown>)[key] = mutate((copy as Record<string, unknown>)[key]);
  return copy;
}

/** `text` with a few characters deleted, inserted or the end cut off. */
function garble(text: string, alphabet: string): string {
  let out = text;
  for (let k = 1 + below(3); k > 0; k--) {
    const at = below(out.length + 1);
    const action = below(3);
    if (action === 0) out = out.slice(0, at);
    else if (action === 1) out = out.slice(0, at) + out.slice(at + 1 + below(8));
    else out = out.slice(0, at) + Array.from({ length: 1 + below(4) }, () => alphabet[below(alphabet.length)]).join("") + out.slice(at);
  }
  return out;
}

const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const valid: Notebook = {
  backend: "cpu",
  cells: [
    { kind: "text", text: "# A notebook\n\n$x^2$" },
    { kind: "lab", lab: withChange(defaultsFor("diffusion"), { backend: "cpu", settings: { sampler: "ddim", width: 64 } }), hide: ["reset"] },
    { kind: "lab", lab: withChange(defaultsFor("gan"), { backend: "cpu", dataset: "moons", settings: { loss: "hinge" } }) },
  ],
};
const validValues = [JSON.parse(toJson(valid)), JSON.parse(toJson(tour()))];

/** Every error names a field (by cell), or the part or limit that refused the notebook. */
const NAMED = /^(cell \d+: (text|kind|must be|settings|hide|[a-z_]+:)|version: |backend: |cells: |the notebook |the link's notebook )/;

function check(parsed: ParsedNotebook, input: string): void {
  const where = input.slice(0, 200);
  assert.ok(Array.isArray(parsed.errors), where);
  for (const error of parsed.errors) assert.match(error, NAMED, where);
  if (parsed.notebook === null) {
    assert.ok(parsed.errors.length > 0, `refused without a reason: ${where}`);
    return;
  }
  assert.ok(parsed.notebook.cells.length <= LIMITS.cells, where);
  assert.ok(["auto", "cpu", "webgpu"].includes(parsed.notebook.backend), where);
  const again = fromJson(toJson(parsed.notebook));
  assert.deepEqual(again, { notebook: parsed.notebook, errors: [] }, `not a fixed point: ${where}`);
}

test("the notebook parser never throws on random, mutated, huge or deeply nested JSON", (t) => {
  const inputs: string[] = [deep(10_000), `{"version":1,"cells":[{"kind":"lab","settings":{"width":${deep(5_000)}}}]}`, "x".repeat(LIMITS.jsonBytes + 1)];
  inputs.push(JSON.stringify({ version: 1, cells: [{ kind: "text", text: "y".repeat(LIMITS.jsonBytes - 100) }] }));
  for (let k = 0; k < 20_000; k++) {
    const kind = below(5);
    if (kind === 0) inputs.push(JSON.stringify(randomValue(4)));
    else if (kind === 1) inputs.push(JSON.stringify(randomNotebook()));
    else if (kind === 2) inputs.push(JSON.stringify(mutate(mutate(pick(validValues)))));
    else if (kind === 3) inputs.push(garble(JSON.stringify(pick(validValues)), '{}[]":,0123456789.e-truefalsnl \\'));
    else inputs.push(JSON.stringify(mutate(randomNotebook())));
  }
  let accepted = 0;
  for (const input of inputs) {
    const parsed = fromJson(input);
    check(parsed, input);
    if (parsed.notebook !== null) accepted += 1;
  }
  t.diagnostic(`fuzzed fromJson with ${inputs.length} inputs: ${accepted} notebooks read, ${inputs.length - accepted} refused with a reason`);
  assert.ok(accepted > 1000 && inputs.length - accepted > 1000, "the corpus reaches both outcomes");
});

test("the fragment reader never throws on truncated, garbled, random or inflating fragments", async (t) => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const fragments = [`nb=${deflateRawSync(Buffer.alloc(4 * LIMITS.jsonBytes, 32)).toString("base64url")}`, "nb=", "nb====", "nb=%%%", `nb=${"A".repeat(LIMITS.fragmentChars)}`];
  const validFragment = await toFragment(valid);
  for (let k = 0; k < 3_000; k++) {
    const kind = below(4);
    if (kind === 0) fragments.push(`nb=${garble(validFragment.slice(3), `${alphabet}!=+/% #`)}`);
    else if (kind === 1) fragments.push(`nb=${Array.from({ length: below(300) }, () => alphabet[below(64)]).join("")}`);
    else if (kind === 2) fragments.push(`nb=${deflateRawSync(JSON.stringify(pick([randomNotebook, () => mutate(pick(validValues))])())).toString("base64url")}`);
    else fragments.push(`nb=${deflateRawSync(garble(JSON.stringify(pick(validValues)), '{}[]":,01')).toString("base64url")}`);
  }
  let accepted = 0;
  for (const fragment of fragments) {
    const parsed = await fromFragment(fragment);
    check(parsed, fragment);
    if (parsed.notebook !== null) accepted += 1;
  }
  t.diagnostic(`fuzzed fromFragment with ${fragments.length} fragments: ${accepted} notebooks read, ${fragments.length - accepted} refused with a reason`);
  assert.ok(accepted > 300 && fragments.length - accepted > 300, "the corpus reaches both outcomes");
});
