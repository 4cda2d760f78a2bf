//! Images laid out for the page: a view of kind [`ViewKind::Images`](crate::family::ViewKind)
//! returns `[tile rows, tiles per row · pixels]`, one output row per row of images.

use burn::tensor::{Int, Tensor};

/// `images: [k, pixels]` as rows of `per_row` images, `[k / per_row, per_row · pixels]` (a
/// trailing partial row is dropped; at least one row is kept by repeating the last image).
pub fn tiles(images: Tensor<2>, per_row: usize) -> Tensor<2> {
    let [k, pixels] = images.dims();
    let rows = (k / per_row).max(1);
    let images = if k < per_row {
        let last = images.clone().narrow(0, k - 1, 1); // [1, pixels]
        Tensor::cat(vec![images, last.repeat_dim(0, per_row - k)], 0) // [per_row, pixels]
    } else {
        images.narrow(0, 0, rows * per_row) // [rows · per_row, pixels]
    };
    images.reshape([rows, per_row * pixels])
}

/// The first `k` rows of `x: [n, d]` (all of them when there are fewer), `[min(k, n), d]`.
pub fn first_rows(x: Tensor<2>, k: usize) -> Tensor<2> {
    let n = x.dims()[0];
    x.narrow(0, 0, k.min(n))
}

/// Grey levels `[n, pixels]` as points at the centres of their cells, `(v + ½)/levels`, with the
/// pixels from `from` on set to NaN ("not given", "not drawn yet").
pub fn erased_from(v: Tensor<2>, levels: usize, from: usize) -> Tensor<2> {
    let [n, pixels] = v.dims();
    let points = (v.clone() + 0.5) / levels as f32;
    if from >= pixels {
        return points;
    }
    let erased = Tensor::<1, Int>::arange(0..pixels as i64, &v.device())
        .greater_equal_elem(from as i64)
        .unsqueeze::<2>()
        .repeat_dim(0, n); // [n, pixels]
    points.mask_fill(erased, f32::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn images(k: usize, pixels: usize) -> Tensor<2> {
        let values: Vec<f32> = (0..k * pixels).map(|v| v as f32).collect();
        Tensor::from_data(TensorData::new(values, [k, pixels]), &Device::flex())
    }

    #[test]
    fn tiles_put_consecutive_images_side_by_side() {
        let grid = tiles(images(7, 4), 3); // 2 rows of 3, the 7th dropped
        assert_eq!(grid.dims(), [2, 12]);
        let values = grid.into_data().try_into_vec_as::<f32>().unwrap();
        assert_eq!(values, (0..24).map(|v| v as f32).collect::<Vec<_>>());
        let short = tiles(images(2, 1), 3)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap();
        assert_eq!(
            short,
            vec![0.0, 1.0, 1.0],
            "the last image repeats to fill one row"
        );
        assert_eq!(first_rows(images(5, 2), 3).dims(), [3, 2]);
        assert_eq!(first_rows(images(2, 2), 3).dims(), [2, 2]);
    }
}
