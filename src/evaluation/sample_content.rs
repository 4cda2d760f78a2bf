//! What the image panel says about the content of the samples, judged by the digit classifier:
//! how unsure it is of them (a blend of digits leaves it unsure), and for samples asked to show
//! a digit, how often they do and how varied they are.

use super::digit_classifier::{CLASSES, DigitClassifier};
use crate::data::digits::{PIXELS, to_cell_centres};
use crate::metrics::{Estimate, MetricError, NoiseFloor, RowName};

/// The digit classifier's mean doubt on model samples.
pub const CLASSIFIER_DOUBT: RowName =
    RowName::new("classifier_doubt", "digit classifier's doubt on samples");

/// The share of samples the classifier names as the digit asked for.
pub const REQUESTED_DIGIT_SHOWN: RowName = RowName::new(
    "requested_digit_shown",
    "samples showing the requested digit",
);
/// The samples' mean pairwise distance over that of held-out images of the digit.
pub const SAMPLE_VARIETY: RowName = RowName::new(
    "sample_variety",
    "sample variety relative to held-out digits",
);

/// How unsure the digit classifier is of the model's samples, with the same on held-out digits
/// (of the `requested` digit, when the samples were asked for one) as its floor: samples that
/// blend digits raise it above the floor.
pub fn classifier_doubt(
    model: &[f32],
    held_out_others: &[Vec<f32>],
    requested: Option<usize>,
) -> Result<Estimate, MetricError> {
    let classifier = DigitClassifier::shared();
    let n = model.len() / PIXELS;
    let draws: Vec<f64> = held_out_others
        .iter()
        .map(|o| classifier.doubt(o))
        .collect();
    let reference = requested.map_or("held-out digits".to_string(), |d| format!("held-out {d}s"));
    Ok(Estimate {
        id: CLASSIFIER_DOUBT.id,
        name: CLASSIFIER_DOUBT.name,
        value: classifier.doubt(&to_cell_centres(model)),
        units: "probability",
        direction: "model samples, judged by a classifier of the training digits",
        estimator: format!(
            "1 − the largest class probability of a logistic-regression digit classifier on the \
             64 pixels (trained on the training split; held-out accuracy {:.1}%), averaged over \
             {n} samples (rounded to the centres of their grey-level cells, so within [0, 1]): \
             0 when every sample is clearly one digit, up to 0.9; a blend of digits leaves it \
             unsure. It judges which digit an image is, not whether it is a digit at all: read \
             it beside MMD². Noise floor: the same on {n} {reference}, {} draws",
            100.0 * classifier.held_out_accuracy,
            draws.len()
        ),
        model_samples: n,
        data_samples: n,
        noise_floor: Some(NoiseFloor::from_draws(&draws)?),
    })
}

/// For samples asked to show `digit`: the share the classifier names `digit`, and their mean
/// pairwise distance over that of the held-out images of the digit (`of_digit`, cell centres).
pub fn requested_rows(
    model: &[f32],
    digit: usize,
    of_digit: &[f32],
) -> Result<Vec<Estimate>, MetricError> {
    if of_digit.len() < 2 * PIXELS || digit >= CLASSES {
        return Err(MetricError::new(format!(
            "no held-out images of digit {digit}"
        )));
    }
    let classifier = DigitClassifier::shared();
    let n = model.len() / PIXELS;
    let held_out = of_digit.len() / PIXELS;
    let reference = classifier.label_shares(of_digit)[digit];
    let samples = to_cell_centres(model);
    let spread = mean_pairwise_distance(&samples);
    let real = mean_pairwise_distance(of_digit);
    Ok(vec![
        Estimate {
            id: REQUESTED_DIGIT_SHOWN.id,
            name: REQUESTED_DIGIT_SHOWN.name,
            value: classifier.label_shares(&samples)[digit],
            units: "share",
            direction: "model samples asked for one digit",
            estimator: format!(
                "the share of {n} samples asked for a {digit} that the digit classifier \
                 (held-out accuracy {:.1}%) names {digit}; on the {held_out} held-out {digit}s it \
                 names {:.3} of them",
                100.0 * classifier.held_out_accuracy,
                reference
            ),
            model_samples: n,
            data_samples: held_out,
            noise_floor: None,
        },
        Estimate {
            id: SAMPLE_VARIETY.id,
            name: SAMPLE_VARIETY.name,
            value: spread / real,
            units: "ratio",
            direction: "model samples against held-out images of the digit",
            estimator: format!(
                "mean Euclidean distance between two of the {n} samples ({spread:.3} pixel \
                 units, at the centres of their grey-level cells) over that between two of the \
                 {held_out} held-out {digit}s ({real:.3}): 1 is as varied as real {digit}s, \
                 near 0 is one image repeated"
            ),
            model_samples: n,
            data_samples: held_out,
            noise_floor: None,
        },
    ])
}

/// The mean distance between two different rows of `images` (`[n, 64]`, n ≥ 2).
fn mean_pairwise_distance(images: &[f32]) -> f64 {
    let rows: Vec<&[f32]> = images.chunks(PIXELS).collect();
    let mut total = 0.0;
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            let squared: f64 = a
                .iter()
                .zip(*b)
                .map(|(p, q)| f64::from(p - q).powi(2))
                .sum();
            total += squared.sqrt();
        }
    }
    let pairs = rows.len() * (rows.len() - 1) / 2;
    total / pairs.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::digits::DigitImages;

    #[test]
    fn held_out_threes_asked_for_a_three_are_named_three_and_as_varied_as_threes() {
        let images = DigitImages::new();
        let threes = images.held_out_of(3);
        let n = threes.len() / PIXELS;
        let rows = requested_rows(&threes, 3, &threes).unwrap();
        assert_eq!(rows[0].id, REQUESTED_DIGIT_SHOWN.id);
        assert!(rows[0].value > 0.9, "{:?}", rows[0]);
        assert!(
            (rows[1].value - 1.0).abs() < 1e-9,
            "the same images: ratio 1"
        );
        // One three repeated: no variety at all; and asked for a 5, they are not fives.
        let one: Vec<f32> = (0..n).flat_map(|_| threes[..PIXELS].to_vec()).collect();
        assert_eq!(requested_rows(&one, 3, &threes).unwrap()[1].value, 0.0);
        assert!(requested_rows(&threes, 5, &images.held_out_of(5)).unwrap()[0].value < 0.1);
        // By hand: two images at distance 3 (one pixel apart by 3).
        let mut pair = vec![0.0f32; 2 * PIXELS];
        pair[PIXELS] = 3.0;
        assert!((mean_pairwise_distance(&pair) - 3.0).abs() < 1e-12);
    }
}
