// The notebook: ordered text and lab cells, one serialisable state. It travels in the URL
// fragment as deflate-compressed, base64url JSON (`#nb=…`) and as plain JSON files; both are
// untrusted on the way in, so sizes are limited, the version is checked and every lab setting is
// validated by name (the defaults are kept for a bad one).

import { decodeDrawing, type EncodedDrawing } from "./drawn_points";
import type { BackendPreference } from "./genlab";
import { HIDEABLE, SETTING_NAMES, parseSettings, settingsOf, type Hideable, type LabState } from "./state";

/** The version written by this page; older versions are migrated, newer ones refused. */
export const NOTEBOOK_VERSION = 1;

/** Limits on untrusted notebooks. */
export const LIMITS = { fragmentChars: 64 * 1024, jsonBytes: 1024 * 1024, cells: 100, textChars: 20_000 } as const;

/** A cell: Markdown text (with `$…$` math), or a lab with its settings, the controls a lesson
 * link hides and the points drawn for it to train on (see `drawn_points.ts`). */
export type Cell = { kind: "text"; text: string } | { kind: "lab"; lab: LabState; hide?: Hideable[]; drawing?: EncodedDrawing };

/** The whole notebook. */
export interface Notebook {
  backend: BackendPreference;
  cells: Cell[];
}

/** A notebook read from outside, and a message per part that was rejected. */
export interface ParsedNotebook {
  notebook: Notebook | null;
  errors: string[];
}

/** A lab's settings that differ from its family's defaults (the backend is the notebook's). */
function labSettings(lab: LabState): Record<string, string> {
  const { backend: _backend, ...settings } = settingsOf(lab);
  return settings;
}

/** The JSON form: text as is, labs as their settings that differ from the family's defaults. */
export function toJson(notebook: Notebook): string {
  return JSON.stringify({
    version: NOTEBOOK_VERSION,
    backend: notebook.backend,
    cells: notebook.cells.map((cell) =>
      cell.kind === "text"
        ? { kind: "text", text: cell.text }
        : {
            kind: "lab",
            settings: labSettings(cell.lab),
            ...(cell.hide?.length ? { hide: cell.hide } : {}),
            ...(cell.drawing === undefined ? {} : { drawing: cell.drawing }),
          },
    ),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses and validates a notebook's JSON text. */
export function fromJson(text: string): ParsedNotebook {
  if (text.length > LIMITS.jsonBytes) {
    return { notebook: null, errors: [`the notebook is ${text.length} characters; at most ${LIMITS.jsonBytes} are read`] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { notebook: null, errors: ["the notebook is not valid JSON"] };
  }
  if (!isRecord(value)) return { notebook: null, errors: ["the notebook must be a JSON object"] };
  const version = value.version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    return { notebook: null, errors: ["version: must be a whole number ≥ 1"] };
  }
  if (version > NOTEBOOK_VERSION) {
    return { notebook: null, errors: [`version: ${version} is newer than this page understands (${NOTEBOOK_VERSION})`] };
  }
  const backend = value.backend ?? "auto";
  if (backend !== "auto" && backend !== "cpu" && backend !== "webgpu") {
    return { notebook: null, errors: ['backend: must be "auto", "cpu" or "webgpu"'] };
  }
  if (!Array.isArray(value.cells)) return { notebook: null, errors: ["cells: must be an array"] };
  if (value.cells.length > LIMITS.cells) {
    return { notebook: null, errors: [`cells: ${value.cells.length} cells; at most ${LIMITS.cells} are read`] };
  }
  const errors: string[] = [];
  const cells: Cell[] = [];
  value.cells.forEach((raw: unknown, index: number) => {
    const where = `cell ${index + 1}`;
    if (!isRecord(raw)) {
      errors.push(`${where}: must be an object`);
    } else if (raw.kind === "text") {
      if (typeof raw.text !== "string") errors.push(`${where}: text must be a string`);
      else if (raw.text.length > LIMITS.textChars) errors.push(`${where}: text is longer than ${LIMITS.textChars} characters`);
      else cells.push({ kind: "text", text: raw.text });
    } else if (raw.kind === "lab") {
      const settings = rawSettings(raw.settings);
      const parsed = parseSettings(settings.get);
      errors.push(...[...settings.errors, ...parsed.errors].map((e) => `${where}: ${e}`));
      const hide = parseHide(raw.hide);
      if (typeof hide === "string") errors.push(`${where}: hide: ${hide}`);
      const lab: Cell = { kind: "lab", lab: { ...parsed.state, backend } };
      if (Array.isArray(hide) && hide.length > 0) lab.hide = hide;
      if (raw.drawing !== undefined) {
        try {
          decodeDrawing(raw.drawing);
          const { window, xy } = raw.drawing as EncodedDrawing;
          lab.drawing = { window: [...window], xy };
        } catch (error) {
          errors.push(`${where}: ${(error as Error).message} (the lab trains on its dataset instead)`);
        }
      }
      cells.push(lab);
    } else {
      errors.push(`${where}: kind must be "text" or "lab"`);
    }
  });
  return { notebook: { backend, cells }, errors };
}

/** Most unknown setting names one message lists. */
const UNKNOWN_LISTED = 3;

/**
 * A lab cell's raw settings as `parseSettings` reads them (each known one that is a string or a
 * number, as text; the backend is the notebook's), and a message per malformed part. The
 * settings of every family are known names here; `parseSettings` reads only the cell family's.
 */
function rawSettings(raw: unknown): { get: (name: string) => string | null; errors: string[] } {
  if (raw === undefined) return { get: () => null, errors: [] };
  if (!isRecord(raw)) return { get: () => null, errors: ["settings: must be an object"] };
  const errors: string[] = [];
  const unknown = Object.keys(raw).filter((name) => !SETTING_NAMES.has(name));
  if (unknown.length > 0) {
    const listed = unknown.slice(0, UNKNOWN_LISTED).map((name) => JSON.stringify(name.slice(0, 40)));
    const more = unknown.length > UNKNOWN_LISTED ? ` and ${unknown.length - UNKNOWN_LISTED} more` : "";
    errors.push(`settings: unknown ${unknown.length === 1 ? "field" : "fields"} ${listed.join(", ")}${more} ignored`);
  }
  const usable = (value: unknown): value is string | number => typeof value === "string" || typeof value === "number";
  for (const [name, value] of Object.entries(raw)) {
    if (SETTING_NAMES.has(name) && !usable(value)) errors.push(`${name}: must be a string or a number`);
  }
  const get = (name: string) => (name !== "backend" && Object.hasOwn(raw, name) && usable(raw[name]) ? String(raw[name]) : null);
  return { get, errors };
}

/** The controls a lab cell hides, or a message when `raw` is not a list of known ones. */
function parseHide(raw: unknown): Hideable[] | string {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > HIDEABLE.length) return `must be a list of at most ${HIDEABLE.length} controls`;
  const known = raw.filter((name): name is Hideable => (HIDEABLE as readonly unknown[]).includes(name));
  if (known.length !== raw.length) return `must name only ${HIDEABLE.join(", ")}`;
  return [...new Set(known)];
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function transform(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new Error(`more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The URL fragment of a notebook: `nb=` and its JSON, deflated and base64url-encoded. */
export async function toFragment(notebook: Notebook): Promise<string> {
  const json = new TextEncoder().encode(toJson(notebook));
  return `nb=${toBase64Url(await transform(json, new CompressionStream("deflate-raw"), Infinity))}`;
}

/** Reads a notebook from a URL fragment (without `#`); `null` notebook when there is none. */
export async function fromFragment(fragment: string): Promise<ParsedNotebook> {
  if (!fragment.startsWith("nb=")) return { notebook: null, errors: [] };
  if (fragment.length > LIMITS.fragmentChars) {
    return { notebook: null, errors: [`the link's notebook is longer than ${LIMITS.fragmentChars} characters`] };
  }
  let json: string;
  try {
    const bytes = await transform(fromBase64Url(fragment.slice(3)), new DecompressionStream("deflate-raw"), LIMITS.jsonBytes);
    json = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    return { notebook: null, errors: [`the link's notebook cannot be read: ${error instanceof Error ? error.message : "corrupt data"}`] };
  }
  return fromJson(json);
}
