//! Every family's schema agrees with its config: each field is declared once with a default
//! inside its range, each bound is accepted and each value just outside it rejected naming the
//! field, each choice parses, each image default is a valid setting, and sampling fields are the
//! ones `setSampling` takes.
#![cfg(not(target_arch = "wasm32"))]

use genlab::family::{Family, FamilyConfig};
use genlab::options::LabOptions;
use genlab::schema::FamilySchema;
use genlab::settings::{SettingKind, to_map};
use serde_json::{Value, json};

/// Checks family `F`'s schema against its config.
fn check_family<F: Family>() {
    let schema = FamilySchema::of::<F>("Test");
    let defaults = LabOptions::<F::Config>::defaults();
    let fields = to_map(&defaults.model);
    let declared: Vec<&str> = schema.settings.iter().map(|s| s.setting.name).collect();
    let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
    let mut sorted = declared.clone();
    names.sort();
    sorted.sort();
    assert_eq!(
        names,
        sorted,
        "{}: config fields and settings differ",
        F::NAME
    );
    for setting in &schema.settings {
        let name = setting.setting.name;
        let on_points = if F::Config::default_dataset() == Default::default() {
            Some(&fields[name])
        } else {
            None
        };
        if let Some(value) = on_points {
            assert_eq!(&setting.default, value, "{}.{name}: default", F::NAME);
        }
        let with = |value: Value| LabOptions::<F::Config>::parse(&json!({ name: value }));
        match &setting.setting.kind {
            SettingKind::Number { min, max } | SettingKind::Integer { min, max } => {
                let integer = matches!(setting.setting.kind, SettingKind::Integer { .. });
                let step = if integer {
                    1.0
                } else {
                    (max - min).abs() * 1e-6 + 1e-12
                };
                for (value, ok) in [
                    (*min, true),
                    (*max, true),
                    (min - step, false),
                    (max + step, false),
                ] {
                    if integer && value < 0.0 {
                        continue;
                    }
                    let value = if integer {
                        json!(value as u64)
                    } else {
                        json!(value)
                    };
                    match with(value.clone()) {
                        Ok(_) => assert!(ok, "{}.{name} = {value} must be rejected", F::NAME),
                        Err(error) if ok => assert!(
                            error.message.starts_with("must be below")
                                || error.message.starts_with("must be at most"),
                            "{}.{name} = {value} must be accepted (or refused only by a rule \
                             between fields): {error}",
                            F::NAME
                        ),
                        Err(error) => assert_eq!(error.field, name, "{}: {error}", F::NAME),
                    }
                }
            }
            SettingKind::Choice { choices } => {
                for choice in choices {
                    if let Err(error) = with(json!(choice)) {
                        assert!(
                            error.message.starts_with("needs "),
                            "{}.{name} = {choice} must be accepted (or refused only by a rule \
                             between fields): {error}",
                            F::NAME
                        );
                    }
                }
                assert_eq!(with(json!("bogus")).unwrap_err().field, name);
            }
            SettingKind::Boolean => assert!(with(json!(true)).is_ok()),
        }
    }
    for (key, value) in &schema.image_defaults {
        let options = json!({"dataset": "digits", key.as_str(): value.clone()});
        let parsed = LabOptions::<F::Config>::parse(&options)
            .unwrap_or_else(|e| panic!("{}: image default {key}: {e}", F::NAME));
        let all = parsed.to_json();
        assert_eq!(
            &all[key.as_str()],
            value,
            "{}: image default {key}",
            F::NAME
        );
    }
    let sampling: Vec<&str> = schema
        .settings
        .iter()
        .filter(|s| s.setting.sampling)
        .map(|s| s.setting.name)
        .collect();
    assert_eq!(sampling, F::Config::sampling_fields());
    for name in &sampling {
        let value = fields[*name].clone();
        assert!(defaults.with_sampling(&json!({ *name: value })).is_ok());
    }
}

macro_rules! check_every_family {
    ($($(#[$doc:meta])* $class:ident => $family:ty, $options:literal;)*) => {
        $(check_family::<$family>();)*
    };
}

#[test]
fn every_family_schema_agrees_with_its_config() {
    genlab::for_each_family!(check_every_family);
}

#[test]
fn the_schema_lists_every_family_once_with_the_shared_settings_and_datasets() {
    macro_rules! family_names {
        ($($(#[$doc:meta])* $class:ident => $family:ty, $options:literal;)*) => {
            vec![$(<$family as Family>::NAME),*]
        };
    }
    let registered: Vec<&str> = genlab::for_each_family!(family_names);
    let schema = genlab::models::schema();
    let names: Vec<&str> = schema.families.iter().map(|f| f.name).collect();
    assert_eq!(
        names, registered,
        "one schema entry per registered family, in its order"
    );
    let mut distinct = names.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), names.len(), "names are unique: {names:?}");
    let shared: Vec<&str> = schema.shared.iter().map(|s| s.setting.name).collect();
    assert_eq!(shared, ["seed", "learning_rate", "batch_size"]);
    assert_eq!(schema.datasets.len(), 9);
    let json = serde_json::to_value(&schema).unwrap();
    let gan = &json["families"][2];
    assert_eq!(gan["name"], "gan");
    assert_eq!(gan["class"], "Gan");
    assert_eq!(gan["data"], json!(["points", "images"]));
    assert_eq!(gan["image_defaults"]["batch_size"], 128);
    let latent = &gan["settings"][2];
    assert_eq!(latent["name"], "latent_dim");
    assert_eq!(
        latent["max"], 16.0,
        "the GAN's own range, not the autoencoder's"
    );
    assert_eq!(latent["default"], 2);
}
