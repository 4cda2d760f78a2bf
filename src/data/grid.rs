//! A square grid of cells over a box, holding one value (a density) per cell.

use super::{Bounds, DataError};

/// Largest grid resolution accepted (cells per axis).
pub const MAX_RESOLUTION: usize = 1024;

/// Values on a `resolution × resolution` grid over `bounds`, row-major with row 0 at the lowest
/// y; cell `(i, j)` has centre `(x_min + (i + ½)·dx, y_min + (j + ½)·dy)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The box the grid covers.
    pub bounds: Bounds,
    /// Cells per axis.
    pub resolution: usize,
    /// One value per cell, `values[j * resolution + i]`.
    pub values: Vec<f64>,
}

impl Grid {
    /// A grid of zeros; rejects a resolution of 0 or above [`MAX_RESOLUTION`], and bounds that
    /// are not finite with min < max.
    pub fn zeros(bounds: Bounds, resolution: usize) -> Result<Self, DataError> {
        if resolution == 0 || resolution > MAX_RESOLUTION {
            return Err(DataError::new(format!(
                "the resolution must be between 1 and {MAX_RESOLUTION}, got {resolution}"
            )));
        }
        bounds.check().map_err(DataError::new)?;
        Ok(Self {
            bounds,
            resolution,
            values: vec![0.0; resolution * resolution],
        })
    }

    /// Cell width and height.
    pub fn cell_size(&self) -> (f64, f64) {
        let b = self.bounds;
        (
            (b.x_max - b.x_min) as f64 / self.resolution as f64,
            (b.y_max - b.y_min) as f64 / self.resolution as f64,
        )
    }

    /// Area of one cell.
    pub fn cell_area(&self) -> f64 {
        let (dx, dy) = self.cell_size();
        dx * dy
    }

    /// `Σ value × cell area`: the mass the grid holds.
    pub fn mass(&self) -> f64 {
        self.values.iter().sum::<f64>() * self.cell_area()
    }

    /// The x edges of the columns (resolution + 1 values), likewise [`Grid::y_edges`].
    pub fn x_edges(&self) -> Vec<f64> {
        let (dx, _) = self.cell_size();
        (0..=self.resolution)
            .map(|i| self.bounds.x_min as f64 + i as f64 * dx)
            .collect()
    }

    /// The y edges of the rows.
    pub fn y_edges(&self) -> Vec<f64> {
        let (_, dy) = self.cell_size();
        (0..=self.resolution)
            .map(|j| self.bounds.y_min as f64 + j as f64 * dy)
            .collect()
    }
}
