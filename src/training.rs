//! What every family's training takes: the settings all labs share and the data on the device,
//! sliced into batches. Below the [`Family`](crate::family::Family) contract, which takes both.

use burn::config::Config;
use burn::tensor::{Device, Distribution, Tensor, TensorData};

use crate::data::DatasetSpec;
use crate::data::digits::NO_LABEL;
use crate::settings::{OptionError, Setting, check_settings};

/// Settings every family shares. Field ranges are declared once, in [`TrainingConfig::settings`].
#[derive(Config, Debug)]
pub struct TrainingConfig {
    /// The data distribution to learn: a dataset name, or a custom set (see [`DatasetSpec`]).
    #[config(default = "DatasetSpec::default()")]
    pub dataset: DatasetSpec,
    /// Seed of the data, the initial weights and all training noise (0 ..= 2⁵³).
    #[config(default = 0)]
    pub seed: u64,
    /// Points per training batch (1 ..= 8192).
    #[config(default = 512)]
    pub batch_size: usize,
    /// Adam learning rate (1e-6 ..= 1).
    #[config(default = 1e-3)]
    pub learning_rate: f64,
}

impl TrainingConfig {
    /// The shared settings beside the dataset (whose values are the named sets, or a custom set
    /// checked when it is built).
    pub fn settings() -> Vec<Setting> {
        vec![
            Setting::integer("seed", 0, 1 << 53, "Seed of the data, weights and noise"),
            Setting::number("learning_rate", 1e-6, 1.0, "Adam learning rate"),
            Setting::integer("batch_size", 1, 8192, "Points per training batch"),
        ]
    }

    /// Rejects out-of-range values and unusable data, naming the field.
    pub fn validate(&self) -> Result<(), OptionError> {
        check_settings(&Self::settings(), self)?;
        self.dataset
            .build()
            .map(|_| ())
            .map_err(|e| OptionError::new("dataset", e.to_string()))
    }
}

/// Data on the device: an atlas of points uploaded once, sliced into random batches.
pub struct Batches {
    atlas: Tensor<2>,
    labels: Option<Tensor<1>>,
    rows: usize,
    batch_size: usize,
}

impl Batches {
    /// Uploads `points` (row-major `[rows, dim]`) to `device`.
    pub fn upload(points: Vec<f32>, dim: usize, batch_size: usize, device: &Device) -> Self {
        let rows = points.len() / dim;
        let atlas = Tensor::from_data(TensorData::new(points, [rows, dim]), device); // [rows, dim]
        Self {
            atlas,
            labels: None,
            rows,
            batch_size,
        }
    }

    /// The same batches with a label per point (`[rows]`, classes as floats), for the
    /// class-conditional families.
    pub fn with_labels(mut self, labels: Vec<f32>) -> Self {
        let device = self.atlas.device();
        self.labels = Some(Tensor::from_data(
            TensorData::new(labels, [self.rows]),
            &device,
        ));
        self
    }

    /// The device the atlas lives on.
    pub fn device(&self) -> Device {
        self.atlas.device()
    }

    /// Rows per batch.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// A batch of rows drawn uniformly with replacement: `[batch_size, dim]`.
    pub fn next(&mut self) -> Tensor<2> {
        self.atlas.clone().select(0, self.rows())
    }

    /// A batch with its labels, `([batch, dim], [batch])` (drawn as [`Batches::next`] draws);
    /// points without labels are labelled [`NO_LABEL`].
    pub fn next_labelled(&mut self) -> (Tensor<2>, Tensor<1>) {
        let rows = self.rows();
        let labels = match &self.labels {
            Some(labels) => labels.clone().select(0, rows.clone()),
            None => Tensor::full([self.batch_size], NO_LABEL as f32, &rows.device()),
        };
        (self.atlas.clone().select(0, rows), labels)
    }

    /// `batch_size` rows drawn uniformly with replacement, `[batch]`.
    fn rows(&self) -> Tensor<1, burn::tensor::Int> {
        let uniform = Distribution::Uniform(0.0, self.rows as f64);
        Tensor::<1>::random([self.batch_size], uniform, &self.atlas.device())
            .int()
            .clamp(0, self.rows as i64 - 1)
    }
}
