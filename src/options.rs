//! Options as they arrive from JavaScript, URLs or files: one flat JSON object per lab, merged
//! over documented defaults, with every error naming its field.
//!
//! A lab's options are the [`TrainingConfig`] fields (dataset, seed, batch size, learning rate)
//! followed by its family's own config fields, side by side in one object, for example
//! `{"dataset": "moons", "learning_rate": 0.002, "solver": "rk4"}`. Missing fields keep their
//! defaults (the family's default dataset, and on images the family's image defaults);
//! unknown fields, wrong types and out-of-range values are rejected, never clamped.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::data::DatasetSpec;
use crate::family::FamilyConfig;
use crate::settings::{OptionError, to_map};
use crate::training::TrainingConfig;

/// The complete, validated options of one lab.
#[derive(Clone, Debug)]
pub struct LabOptions<C> {
    /// Dataset, seed, batch size and learning rate.
    pub training: TrainingConfig,
    /// The family's own settings.
    pub model: C,
}

impl<C: FamilyConfig> LabOptions<C> {
    /// The defaults of every field, on the family's default dataset.
    pub fn defaults() -> Self {
        Self::parse(&Value::Null).expect("a family's defaults are valid")
    }

    /// Parses a flat options object (`null` means all defaults) and validates every field.
    /// Fields it leaves out take the family's defaults for the kind of data it names (images
    /// or points).
    pub fn parse(value: &Value) -> Result<Self, OptionError> {
        let user = match value {
            Value::Null => Map::new(),
            Value::Object(map) => map.clone(),
            other => {
                return Err(OptionError::new(
                    "options",
                    format!("expected an object of settings, got {}", kind_of(other)),
                ));
            }
        };
        let mut training = to_map(&TrainingConfig::new());
        let dataset = match user.get("dataset") {
            Some(named) => named.clone(),
            None => serde_json::to_value(C::default_dataset()).expect("datasets serialise"),
        };
        training.insert("dataset".into(), dataset.clone());
        let mut model = to_map(&C::defaults());
        let images = matches!(DatasetSpec::from_json(&dataset), Ok(DatasetSpec::Images(_)));
        if images {
            for (key, value) in C::image_defaults() {
                let target = if training.contains_key(&key) {
                    &mut training
                } else {
                    &mut model
                };
                target.insert(key, value);
            }
        }
        for (key, value) in user {
            let target = if training.contains_key(&key) {
                &mut training
            } else if model.contains_key(&key) {
                &mut model
            } else {
                let mut known: Vec<&String> = training.keys().chain(model.keys()).collect();
                known.sort();
                let known: Vec<&str> = known.into_iter().map(String::as_str).collect();
                return Err(OptionError::new(
                    key,
                    format!("unknown option; known options are {}", known.join(", ")),
                ));
            };
            target.insert(key, value);
        }
        let options = Self {
            training: from_map(training)?,
            model: from_map(model)?,
        };
        options.training.validate()?;
        options.model.validate()?;
        Ok(options)
    }

    /// These options with sampling settings changed (`patch`, an object of fields among the
    /// family's [`FamilyConfig::sampling_fields`]); any other field is rejected by name, since
    /// it would need a new model.
    pub fn with_sampling(&self, patch: &Value) -> Result<Self, OptionError> {
        let Value::Object(patch) = patch else {
            let why = format!(
                "expected an object of sampling settings, got {}",
                kind_of(patch)
            );
            return Err(OptionError::new("options", why));
        };
        let mut all = match self.to_json() {
            Value::Object(map) => map,
            _ => unreachable!("options serialise to a JSON object"),
        };
        let sampling = C::sampling_fields();
        for (key, value) in patch {
            if !sampling.contains(&key.as_str()) {
                let why = format!(
                    "cannot change without a new model; sampling settings are: {}",
                    sampling.join(", ")
                );
                return Err(OptionError::new(key.clone(), why));
            }
            all.insert(key.clone(), value.clone());
        }
        Self::parse(&Value::Object(all))
    }

    /// Every field, flat, as the JavaScript side sees them.
    pub fn to_json(&self) -> Value {
        let mut all = to_map(&self.training);
        all.extend(to_map(&self.model));
        Value::Object(all)
    }
}

fn from_map<T: DeserializeOwned>(map: Map<String, Value>) -> Result<T, OptionError> {
    serde_path_to_error::deserialize(Value::Object(map)).map_err(|error| {
        let field = error.path().to_string();
        OptionError::new(field, error.into_inner().to_string())
    })
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
