//! What a slice of training gives back: the statistics of its steps read back in one
//! transaction, and numerical faults.

use burn::tensor::{Tensor, Transaction};
use serde::Serialize;

/// Averaged step statistics still on the device, waiting for one readback.
pub struct PendingStats {
    pub(super) names: Vec<&'static str>,
    pub(super) sums: Vec<Tensor<1>>,
    pub(super) steps: u32,
    pub(super) last_step: u64,
}

impl PendingStats {
    /// Reads every statistic in one transaction (never a synchronous GPU read).
    pub async fn read(self) -> Result<StatsReport, String> {
        let transaction = self
            .sums
            .into_iter()
            .fold(Transaction::default(), |t, sum| t.register(sum));
        let data = transaction
            .execute_async()
            .await
            .map_err(|error| format!("reading the training statistics failed: {error:?}"))?;
        let mut values = Vec::with_capacity(data.len());
        for (name, datum) in self.names.into_iter().zip(data) {
            let sum = datum
                .try_into_vec_as::<f32>()
                .map_err(|error| format!("statistic {name} is unreadable: {error:?}"))?;
            values.push((
                name,
                sum.first().copied().unwrap_or(f32::NAN) as f64 / self.steps as f64,
            ));
        }
        Ok(StatsReport {
            step: self.last_step,
            steps: self.steps,
            values,
        })
    }
}

/// Statistics averaged over a slice of training steps.
#[derive(Clone, Debug, Serialize)]
pub struct StatsReport {
    /// Total steps trained after this slice.
    pub step: u64,
    /// Steps in the slice.
    pub steps: u32,
    /// Each statistic's mean over the slice, in the family's order.
    pub values: Vec<(&'static str, f64)>,
}

impl StatsReport {
    /// The report of no steps yet, at total step `step`: what [`StatsReport::merge`] starts from.
    pub fn empty(step: u64) -> Self {
        Self {
            step,
            steps: 0,
            values: Vec::new(),
        }
    }

    /// Adds the report of the slice that followed this one: each statistic becomes its mean
    /// over the steps of both, weighted by their step counts.
    pub fn merge(&mut self, next: &StatsReport) {
        let steps = self.steps + next.steps;
        if self.values.is_empty() {
            self.values = next.values.clone();
        } else {
            let (a, b) = (f64::from(self.steps), f64::from(next.steps));
            for ((_, mean), (_, other)) in self.values.iter_mut().zip(&next.values) {
                *mean = (*mean * a + other * b) / (a + b);
            }
        }
        self.steps = steps;
        self.step = next.step;
    }
}

/// A numerical fault: a statistic or sample stopped being finite. The session has already
/// restored the last finite weights when this is returned.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingFault {
    /// What diverged, e.g. `"loss"` or `"samples"`.
    pub what: String,
    /// The step at which it was seen.
    pub step: u64,
    /// The step of the weights now restored.
    pub restored_step: u64,
}

impl TrainingFault {
    /// What to try: a training statistic diverged because the steps were too large; a sample or
    /// score drawn from healthy weights can also be the sampler's (too few or too large steps).
    fn advice(&self) -> &'static str {
        match self.what.as_str() {
            "samples" | "score" | "log-density" => {
                "Try a smaller learning_rate or, if the loss was falling, sampling settings \
                 with more or smaller steps."
            }
            _ => "Try a smaller learning_rate.",
        }
    }
}

impl std::fmt::Display for TrainingFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} became NaN or infinite by step {}; training paused and the weights of step {} \
             were restored. {}",
            self.what,
            self.step,
            self.restored_step,
            self.advice()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_advice_fits_what_diverged() {
        let fault = |what: &str| TrainingFault {
            what: what.into(),
            step: 9,
            restored_step: 5,
        };
        assert!(
            fault("loss")
                .to_string()
                .ends_with("Try a smaller learning_rate.")
        );
        let samples = fault("samples").to_string();
        assert!(samples.contains("sampling settings"), "{samples}");
        assert!(
            samples.starts_with("samples became NaN or infinite by step 9"),
            "{samples}"
        );
    }

    #[test]
    fn merged_slices_average_over_all_their_steps() {
        let slice = |step, steps, loss| StatsReport {
            step,
            steps,
            values: vec![("loss", loss), ("other", 2.0 * loss)],
        };
        let mut total = StatsReport::empty(10);
        for report in [slice(11, 1, 4.0), slice(14, 3, 2.0), slice(20, 6, 1.0)] {
            total.merge(&report);
        }
        // (1·4 + 3·2 + 6·1) / 10 steps
        assert_eq!(total.step, 20);
        assert_eq!(total.steps, 10);
        assert_eq!(total.values, vec![("loss", 1.6), ("other", 3.2)]);
    }
}
