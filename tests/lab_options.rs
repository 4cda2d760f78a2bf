//! Options as they arrive from JavaScript, URLs or files (`genlab::options`): merged over the
//! family's defaults, every error naming its field.
#![cfg(not(target_arch = "wasm32"))]

use genlab::data::{CustomDataset, Dataset, DatasetSpec};
use genlab::models::flow_matching::FlowMatchingConfig;
use genlab::models::gan::GanConfig;
use genlab::models::ode::OdeSolver;
use genlab::models::pixel_cnn::PixelCnnConfig;
use genlab::options::LabOptions;
use serde_json::{Value, json};

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

#[test]
fn images_take_the_family_image_defaults_unless_the_user_gives_a_value() {
    let points = LabOptions::<GanConfig>::parse(&json!({"dataset": "moons"})).unwrap();
    assert_eq!(points.training.learning_rate, 1e-3);
    assert_eq!(points.training.batch_size, 512);
    let images = LabOptions::<GanConfig>::parse(&json!({"dataset": "digits"})).unwrap();
    assert_eq!(images.training.learning_rate, 2e-3);
    assert_eq!(images.training.batch_size, 128);
    let chosen =
        LabOptions::<GanConfig>::parse(&json!({"dataset": "digits", "batch_size": 64})).unwrap();
    assert_eq!(chosen.training.batch_size, 64, "the user's value wins");
    assert_eq!(chosen.training.learning_rate, 2e-3);
}

#[test]
fn a_family_without_a_dataset_learns_its_default_one() {
    let pixel_cnn = LabOptions::<PixelCnnConfig>::defaults();
    assert_eq!(
        pixel_cnn.training.dataset,
        DatasetSpec::from_json(&json!("digits")).unwrap()
    );
    assert_eq!(
        pixel_cnn.training.learning_rate, 3e-3,
        "its image defaults apply"
    );
    let flow = LabOptions::<FlowMatchingConfig>::defaults();
    assert_eq!(
        flow.training.dataset,
        DatasetSpec::Named(Dataset::EightGaussians)
    );
}
