//! What the front end is drawn from: every family's settings with their defaults, the kinds of
//! data it learns and its defaults on images, plus the settings and datasets every lab shares.
//! Serialised as is by `schemas()` in JavaScript and into the generated TypeScript
//! (`www/src/generated/`), so that no range or default is restated outside Rust.

mod typescript;

pub use typescript::{GENERATED_DIR, RESULT_TYPES, SCHEMA_TYPES};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::data::digits::ImageSet;
use crate::data::{Dataset, DatasetSpec};
use crate::family::{Family, FamilyConfig, FamilyInput};
use crate::settings::{Setting, to_map};
use crate::training::TrainingConfig;

/// A setting and its default.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SettingSchema {
    /// The setting.
    #[serde(flatten)]
    pub setting: Setting,
    /// Its default (on points; see [`FamilySchema::image_defaults`]).
    pub default: Value,
}

/// The kinds of data a family learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// 2-D points: the toy sets, mixtures, the user's points.
    Points,
    /// Images: the digits.
    Images,
}

/// One family's schema.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FamilySchema {
    /// The snake_case name used in options, URLs and notebooks.
    pub name: &'static str,
    /// Its JavaScript class (e.g. `"FlowMatching"`).
    pub class: &'static str,
    /// The kinds of data it learns.
    pub data: Vec<DataKind>,
    /// The dataset a lab learns when its options name none.
    pub default_dataset: Value,
    /// Its own settings, in display order, with their defaults.
    pub settings: Vec<SettingSchema>,
    /// Where its defaults on images differ, for its own settings and the shared ones.
    pub image_defaults: Map<String, Value>,
}

impl FamilySchema {
    /// The schema of family `F`, whose JavaScript class is `class`; its defaults are read from
    /// its config.
    pub fn of<F: Family>(class: &'static str) -> Self {
        let data = match F::INPUT {
            FamilyInput::Points => vec![DataKind::Points],
            FamilyInput::Images => vec![DataKind::Images],
            FamilyInput::Both => vec![DataKind::Points, DataKind::Images],
        };
        Self {
            name: F::NAME,
            class,
            data,
            default_dataset: to_json(&F::Config::default_dataset()),
            settings: with_defaults(F::Config::settings(), &F::Config::defaults()),
            image_defaults: F::Config::image_defaults(),
        }
    }
}

/// A named dataset and the kind of data it holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedDataset {
    /// Its name in options.
    pub name: Value,
    /// Points or images.
    pub kind: DataKind,
}

/// Everything the front end is drawn from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabSchema {
    /// The settings every lab shares (besides the dataset), with their defaults.
    pub shared: Vec<SettingSchema>,
    /// The named datasets, 2-D sets first.
    pub datasets: Vec<NamedDataset>,
    /// Every family, in the order the notes teach them.
    pub families: Vec<FamilySchema>,
}

impl LabSchema {
    /// The schema of the shared settings and datasets, with `families`.
    pub fn new(families: Vec<FamilySchema>) -> Self {
        let points = Dataset::ALL.iter().map(|set| NamedDataset {
            name: to_json(set),
            kind: DataKind::Points,
        });
        let images = [ImageSet::Digits].into_iter().map(|set| NamedDataset {
            name: to_json(&DatasetSpec::Images(set)),
            kind: DataKind::Images,
        });
        Self {
            shared: with_defaults(TrainingConfig::settings(), &TrainingConfig::new()),
            datasets: points.chain(images).collect(),
            families,
        }
    }
}

/// `settings` with their values in `defaults`.
fn with_defaults(settings: Vec<Setting>, defaults: &impl Serialize) -> Vec<SettingSchema> {
    let values = to_map(defaults);
    settings
        .into_iter()
        .map(|setting| SettingSchema {
            default: values.get(setting.name).cloned().unwrap_or(Value::Null),
            setting,
        })
        .collect()
}

fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("names serialise to JSON")
}
