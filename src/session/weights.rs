//! Trained weights as a file, so a model trained in one page can be saved and loaded in another.
//!
//! Layout: the 8 bytes `GENLABW1`, a little-endian `u32` header length, the header as UTF-8 JSON
//! ([`WeightsHeader`]: family, options, step, parameter shapes, data standardisation), then every parameter's values
//! as little-endian `f32`, in [`Family::visit_parameters`] order. Export reads the parameters
//! from the device in one asynchronous transaction; import checks everything before it changes
//! anything. Optimizer moments are not saved: training after a load restarts them.

use burn::module::{ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};

use super::Session;
use crate::data::Standardisation;
use crate::family::Family;

/// The file's first bytes.
pub const WEIGHTS_MAGIC: &[u8; 8] = b"GENLABW1";
/// Largest weights file accepted (two width-1024, depth-8 networks fit).
pub const MAX_WEIGHTS_BYTES: usize = 128 << 20;
/// Largest header accepted.
const MAX_HEADER_BYTES: usize = 1 << 20;
/// Most parameter tensors a file may list.
const MAX_TENSORS: usize = 4096;

/// What a weights file says about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightsHeader {
    /// The family's snake_case name.
    pub family: String,
    /// Every option of the lab that trained them (untrusted on load: validate before use).
    pub options: serde_json::Value,
    /// Training steps taken.
    pub step: u64,
    /// Each parameter's shape, in visiting order.
    pub shapes: Vec<Vec<usize>>,
    /// The map from the data's units to the coordinates the weights were trained in (absent in
    /// files written before standardisation, which trained in the data's own units).
    #[serde(default)]
    pub standardisation: Option<Standardisation>,
}

/// A decoded weights file.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightsFile {
    /// The header.
    pub header: WeightsHeader,
    /// Every parameter's values, concatenated in visiting order.
    pub values: Vec<f32>,
}

impl WeightsFile {
    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).expect("a header always serialises");
        let mut bytes = Vec::with_capacity(12 + header.len() + 4 * self.values.len());
        bytes.extend_from_slice(WEIGHTS_MAGIC);
        bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&header);
        for value in &self.values {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        bytes
    }

    /// Parses and checks untrusted bytes: size limits, magic, header, shapes that add up to
    /// the payload exactly, finite values.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() > MAX_WEIGHTS_BYTES {
            return Err(format!(
                "the file has {} bytes; at most {MAX_WEIGHTS_BYTES} are accepted",
                bytes.len()
            ));
        }
        if bytes.len() < 12 || &bytes[..8] != WEIGHTS_MAGIC {
            return Err(
                "this is not a GenLab weights file (it does not start with GENLABW1)".into(),
            );
        }
        let header_len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
        if header_len > MAX_HEADER_BYTES || 12 + header_len > bytes.len() {
            return Err(format!(
                "the header length {header_len} is impossible for this file"
            ));
        }
        let header: WeightsHeader = serde_json::from_slice(&bytes[12..12 + header_len])
            .map_err(|e| format!("the header is not valid: {e}"))?;
        if header.shapes.len() > MAX_TENSORS {
            return Err(format!("the header lists more than {MAX_TENSORS} tensors"));
        }
        let count = header
            .shapes
            .iter()
            .try_fold(0usize, |total, shape| {
                let size = shape.iter().try_fold(1usize, |n, d| n.checked_mul(*d))?;
                total.checked_add(size)
            })
            .ok_or("the header's shapes overflow")?;
        let payload = &bytes[12 + header_len..];
        if count.checked_mul(4) != Some(payload.len()) {
            return Err(format!(
                "the header's shapes hold {count} values but the file carries {} bytes of them",
                payload.len()
            ));
        }
        let values: Vec<f32> = payload
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect();
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(format!("value {i} of the weights is not finite"));
        }
        Ok(Self { header, values })
    }
}

/// Collects every float parameter, flattened, and its shape.
#[derive(Default)]
struct Collect {
    tensors: Vec<Tensor<1>>,
    shapes: Vec<Vec<usize>>,
}

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val().without_autodiff();
        let shape = tensor.dims().to_vec();
        self.tensors
            .push(tensor.reshape([shape.iter().product::<usize>()]));
        self.shapes.push(shape);
    }
}

/// The shapes of a family's parameters, in visiting order (nothing is read from the device).
pub fn parameter_shapes<F: Family>(family: &F) -> Vec<Vec<usize>> {
    let mut collect = Collect::default();
    family.visit_parameters(&mut collect);
    collect.shapes
}

/// A family's parameters still on the device, waiting for one readback.
pub struct PendingWeights {
    header: WeightsHeader,
    tensors: Vec<Tensor<1>>,
}

impl PendingWeights {
    /// Gathers `family`'s parameters under a header naming it, its options, step and the map
    /// of its data to its coordinates.
    pub fn gather<F: Family>(
        family: &F,
        options: serde_json::Value,
        step: u64,
        standardisation: Standardisation,
    ) -> Self {
        let mut collect = Collect::default();
        family.visit_parameters(&mut collect);
        Self {
            header: WeightsHeader {
                family: F::NAME.to_string(),
                options,
                step,
                shapes: collect.shapes,
                standardisation: Some(standardisation),
            },
            tensors: collect.tensors,
        }
    }

    /// Reads every parameter in one transaction (never a synchronous GPU read) and encodes the
    /// file.
    pub async fn read(self) -> Result<WeightsFile, String> {
        let transaction = self
            .tensors
            .into_iter()
            .fold(Transaction::default(), |t, tensor| t.register(tensor));
        let mut values = Vec::new();
        for data in transaction
            .execute_async()
            .await
            .map_err(|e| format!("reading the weights failed: {e:?}"))?
        {
            values.extend(
                data.try_into_vec_as::<f32>()
                    .map_err(|e| format!("a weight tensor is unreadable: {e:?}"))?,
            );
        }
        Ok(WeightsFile {
            header: self.header,
            values,
        })
    }
}

/// Replaces every float parameter by the next values of a checked file.
struct Replace<'a> {
    values: &'a [f32],
    shapes: std::slice::Iter<'a, Vec<usize>>,
}

impl ModuleMapper for Replace<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let shape = self.shapes.next().expect("shapes were checked").clone();
        let (values, rest) = self.values.split_at(shape.iter().product());
        self.values = rest;
        param.map(|old| {
            let fresh =
                Tensor::<D>::from_data(TensorData::new(values.to_vec(), shape), &old.device());
            if old.is_require_grad() {
                fresh.require_grad()
            } else {
                fresh
            }
        })
    }
}

/// Loads `file` into `family` after checking that it is this family's and that every shape
/// matches; on an error `family` is unchanged.
pub fn load_into<F: Family>(family: &mut F, file: &WeightsFile) -> Result<(), String> {
    if file.header.family != F::NAME {
        return Err(format!(
            "these weights are of a {} model, not {}",
            file.header.family,
            F::NAME
        ));
    }
    let expected = parameter_shapes(family);
    if expected != file.header.shapes {
        return Err(format!(
            "the file's network shapes ({} tensors) differ from this lab's ({} tensors): build \
             the lab with the options saved in the file",
            file.header.shapes.len(),
            expected.len()
        ));
    }
    family.map_parameters(&mut Replace {
        values: &file.values,
        shapes: file.header.shapes.iter(),
    });
    Ok(())
}

impl<F: Family> Session<F> {
    /// Every network parameter under a header (family, options, step), still on the device.
    pub fn export_weights(&self) -> PendingWeights {
        PendingWeights::gather(&self.family, self.options.to_json(), self.step, self.map)
    }

    /// Loads checked weights (see [`WeightsFile::decode`]) of this family with this lab's
    /// network shapes, trained on data standardised as this lab's, and takes their step; on an
    /// error nothing changes.
    pub fn import_weights(&mut self, file: &WeightsFile) -> Result<(), String> {
        let trained = file
            .header
            .standardisation
            .unwrap_or(Standardisation::IDENTITY);
        if !trained.agrees_with(&self.map) {
            return Err(format!(
                "these weights were trained on data centred at ({:.4}, {:.4}) with scale {:.4}, \
                 this lab's data at ({:.4}, {:.4}) with scale {:.4}: load them in a lab on the \
                 data they were trained on",
                trained.centre[0],
                trained.centre[1],
                trained.scale,
                self.map.centre[0],
                self.map.centre[1],
                self.map.scale
            ));
        }
        let mut family = self.family.clone();
        load_into(&mut family, file)?;
        self.family = family;
        self.step = file.header.step;
        self.last_finite = (self.family.clone(), self.step);
        Ok(())
    }
}
