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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{CustomDataset, Dataset, DatasetSpec};
    use crate::models::flow_matching::FlowMatchingConfig;
    use crate::models::ode::OdeSolver;
    use serde_json::json;

    type Options = LabOptions<FlowMatchingConfig>;

    fn error_field(value: Value) -> String {
        Options::parse(&value).expect_err("must be rejected").field
    }

    #[test]
    fn missing_fields_keep_their_defaults() {
        let options = Options::parse(&json!({"dataset": "moons", "solver": "rk4"})).unwrap();
        assert_eq!(options.training.dataset, DatasetSpec::Named(Dataset::Moons));
        assert_eq!(options.model.solver, OdeSolver::Rk4);
        let defaults = Options::defaults();
        assert_eq!(options.training.batch_size, defaults.training.batch_size);
        assert_eq!(options.model.width, defaults.model.width);
        assert!(Options::parse(&Value::Null).is_ok());
    }

    #[test]
    fn round_trips_through_its_json() {
        let options = Options::parse(&json!({"seed": 9, "sample_steps": 10})).unwrap();
        let again = Options::parse(&options.to_json()).unwrap();
        assert_eq!(again.to_json(), options.to_json());
    }

    #[test]
    fn bad_values_are_rejected_naming_the_field() {
        assert_eq!(error_field(json!({"learning_rate": -0.1})), "learning_rate");
        assert_eq!(
            error_field(json!({"learning_rate": "fast"})),
            "learning_rate"
        );
        assert_eq!(error_field(json!({"batch_size": 0})), "batch_size");
        assert_eq!(error_field(json!({"batch_size": 2.5})), "batch_size");
        assert_eq!(error_field(json!({"dataset": "mnist"})), "dataset");
        assert_eq!(error_field(json!({"solver": "adams"})), "solver");
        assert_eq!(error_field(json!({"width": 0})), "width");
        assert_eq!(error_field(json!({"learning_rat": 0.1})), "learning_rat");
        assert_eq!(error_field(json!([1, 2])), "options");
    }

    #[test]
    fn custom_datasets_are_parsed_and_validated() {
        let mixture = json!({"dataset": {"kind": "mixture", "weights": [1, 2],
            "means": [[0, 0], [2, 1]], "covariances": [[1, 0, 0, 1], [0.5, 0.1, 0.1, 0.3]]}});
        let options = Options::parse(&mixture).unwrap();
        assert!(matches!(
            options.training.dataset,
            DatasetSpec::Custom(CustomDataset::Mixture { .. })
        ));
        assert_eq!(
            Options::parse(&options.to_json()).unwrap().to_json(),
            options.to_json()
        );
        let points = json!({"dataset": {"kind": "points", "csv": "x,y\n0,0\n1,1\n2,0.5"}});
        assert!(Options::parse(&points).is_ok());
        for (bad, says) in [
            (
                json!({"kind": "mixture", "weights": [1], "means": [[0, 0]], "covariances": [[1, 2, 2, 1]]}),
                "component 0",
            ),
            (json!({"kind": "points", "csv": "0,0\n1,oops"}), "line 2"),
            (json!({"kind": "points", "csv": "0,0"}), "at least 2"),
        ] {
            let error = Options::parse(&json!({"dataset": bad})).unwrap_err();
            assert_eq!(error.field, "dataset");
            assert!(error.message.contains(says), "{}", error.message);
        }
        assert_eq!(
            error_field(json!({"dataset": {"kind": "circle"}})),
            "dataset"
        );
    }

    #[test]
    fn range_messages_state_the_range() {
        let error = Options::parse(&json!({"learning_rate": 5.0})).unwrap_err();
        assert_eq!(error.message, "must be between 0.000001 and 1, got 5");
    }

    #[test]
    fn a_wrong_dataset_is_named_with_where_and_what_was_expected() {
        let bad = json!({"dataset": {"kind": "mixture", "weights": [1],
            "means": [[0, 0, 1]], "covariances": [[1, 0, 0, 1]]}});
        let error = Options::parse(&bad).unwrap_err();
        assert_eq!(error.field, "dataset");
        assert_eq!(error.message, "means[0]: expected 2 numbers [x, y], got 3");
        let error = Options::parse(&json!({"dataset": "moonz"})).unwrap_err();
        assert!(
            error.message.ends_with("got \"moonz\""),
            "{}",
            error.message
        );
    }
}
