//! Reading a [`DatasetSpec`] from JSON by hand, so that a rejection says what was expected and
//! where (`means[0]: expected 2 numbers [x, y], got 3`) instead of serde's "did not match any
//! variant of untagged enum".

use serde::de::{Deserialize, Deserializer, Error as _};
use serde_json::{Map, Value};

use super::digits::ImageSet;
use super::source::{CustomDataset, DatasetSpec};
use super::toy::Dataset;

impl<'de> Deserialize<'de> for DatasetSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        DatasetSpec::from_json(&value).map_err(D::Error::custom)
    }
}

impl DatasetSpec {
    /// Reads a dataset as written in options: a name, `"digits"`, or a custom-set object. The
    /// error names the offending part (`weights[2]`, `means[0]`, `kind`) and what it must be.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::String(name) => named(name),
            Value::Object(fields) => custom(fields).map(DatasetSpec::Custom),
            other => Err(format!(
                "expected a dataset name or an object {{kind: \"mixture\" | \"points\", …}}, got {}",
                describe(other)
            )),
        }
    }
}

fn named(name: &str) -> Result<DatasetSpec, String> {
    let text = Value::String(name.to_string());
    if let Ok(set) = serde_json::from_value::<Dataset>(text.clone()) {
        return Ok(DatasetSpec::Named(set));
    }
    if let Ok(images) = serde_json::from_value::<ImageSet>(text) {
        return Ok(DatasetSpec::Images(images));
    }
    let names: Vec<String> = Dataset::ALL
        .iter()
        .map(|d| format!("\"{}\"", d.name()))
        .collect();
    Err(format!(
        "expected one of {}, \"digits\" or an object {{kind: \"mixture\" | \"points\", …}}, got {}",
        names.join(", "),
        describe(&Value::String(name.to_string()))
    ))
}

fn custom(fields: &Map<String, Value>) -> Result<CustomDataset, String> {
    let kind = match fields.get("kind") {
        Some(Value::String(kind)) if kind == "mixture" || kind == "points" => kind.as_str(),
        Some(other) => {
            return Err(format!(
                "kind: expected \"mixture\" or \"points\", got {}",
                describe(other)
            ));
        }
        None => return Err("kind: missing; expected \"mixture\" or \"points\"".into()),
    };
    let known: &[&str] = if kind == "mixture" {
        &["kind", "weights", "means", "covariances"]
    } else {
        &["kind", "csv"]
    };
    if let Some(unknown) = fields.keys().find(|key| !known.contains(&key.as_str())) {
        return Err(format!(
            "{unknown}: unknown field; a {kind} set has {}",
            known.join(", ")
        ));
    }
    let field = |name: &str| {
        fields.get(name).ok_or_else(|| {
            format!(
                "{name}: missing; a {kind} set needs {}",
                known[1..].join(", ")
            )
        })
    };
    if kind == "points" {
        return match field("csv")? {
            Value::String(csv) => Ok(CustomDataset::Points { csv: csv.clone() }),
            other => Err(format!(
                "csv: expected the CSV text as a string, got {}",
                describe(other)
            )),
        };
    }
    let weights = numbers(field("weights")?, "weights", None)?;
    let means = list(field("means")?, "means", |value, path| {
        let v = numbers(value, &path, Some((2, "[x, y]")))?;
        Ok([v[0], v[1]])
    })?;
    let covariances = list(field("covariances")?, "covariances", |value, path| {
        let v = numbers(
            value,
            &path,
            Some((4, "[a, b, c, d], a 2×2 matrix row by row")),
        )?;
        Ok([v[0], v[1], v[2], v[3]])
    })?;
    Ok(CustomDataset::Mixture {
        weights,
        means,
        covariances,
    })
}

/// An array whose items `item` reads, each told its path (`means[3]`).
fn list<T>(
    value: &Value,
    path: &str,
    item: impl Fn(&Value, String) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let Value::Array(items) = value else {
        return Err(format!(
            "{path}: expected an array, got {}",
            describe(value)
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| item(v, format!("{path}[{i}]")))
        .collect()
}

/// An array of numbers; `shape` is the exact count and how to write it, where there is one.
fn numbers(value: &Value, path: &str, shape: Option<(usize, &str)>) -> Result<Vec<f64>, String> {
    let expected = match shape {
        Some((n, how)) => format!("{n} numbers {how}"),
        None => "an array of numbers".to_string(),
    };
    let Value::Array(items) = value else {
        return Err(format!(
            "{path}: expected {expected}, got {}",
            describe(value)
        ));
    };
    if let Some((n, _)) = shape
        && items.len() != n
    {
        return Err(format!("{path}: expected {expected}, got {}", items.len()));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_f64()
                .ok_or_else(|| format!("{path}[{i}]: expected a number, got {}", describe(v)))
        })
        .collect()
}

/// A JSON value as a person would name it in a message: strings quoted (and cut at 40
/// characters), numbers as written, containers by kind.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("{n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("{:?}…", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => format!("an array of {}", items.len()),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rejection(value: Value) -> String {
        DatasetSpec::from_json(&value).expect_err("must be rejected")
    }

    #[test]
    fn names_images_and_custom_sets_parse() {
        assert_eq!(
            DatasetSpec::from_json(&json!("moons")),
            Ok(DatasetSpec::Named(Dataset::Moons))
        );
        assert_eq!(
            DatasetSpec::from_json(&json!("digits")),
            Ok(DatasetSpec::Images(ImageSet::Digits))
        );
        let mixture = json!({"kind": "mixture", "weights": [1, 2], "means": [[0, 0], [2, 1]],
            "covariances": [[1, 0, 0, 1], [0.5, 0.1, 0.1, 0.3]]});
        assert_eq!(
            DatasetSpec::from_json(&mixture),
            Ok(DatasetSpec::Custom(CustomDataset::Mixture {
                weights: vec![1.0, 2.0],
                means: vec![[0.0, 0.0], [2.0, 1.0]],
                covariances: vec![[1.0, 0.0, 0.0, 1.0], [0.5, 0.1, 0.1, 0.3]],
            }))
        );
        let points = json!({"kind": "points", "csv": "1,2\n3,4"});
        assert_eq!(
            DatasetSpec::from_json(&points),
            Ok(DatasetSpec::Custom(CustomDataset::Points {
                csv: "1,2\n3,4".into()
            }))
        );
    }

    #[test]
    fn the_serialised_form_reads_back() {
        for spec in [
            DatasetSpec::Named(Dataset::Pinwheel),
            DatasetSpec::Images(ImageSet::Digits),
            DatasetSpec::Custom(CustomDataset::Points { csv: "0,1".into() }),
            DatasetSpec::Custom(CustomDataset::Mixture {
                weights: vec![1.0],
                means: vec![[1.0, -1.0]],
                covariances: vec![[2.0, 0.0, 0.0, 2.0]],
            }),
        ] {
            let json = serde_json::to_value(&spec).unwrap();
            assert_eq!(DatasetSpec::from_json(&json), Ok(spec));
        }
    }

    #[test]
    fn rejections_say_what_was_expected_and_where() {
        let mixture = |means: Value| json!({"kind": "mixture", "weights": [1], "means": means, "covariances": [[1, 0, 0, 1]]});
        for (value, expected) in [
            (
                mixture(json!([[1, 2, 3]])),
                "means[0]: expected 2 numbers [x, y], got 3",
            ),
            (
                mixture(json!([[1, "a"]])),
                "means[0][1]: expected a number, got \"a\"",
            ),
            (
                mixture(json!("far")),
                "means: expected an array, got \"far\"",
            ),
            (
                json!({"kind": "mixture", "weights": [1], "means": [[0, 0]], "covariances": [[1, 0]]}),
                "covariances[0]: expected 4 numbers [a, b, c, d], a 2×2 matrix row by row, got 2",
            ),
            (
                json!({"kind": "mixture", "weights": [1, null], "means": [], "covariances": []}),
                "weights[1]: expected a number, got null",
            ),
            (
                json!({"kind": "mixture", "weights": [1]}),
                "means: missing; a mixture set needs weights, means, covariances",
            ),
            (
                json!({"kind": "mixture", "weights": [1], "means": [[0, 0]], "covariances": [[1, 0, 0, 1]], "scale": 2}),
                "scale: unknown field; a mixture set has kind, weights, means, covariances",
            ),
            (
                json!({"kind": "points", "csv": 12}),
                "csv: expected the CSV text as a string, got 12",
            ),
            (
                json!({"kind": "gaussians"}),
                "kind: expected \"mixture\" or \"points\", got \"gaussians\"",
            ),
            (
                json!({"csv": "1,2"}),
                "kind: missing; expected \"mixture\" or \"points\"",
            ),
            (
                json!(3),
                "expected a dataset name or an object {kind: \"mixture\" | \"points\", …}, got 3",
            ),
            (json!([[[]]]), "got an array of 1"),
        ] {
            let message = rejection(value);
            assert!(
                message.contains(expected),
                "{message:?} should contain {expected:?}"
            );
            assert!(!message.contains("untagged"), "{message}");
        }
        let unknown = rejection(json!("moonz"));
        assert!(unknown.contains("\"eight_gaussians\"") && unknown.ends_with("got \"moonz\""));
    }

    #[test]
    fn a_long_name_is_cut_in_the_message() {
        let message = rejection(Value::String("x".repeat(10_000)));
        assert!(message.len() < 400, "{} characters", message.len());
    }
}
