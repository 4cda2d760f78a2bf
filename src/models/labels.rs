//! Conditioning on the digit's label, shared by the class-conditional families: the choice of
//! digit a student asks for, label dropout in training (the same network then also models the
//! unconditional distribution, under a "no label" token), and the label tensors.

use burn::prelude::*;
use burn::tensor::Distribution;
use serde::{Deserialize, Serialize};

use crate::settings::Choice;

pub use crate::data::digits::{CLASSES as DIGIT_CLASSES, NO_LABEL};
/// The share of training images whose label is dropped (shown as [`NO_LABEL`]), so that one
/// network learns `p(x | y)` and `p(x)` both.
pub const LABEL_DROPOUT: f64 = 0.1;

/// The digit samples are asked for, named in options as `"any"` or `"0"` … `"9"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Digit {
    /// No label: the unconditional model.
    #[serde(rename = "any")]
    Any,
    /// A zero.
    #[serde(rename = "0")]
    Zero,
    /// A one.
    #[serde(rename = "1")]
    One,
    /// A two.
    #[serde(rename = "2")]
    Two,
    /// A three.
    #[serde(rename = "3")]
    Three,
    /// A four.
    #[serde(rename = "4")]
    Four,
    /// A five.
    #[serde(rename = "5")]
    Five,
    /// A six.
    #[serde(rename = "6")]
    Six,
    /// A seven.
    #[serde(rename = "7")]
    Seven,
    /// An eight.
    #[serde(rename = "8")]
    Eight,
    /// A nine.
    #[serde(rename = "9")]
    Nine,
}

impl Choice for Digit {
    const ALL: &'static [Self] = &[
        Digit::Any,
        Digit::Zero,
        Digit::One,
        Digit::Two,
        Digit::Three,
        Digit::Four,
        Digit::Five,
        Digit::Six,
        Digit::Seven,
        Digit::Eight,
        Digit::Nine,
    ];
}

impl Digit {
    /// The class asked for, `None` for [`Digit::Any`].
    pub fn label(self) -> Option<usize> {
        Self::ALL
            .iter()
            .position(|d| *d == self)
            .and_then(|i| i.checked_sub(1))
    }

    /// The label of every one of `n` samples, `[n]`: the digit, or [`NO_LABEL`] for any.
    pub fn labels(self, n: usize, device: &Device) -> Tensor<1> {
        Tensor::full([n], self.label().unwrap_or(NO_LABEL) as f32, device)
    }
}

/// `labels` (`[n]`, classes as floats) with each replaced by [`NO_LABEL`] with probability `p`.
pub fn dropped(labels: Tensor<1>, p: f64) -> Tensor<1> {
    let n = labels.dims()[0];
    let drop = Tensor::<1>::random([n], Distribution::Uniform(0.0, 1.0), &labels.device())
        .lower_elem(p as f32);
    labels.mask_fill(drop, NO_LABEL as f32)
}

/// `labels` (`[n]`) one-hot over the classes and the "no label" token, `[n, classes + 1]`.
pub fn label_features(labels: Tensor<1>) -> Tensor<2> {
    let n = labels.dims()[0];
    let classes: Vec<f32> = (0..=DIGIT_CLASSES).map(|c| c as f32).collect();
    let classes = Tensor::<1>::from_floats(classes.as_slice(), &labels.device()).unsqueeze::<2>();
    (labels.reshape([n, 1]) - classes)
        .abs()
        .lower_elem(0.5)
        .float()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn digits_name_their_class_and_any_names_none() {
        assert_eq!(Digit::Any.label(), None);
        assert_eq!(Digit::Zero.label(), Some(0));
        assert_eq!(Digit::Nine.label(), Some(9));
        assert_eq!(serde_json::to_string(&Digit::Seven).unwrap(), "\"7\"");
        let any: Digit = serde_json::from_str("\"any\"").unwrap();
        assert_eq!(any, Digit::Any);
        let device = Device::flex();
        assert_eq!(values(Digit::Three.labels(2, &device)), vec![3.0, 3.0]);
        assert_eq!(values(Digit::Any.labels(1, &device)), vec![NO_LABEL as f32]);
    }

    #[test]
    fn dropout_replaces_about_its_share_with_no_label() {
        let _rng = crate::session::device_rng();
        let device = Device::flex();
        device.seed(2);
        let n = 20_000;
        let kept = values(dropped(Tensor::full([n], 4.0, &device), LABEL_DROPOUT));
        let share = kept.iter().filter(|l| **l == NO_LABEL as f32).count() as f64 / n as f64;
        assert!(kept.iter().all(|l| *l == 4.0 || *l == NO_LABEL as f32));
        // Binomial sd 0.0021 at n = 20 000: 0.01 is nearly five of them.
        assert!((share - LABEL_DROPOUT).abs() < 0.01, "{share}");
    }

    #[test]
    fn label_features_are_one_hot_with_a_no_label_slot() {
        let device = Device::flex();
        let features = values(label_features(Tensor::from_floats([2.0, 10.0], &device)));
        assert_eq!(features.len(), 22);
        assert_eq!(features.iter().sum::<f32>(), 2.0);
        assert_eq!((features[2], features[11 + 10]), (1.0, 1.0));
    }
}
