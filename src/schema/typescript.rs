//! The TypeScript generated from Rust: the API's types (`api.ts`: the options from the schema,
//! then the result types of `results.ts`; also appended to the `.d.ts` wasm-bindgen emits) and
//! the schema itself as a constant the front end is drawn from (`schema.ts`). Written by
//! `cargo run --example typescript`; `tests/generated_typescript.rs` fails when the files in
//! `www/src/generated/` differ from what Rust gives.

use std::fmt::Write;

use super::{DataKind, LabSchema, SettingSchema};
use crate::settings::SettingKind;

/// Where the generated files live, relative to the repository root.
pub const GENERATED_DIR: &str = "www/src/generated";

/// The first lines of every generated file.
const HEADER: &str = "// Generated from the Rust schema (`src/schema/`, each family's `settings()`) by\n\
// `cargo run --example typescript`. Do not edit: `tests/generated_typescript.rs` fails when\n\
// this file and the schema differ.\n";

/// The JSON forms of a custom dataset that `DatasetSpec::from_json` (`src/data/spec.rs`) reads.
const CUSTOM_DATASET: &str = "/** A data source given by its parameters or points (validated in Rust). */
export type CustomDataset =
  | { kind: \"mixture\"; weights: number[]; means: [number, number][]; covariances: [number, number, number, number][] }
  | { kind: \"points\"; csv: string };
/** Any dataset known by name: the 2-D sets and the image sets. */
export type NamedDataset = DatasetName | ImageSetName;
/** A dataset name or a custom data source. */
export type DatasetSpec = NamedDataset | CustomDataset;
";

/// The result types of the API, written beside the code that returns them.
pub const RESULT_TYPES: &str = include_str!("results.ts");

/// The schema's own types, for `schema.ts` and the `.d.ts` wasm-bindgen emits.
pub const SCHEMA_TYPES: &str = "/** The values a setting takes. */
export type SettingValue = string | number | boolean;
/** One setting: its kind, range or choices, help text, whether it only changes sampling, and its default. */
export interface SettingSchema {
  name: string;
  kind: \"number\" | \"integer\" | \"choice\" | \"boolean\";
  min?: number;
  max?: number;
  choices?: readonly string[];
  help: string;
  sampling: boolean;
  default: SettingValue;
}
/** The kinds of data: 2-D points and images. */
export type DataKind = \"points\" | \"images\";
/** A family's schema. */
export interface FamilySchema {
  name: FamilyName;
  class: FamilyClassName;
  data: readonly DataKind[];
  default_dataset: NamedDataset;
  settings: readonly SettingSchema[];
  image_defaults: Readonly<Record<string, SettingValue>>;
}
/** Everything the front end is drawn from. */
export interface LabSchema {
  shared: readonly SettingSchema[];
  datasets: readonly { name: NamedDataset; kind: DataKind }[];
  families: readonly FamilySchema[];
}
";

impl LabSchema {
    /// `(file name, contents)` of every generated TypeScript file.
    pub fn typescript_files(&self) -> Vec<(&'static str, String)> {
        vec![
            ("api.ts", self.api_typescript()),
            ("schema.ts", self.schema_typescript()),
        ]
    }

    /// The API's types: dataset and family names, one options interface per family, then the
    /// result types.
    pub fn api_typescript(&self) -> String {
        let mut out = String::from(HEADER);
        let names = |kind: DataKind| {
            let names = self.datasets.iter().filter(|set| set.kind == kind);
            union(names.map(|set| set.name.to_string()))
        };
        let _ = writeln!(out, "\n/** A 2-D dataset's name. */");
        let _ = writeln!(
            out,
            "export type DatasetName = {};",
            names(DataKind::Points)
        );
        let _ = writeln!(out, "/** An image dataset's name. */");
        let _ = writeln!(
            out,
            "export type ImageSetName = {};",
            names(DataKind::Images)
        );
        out.push_str(CUSTOM_DATASET);
        let families = || self.families.iter();
        let _ = writeln!(
            out,
            "/** A family's name, as in options, URLs and notebooks. */"
        );
        let family_names = union(families().map(|family| quoted(family.name)));
        let _ = writeln!(out, "export type FamilyName = {family_names};");
        let _ = writeln!(out, "/** A family's JavaScript class. */");
        let classes = union(families().map(|family| quoted(family.class)));
        let _ = writeln!(out, "export type FamilyClassName = {classes};");

        let _ = writeln!(out, "\n/** Settings every family shares. */");
        let _ = writeln!(out, "export interface TrainingOptions {{");
        let _ = writeln!(
            out,
            "  /** The data to learn: a dataset's name or a custom set. */"
        );
        let _ = writeln!(out, "  dataset?: DatasetSpec;");
        for setting in &self.shared {
            field(&mut out, setting);
        }
        out.push_str("}\n");
        for family in families() {
            let _ = writeln!(out, "/** The settings of `{}`. */", family.class);
            let _ = writeln!(
                out,
                "export interface {}Options extends TrainingOptions {{",
                family.class
            );
            for setting in &family.settings {
                field(&mut out, setting);
            }
            out.push_str("}\n");
        }
        let _ = writeln!(out, "/** Each family class's options, by class name. */");
        let _ = writeln!(out, "export interface OptionsByClass {{");
        for family in families() {
            let _ = writeln!(out, "  {0}: {0}Options;", family.class);
        }
        out.push_str("}\n\n");
        out.push_str(RESULT_TYPES);
        out
    }

    /// The schema as a constant.
    pub fn schema_typescript(&self) -> String {
        let mut out = String::from(HEADER);
        out.push_str(
            "\nimport type { FamilyClassName, FamilyName, NamedDataset } from \"./api\";\n\n",
        );
        out.push_str(SCHEMA_TYPES);
        let json = serde_json::to_string_pretty(self).expect("the schema serialises");
        let _ = writeln!(
            out,
            "\n/** Every family's settings, and the shared ones. */"
        );
        let _ = writeln!(out, "export const SCHEMA: LabSchema = {json};");
        out
    }
}

/// One optional field of an options interface, documented with its help, range and default.
fn field(out: &mut String, setting: &SettingSchema) {
    let s = &setting.setting;
    let (ty, range) = match &s.kind {
        SettingKind::Number { min, max } => ("number".to_string(), format!("{min} … {max}")),
        SettingKind::Integer { min, max } => {
            ("number".to_string(), format!("whole, {min} … {max}"))
        }
        SettingKind::Choice { choices } => (
            union(choices.iter().map(|choice| quoted(choice))),
            String::new(),
        ),
        SettingKind::Boolean => ("boolean".to_string(), String::new()),
    };
    let range = if range.is_empty() {
        String::new()
    } else {
        format!("{range}; ")
    };
    let sampling = if s.sampling { "; sampling only" } else { "" };
    let _ = writeln!(
        out,
        "  /** {} ({range}default {}{sampling}). */",
        s.help, setting.default
    );
    let _ = writeln!(out, "  {}?: {ty};", s.name);
}

fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

fn union(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(" | ")
}
