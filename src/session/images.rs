//! What a session on images evaluates instead of the 2-D panel: the model's log-likelihood (or
//! its bound) at every held-out image, MMD² on pixels, the digit classifier's doubt on samples
//! and the memorisation check.

use burn::tensor::{Tensor, TensorData};

use super::{Evaluation, EvaluationError, ProbeValues, Session};
use crate::data::Bounds;
use crate::data::digits::PIXELS;
use crate::data::seeded_rng;
use crate::evaluation::{DIGITS_SHAPE, FLOOR_SEED, ImagePanelInputs, floor_draws, image_panel};
use crate::family::{Family, LikelihoodBound};

impl<F: Family> Session<F> {
    /// The model's log-likelihood bounds at every held-out image, freshly dequantised, up to
    /// the family's point budget; empty for 2-D data or a family without one.
    pub(super) fn held_out_probe(&mut self) -> Vec<LikelihoodBound> {
        let Some(images) = self.source.images() else {
            return Vec::new();
        };
        let mut held_out = images.held_out_dequantised(&mut self.metric_rng);
        let n = (held_out.len() / PIXELS).min(self.family.log_density_budget().points);
        held_out.truncate(n * PIXELS);
        let x = Tensor::from_data(
            TensorData::new(held_out, [n, PIXELS]),
            &self.batches.device(),
        ); // [n, 64]
        self.family.log_likelihood_bounds(x) // each [n]
    }

    /// The image panel between the probed model samples and the held-out images.
    pub(super) fn evaluate_images(
        &mut self,
        probed: &ProbeValues,
    ) -> Result<Evaluation, EvaluationError> {
        let invalid = |e: crate::metrics::MetricError| EvaluationError::Invalid(e.to_string());
        let images = self
            .source
            .images()
            .ok_or_else(|| EvaluationError::Invalid("the data are not images".into()))?;
        if probed
            .held_out
            .iter()
            .any(|(_, log_p, _)| log_p.iter().any(|v| v.is_nan()))
        {
            return Err(EvaluationError::Fault(
                self.restore("held-out log-likelihood", self.step),
            ));
        }
        let n = probed.samples.len() / PIXELS;
        // Samples asked for one digit are compared with images of that digit (their law), not
        // with every digit.
        let digit = self.family.requested_digit();
        let held_out = images.sample_held_out_of(digit, n, &mut self.metric_rng);
        let (others, held_out_others) = floor_draws(images, digit, n, &mut seeded_rng(FLOOR_SEED));
        let requested = digit.map(|digit| (digit, images.held_out_of(digit)));
        let (divergences, memorisation) = image_panel(&ImagePanelInputs {
            model: &probed.samples,
            held_out: &held_out,
            others: &others,
            held_out_others: &held_out_others,
            requested: requested
                .as_ref()
                .map(|(d, images)| (*d, images.as_slice())),
            held_out_centres: &images.held_out_centres(),
            train_centres: &images.train_centres(),
            likelihoods: probed
                .held_out
                .iter()
                .map(|(name, log_p, method)| (*name, log_p.as_slice(), *method))
                .collect(),
        })
        .map_err(invalid)?;
        Ok(Evaluation {
            bounds: Bounds {
                x_min: 0.0,
                x_max: 1.0,
                y_min: 0.0,
                y_max: 1.0,
            },
            data: held_out,
            divergences,
            densities: None,
            images: Some(DIGITS_SHAPE),
            memorisation: Some(memorisation),
        })
    }
}
