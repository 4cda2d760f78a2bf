// The notebook's state: JSON and URL-fragment round trips, versions, limits and validation.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { Drawing } from "../src/drawing";
import { encodeDrawing } from "../src/drawn_points";
import { LIMITS, NOTEBOOK_VERSION, fromFragment, fromJson, toFragment, toJson, type Cell, type Notebook } from "../src/notebook";
import { DEFAULT_STATE, defaultsFor, withChange, type LabState } from "../src/state";
import { tour } from "../src/tour";

const custom: LabState = withChange(defaultsFor("diffusion"), {
  backend: "cpu",
  dataset: "moons",
  shared: { seed: 42 },
  settings: { sampler: "ddim", ddim_steps: 7 },
});
const notebook: Notebook = {
  backend: "cpu",
  cells: [
    { kind: "text", text: "# Title\n\nSome $x^2$ and **bold**." },
    { kind: "lab", lab: custom },
    { kind: "lab", lab: withChange(defaultsFor("gan"), { backend: "cpu", settings: { loss: "hinge" } }) },
    { kind: "lab", lab: { ...defaultsFor("vae"), backend: "cpu" }, hide: ["dataset", "settings"] },
  ],
};

test("a notebook survives the URL fragment round trip, every field included", async () => {
  const fragment = await toFragment(notebook);
  assert.match(fragment, /^nb=[A-Za-z0-9_-]+$/);
  assert.deepEqual(await fromFragment(fragment), { notebook, errors: [] });
});

test("the shipped tour survives the round trip and fits a link", async () => {
  const fragment = await toFragment(tour());
  assert.ok(fragment.length < LIMITS.fragmentChars / 4, `${fragment.length} characters`);
  const { notebook: back, errors } = await fromFragment(fragment);
  assert.deepEqual(errors, []);
  assert.deepEqual(back, tour());
});

test("labs are stored as their settings that differ from the family's defaults", () => {
  const json = JSON.parse(toJson(notebook));
  assert.equal(json.version, NOTEBOOK_VERSION);
  assert.deepEqual(json.cells[1].settings, { family: "diffusion", dataset: "moons", seed: "42", sampler: "ddim", ddim_steps: "7" });
});

test("newer, missing or malformed versions are refused with a message", () => {
  for (const [text, message] of [
    [JSON.stringify({ version: NOTEBOOK_VERSION + 1, cells: [] }), /newer/],
    [JSON.stringify({ cells: [] }), /version/],
    [JSON.stringify({ version: "1", cells: [] }), /version/],
    ["[1, 2]", /object/],
    ["{", /JSON/],
    [JSON.stringify({ version: 1, cells: {} }), /cells/],
    [JSON.stringify({ version: 1, backend: "tpu", cells: [] }), /backend/],
  ] as const) {
    const { notebook: parsed, errors } = fromJson(text);
    assert.equal(parsed, null, text);
    assert.match(errors.join("; "), message);
  }
});

test("bad cells and settings are reported by position and field, the rest kept", () => {
  const { notebook: parsed, errors } = fromJson(
    JSON.stringify({
      version: 1,
      cells: [
        { kind: "lab", settings: { family: "gan", learning_rate: -1, loss: "wasserstein" } },
        { kind: "video" },
        { kind: "text", text: 5 },
        { kind: "text", text: "x".repeat(LIMITS.textChars + 1) },
      ],
    }),
  );
  assert.equal(parsed?.cells.length, 1);
  const lab = parsed?.cells[0];
  assert.ok(lab?.kind === "lab" && lab.lab.family === "gan" && lab.lab.shared.learning_rate === DEFAULT_STATE.shared.learning_rate);
  assert.deepEqual(
    errors.map((e) => e.split(":").slice(0, 2).join(":")),
    ["cell 1: learning_rate", "cell 1: loss", "cell 2: kind must be \"text\" or \"lab\"", "cell 3: text must be a string", "cell 4: text is longer than 20000 characters"],
  );
});

test("too many cells, oversized links and corrupt data are refused", async () => {
  const many = JSON.stringify({ version: 1, cells: Array.from({ length: LIMITS.cells + 1 }, () => ({ kind: "text", text: "" })) });
  assert.match(fromJson(many).errors[0], /at most/);
  assert.match((await fromFragment(`nb=${"A".repeat(LIMITS.fragmentChars)}`)).errors[0], /longer than/);
  const corrupt = await fromFragment("nb=AAAA");
  assert.equal(corrupt.notebook, null);
  assert.match(corrupt.errors[0], /cannot be read/);
  assert.deepEqual(await fromFragment("other=1"), { notebook: null, errors: [] });
});

test("a lesson link's hidden controls must be known ones", () => {
  const json = (hide: unknown) => JSON.stringify({ version: 1, cells: [{ kind: "lab", settings: { family: "vae" }, hide }] });
  const ok = fromJson(json(["reset", "reset", "exports"]));
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.notebook?.cells[0], { kind: "lab", lab: { ...defaultsFor("vae"), backend: "auto" }, hide: ["reset", "exports"] });
  for (const bad of [["train"], "dataset", [1], Array(20).fill("reset")]) {
    const { notebook: parsed, errors } = fromJson(json(bad));
    assert.equal(errors.length, 1, JSON.stringify(bad));
    assert.match(errors[0], /^cell 1: hide: /);
    assert.deepEqual(parsed?.cells[0], { kind: "lab", lab: { ...defaultsFor("vae"), backend: "auto" } }, "the lab is kept, nothing hidden");
  }
});

test("unknown, wrong-typed or malformed lab settings are reported, the lab kept with its defaults", () => {
  const many = Object.fromEntries(Array.from({ length: 5 }, (_, k) => [`extra${k}`, 1]));
  const { notebook: parsed, errors } = fromJson(
    JSON.stringify({
      version: 1,
      cells: [
        { kind: "lab", settings: { family: "vae", evil: "<script>", width: [[[64]]], beta: { value: 2 } } },
        { kind: "lab", settings: "family=gan" },
        { kind: "lab", settings: { family: "gan", ...many } },
      ],
    }),
  );
  assert.deepEqual(errors, [
    'cell 1: settings: unknown field "evil" ignored',
    "cell 1: width: must be a string or a number",
    "cell 1: beta: must be a string or a number",
    "cell 2: settings: must be an object",
    'cell 3: settings: unknown fields "extra0", "extra1", "extra2" and 2 more ignored',
  ]);
  assert.deepEqual(
    parsed?.cells.map((cell) => cell.kind === "lab" && cell.lab),
    [
      { ...defaultsFor("vae"), backend: "auto" },
      { ...defaultsFor("vae"), backend: "auto" },
      { ...defaultsFor("gan"), backend: "auto" },
    ],
  );
});

test("an old notebook loads to the state it always did, and is written back the same", () => {
  // As the page wrote it before the schema (its keys in the order of the old table of settings).
  const old =
    '{"version":1,"backend":"cpu","cells":[{"kind":"text","text":"Old"},' +
    '{"kind":"lab","settings":{"family":"diffusion","dataset":"moons","seed":"42","width":"48","sampler":"ddim","ddim_steps":"12","eta":"0.5"},"hide":["reset"]},' +
    '{"kind":"lab","settings":{"family":"gan","dataset":"rings","learning_rate":"0.0005","loss":"hinge","d_steps":"2"}},' +
    '{"kind":"lab","settings":{"family":"pixel_cnn","layers":"3","channels":"16"}}]}';
  const { notebook: parsed, errors } = fromJson(old);
  assert.deepEqual(errors, []);
  const diffusion = defaultsFor("diffusion", "moons");
  const gan = defaultsFor("gan", "rings");
  assert.deepEqual(parsed?.cells, [
    { kind: "text", text: "Old" },
    {
      kind: "lab",
      lab: {
        family: "diffusion",
        dataset: "moons",
        backend: "cpu",
        shared: { ...diffusion.shared, seed: 42 },
        settings: { ...diffusion.settings, width: 48, sampler: "ddim", ddim_steps: 12, eta: 0.5 },
      },
      hide: ["reset"],
    },
    {
      kind: "lab",
      lab: {
        family: "gan",
        dataset: "rings",
        backend: "cpu",
        shared: { ...gan.shared, learning_rate: 0.0005 },
        settings: { ...gan.settings, loss: "hinge", d_steps: 2 },
      },
    },
    { kind: "lab", lab: withChange(defaultsFor("pixel_cnn"), { backend: "cpu", settings: { layers: 3, channels: 16 } }) },
  ]);
  assert.ok(parsed !== null);
  assert.deepEqual(JSON.parse(toJson(parsed)), JSON.parse(old));
});

test("a lab cell's setting of another family is ignored, not kept; a malformed one is still named", () => {
  const { notebook: parsed, errors } = fromJson(
    JSON.stringify({ version: 1, cells: [{ kind: "lab", settings: { family: "gan", solver: "rk4", loss: "hinge", components: [1] } }] }),
  );
  assert.deepEqual(errors, ["cell 1: components: must be a string or a number"]);
  const cell = parsed?.cells[0];
  assert.ok(cell?.kind === "lab");
  assert.deepEqual(cell.lab, withChange(defaultsFor("gan"), { settings: { loss: "hinge" } }));
  assert.deepEqual(JSON.parse(toJson({ backend: "auto", cells: [cell] })).cells[0].settings, { family: "gan", loss: "hinge" });
});

/** A 1000-point drawing like a student's: three sprayed blobs (a seeded LCG), encoded. */
function drawnCell(): Cell {
  let state = 5;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const drawing = new Drawing({ x_min: -4, x_max: 4, y_min: -4, y_max: 4 }, random);
  for (const [x, y] of [[-2, -1], [0, 2], [2, -1]]) drawing.spray(x, y, 0.6, 334);
  return { kind: "lab", lab: { ...defaultsFor("flow_matching"), backend: "cpu" }, drawing: encodeDrawing({ window: drawing.window, points: drawing.points }) };
}

test("a drawn dataset travels in the JSON and the link, and 1000 points keep the link short", async () => {
  const withDrawing: Notebook = { backend: "cpu", cells: [drawnCell()] };
  assert.deepEqual(fromJson(toJson(withDrawing)), { notebook: withDrawing, errors: [] });
  const fragment = await toFragment(withDrawing);
  assert.deepEqual(await fromFragment(fragment), { notebook: withDrawing, errors: [] });
  // Measured: 3 008 characters of xy, a 3 050-character fragment (README states it).
  assert.ok(fragment.length < 3200, `a 1000-point drawing makes a ${fragment.length}-character fragment`);
});

test("a malformed drawing is named, and its lab kept on its dataset", () => {
  const json = JSON.parse(toJson({ backend: "cpu", cells: [drawnCell()] }));
  json.cells[0].drawing.xy = "A<A";
  const { notebook: back, errors } = fromJson(JSON.stringify(json));
  assert.deepEqual(errors, ["cell 1: drawing: xy: character 2 is not base64url (the lab trains on its dataset instead)"]);
  assert.equal(back?.cells.length, 1);
  assert.equal((back?.cells[0] as { drawing?: unknown }).drawing, undefined);
});
