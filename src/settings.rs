//! The settings schema, declared once in Rust for every family and for the settings all labs
//! share, and the errors that name a rejected setting. A leaf module: it knows no family, no
//! session and no device.
//!
//! Each [`Setting`] says what a control, a URL key, a tooltip and the validation need: its name,
//! its kind (number, integer, choice, boolean) with its range or choices, a one-line help text,
//! and whether it only changes sampling. [`check_settings`] validates a config serialised to
//! JSON against its settings, so a range is stated in exactly one place; the front end's
//! controls and the generated TypeScript types are drawn from the same list.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A rejected option: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError {
    /// The offending field, as spelled in the options object.
    pub field: String,
    /// What is wrong and what is accepted.
    pub message: String,
}

impl OptionError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "option `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for OptionError {}

/// What values a setting takes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SettingKind {
    /// A real number in `min ..= max`.
    Number {
        /// The smallest value accepted.
        min: f64,
        /// The largest value accepted.
        max: f64,
    },
    /// A whole number in `min ..= max`.
    Integer {
        /// The smallest value accepted.
        min: f64,
        /// The largest value accepted.
        max: f64,
    },
    /// One of a list of snake_case names.
    Choice {
        /// The names accepted, in display order.
        choices: Vec<String>,
    },
    /// `true` or `false`.
    Boolean,
}

/// One setting: what a control, a URL key, a tooltip and the validation need.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Setting {
    /// The key in options objects, URLs and notebooks.
    pub name: &'static str,
    /// Its kind and range or choices.
    #[serde(flatten)]
    pub kind: SettingKind,
    /// One line saying what it does.
    pub help: &'static str,
    /// Whether it only changes how samples are drawn (a trained model takes it without
    /// retraining).
    pub sampling: bool,
}

/// An enum chosen by name in options: its variants, listed once next to the enum.
pub trait Choice: Serialize + DeserializeOwned + 'static {
    /// Every variant, in display order.
    const ALL: &'static [Self];
}

impl Setting {
    /// A real number in `min ..= max`.
    pub fn number(name: &'static str, min: f64, max: f64, help: &'static str) -> Self {
        Self::of(name, SettingKind::Number { min, max }, help)
    }

    /// A whole number in `min ..= max`.
    pub fn integer(name: &'static str, min: u64, max: u64, help: &'static str) -> Self {
        let (min, max) = (min as f64, max as f64);
        Self::of(name, SettingKind::Integer { min, max }, help)
    }

    /// One of the variants of `C`, by their serialised names.
    pub fn choice<C: Choice>(name: &'static str, help: &'static str) -> Self {
        let choices = C::ALL.iter().map(choice_name).collect();
        Self::of(name, SettingKind::Choice { choices }, help)
    }

    /// `true` or `false`.
    pub fn boolean(name: &'static str, help: &'static str) -> Self {
        Self::of(name, SettingKind::Boolean, help)
    }

    /// This setting, marked as one that only changes sampling.
    pub fn for_sampling(mut self) -> Self {
        self.sampling = true;
        self
    }

    fn of(name: &'static str, kind: SettingKind, help: &'static str) -> Self {
        Self {
            name,
            kind,
            help,
            sampling: false,
        }
    }

    /// Checks `value` (as serialised from a config) against this setting's range or choices.
    pub fn check(&self, value: &Value) -> Result<(), OptionError> {
        let number = value.as_f64();
        match (&self.kind, number) {
            (SettingKind::Number { min, max }, Some(v))
            | (SettingKind::Integer { min, max }, Some(v)) => check_range(self.name, v, *min, *max),
            (SettingKind::Choice { choices }, _) => match value.as_str() {
                Some(name) if choices.iter().any(|choice| choice == name) => Ok(()),
                _ => Err(OptionError::new(
                    self.name,
                    format!("must be one of {}, got {value}", choices.join(", ")),
                )),
            },
            (SettingKind::Boolean, _) if value.is_boolean() => Ok(()),
            _ => Err(OptionError::new(
                self.name,
                format!("has the wrong type: {value}"),
            )),
        }
    }
}

/// The serialised name of a choice (`GanObjective::WganGp` → `"wgan_gp"`).
pub fn choice_name<C: Serialize>(choice: &C) -> String {
    match serde_json::to_value(choice) {
        Ok(Value::String(name)) => name,
        _ => unreachable!("choices serialise to strings"),
    }
}

/// Checks every field of `config` (serialised to a JSON object) against `settings`, in the
/// settings' order; a field the settings do not declare is an error of the schema itself.
pub fn check_settings(settings: &[Setting], config: &impl Serialize) -> Result<(), OptionError> {
    let fields = to_map(config);
    for setting in settings {
        let value = fields.get(setting.name).unwrap_or(&Value::Null);
        setting.check(value)?;
    }
    Ok(())
}

/// A config serialised to its JSON object.
pub fn to_map(config: &impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(config) {
        Ok(Value::Object(map)) => map,
        _ => unreachable!("configs serialise to JSON objects"),
    }
}

/// Checks `value < bound`, `bound` being the value of setting `other`.
pub fn below(field: &str, value: f64, other: &str, bound: f64) -> Result<(), OptionError> {
    if value < bound {
        Ok(())
    } else {
        let why = format!("must be below {other} ({bound}), got {value}");
        Err(OptionError::new(field, why))
    }
}

/// A JSON object of setting values (e.g. `json!({"batch_size": 128})`) as a map.
pub fn settings_object(values: Value) -> Map<String, Value> {
    match values {
        Value::Object(map) => map,
        _ => unreachable!("setting values are written as a JSON object"),
    }
}

/// The shared network shape: `width` (1 ..= 1024) and `depth` (1 ..= 8) of a family's MLPs.
pub fn network_settings(width_help: &'static str, depth_help: &'static str) -> [Setting; 2] {
    [
        Setting::integer("width", 1, 1024, width_help),
        Setting::integer("depth", 1, 8, depth_help),
    ]
}

/// Checks that a count given as a JavaScript number is a whole number in `min ..= max` and
/// returns it; a fraction, NaN, an infinity or a value out of range is rejected with the value as
/// given (so `2³² + 1` is refused, never wrapped to 1).
pub fn check_count(field: &str, value: f64, min: u32, max: u32) -> Result<u32, OptionError> {
    if value.fract() == 0.0 && value >= f64::from(min) && value <= f64::from(max) {
        Ok(value as u32)
    } else {
        Err(OptionError::new(
            field,
            format!(
                "must be a whole number from {min} to {max}, got {}",
                js_number(value)
            ),
        ))
    }
}

/// A number as JavaScript writes it (`NaN`, `Infinity`, `-1`, `1.5`).
fn js_number(value: f64) -> String {
    match value {
        v if v.is_nan() => "NaN".into(),
        f64::INFINITY => "Infinity".into(),
        f64::NEG_INFINITY => "-Infinity".into(),
        v => format!("{v}"),
    }
}

/// Checks `min ≤ value ≤ max` (NaN fails), naming the field and the range otherwise.
pub fn check_range<T>(field: &str, value: T, min: T, max: T) -> Result<(), OptionError>
where
    T: PartialOrd + fmt::Display + Copy,
{
    if min <= value && value <= max {
        Ok(())
    } else {
        Err(OptionError::new(
            field,
            format!("must be between {min} and {max}, got {value}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Clone, Copy, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        DeepRed,
        Blue,
    }

    impl Choice for Colour {
        const ALL: &'static [Self] = &[Colour::DeepRed, Colour::Blue];
    }

    fn settings() -> Vec<Setting> {
        vec![
            Setting::integer("count", 1, 10, "How many"),
            Setting::number("rate", 1e-6, 1.0, "How fast").for_sampling(),
            Setting::choice::<Colour>("colour", "Which"),
            Setting::boolean("shiny", "Whether"),
        ]
    }

    #[test]
    fn values_are_checked_against_their_setting_naming_it() {
        let good = json!({"count": 3, "rate": 0.5, "colour": "deep_red", "shiny": true});
        assert_eq!(check_settings(&settings(), &good), Ok(()));
        for (field, bad, says) in [
            ("count", json!(11), "must be between 1 and 10, got 11"),
            ("rate", json!(0.0), "must be between 0.000001 and 1, got 0"),
            ("colour", json!("green"), "must be one of deep_red, blue"),
            ("shiny", json!(1), "wrong type"),
        ] {
            let mut config = good.clone();
            config[field] = bad;
            let error = check_settings(&settings(), &config).unwrap_err();
            assert_eq!(error.field, field);
            assert!(error.message.contains(says), "{}", error.message);
        }
    }

    #[test]
    fn the_schema_serialises_flat_with_its_kind() {
        let json = serde_json::to_value(settings()).unwrap();
        assert_eq!(
            json[0],
            json!({"name": "count", "kind": "integer", "min": 1.0, "max": 10.0,
                "help": "How many", "sampling": false})
        );
        assert_eq!(json[1]["sampling"], json!(true));
        assert_eq!(json[2]["choices"], json!(["deep_red", "blue"]));
        assert_eq!(json[3]["kind"], json!("boolean"));
    }

    #[test]
    fn range_messages_state_the_range() {
        assert!(check_range("x", f64::NAN, 0.0, 1.0).is_err());
        assert!(check_range("x", 1.0, 0.0, 1.0).is_ok());
        let error = check_range("x", 2.0, 0.0, 1.0).unwrap_err();
        assert_eq!(error.message, "must be between 0 and 1, got 2");
    }

    #[test]
    fn counts_are_whole_numbers_in_range_never_wrapped() {
        assert_eq!(check_count("steps", 7.0, 1, 100), Ok(7));
        assert_eq!(check_count("steps", 100.0, 1, 100), Ok(100));
        for (value, shown) in [
            (4_294_967_297.0, "4294967297"),
            (1.5, "1.5"),
            (f64::NAN, "NaN"),
            (-1.0, "-1"),
            (0.0, "0"),
            (f64::INFINITY, "Infinity"),
            (101.0, "101"),
        ] {
            let error = check_count("steps", value, 1, 100).expect_err("must be rejected");
            assert_eq!(error.field, "steps");
            assert_eq!(
                error.message,
                format!("must be a whole number from 1 to 100, got {shown}")
            );
        }
    }
}
