//! The session's side of [`Standardisation`]: families work in the model's coordinates, and
//! everything that leaves the session (samples, views, truths, densities, scores) is in the
//! user's.

use burn::tensor::{Device, Tensor};

use crate::data::Standardisation;
use crate::family::ViewUnits;

/// Model points `[n, 2]` on the device in user units: `centre + scale·z`.
pub fn points_to_user(map: &Standardisation, z: Tensor<2>) -> Tensor<2> {
    if map.is_identity() || z.dims()[1] != 2 {
        return z;
    }
    let centre = centre_row(map, &z.device()); // [1, 2]
    z * map.scale as f32 + centre
}

/// The factor on a field of these units (scores and line densities per user unit, velocities
/// in user units per unit time); `None` for units that are not a plain factor.
fn field_factor(map: &Standardisation, units: ViewUnits) -> Option<f64> {
    match units {
        ViewUnits::Score | ViewUnits::LineDensity => Some(1.0 / map.scale),
        ViewUnits::Velocity => Some(map.scale),
        ViewUnits::Unitless | ViewUnits::Position | ViewUnits::LogDensity => None,
    }
}

/// A view's output `[rows, columns]` in user units, as its [`ViewUnits`] say.
pub fn view_to_user(map: &Standardisation, units: ViewUnits, output: Tensor<2>) -> Tensor<2> {
    if map.is_identity() {
        return output;
    }
    match (units, field_factor(map, units)) {
        (_, Some(factor)) => output * factor as f32,
        (ViewUnits::Position, None) => points_to_user(map, output),
        (ViewUnits::LogDensity, None) => output - map.log_det() as f32,
        _ => output,
    }
}

/// Host values of a field (a view's exact truth) in user units, as [`view_to_user`].
pub fn field_to_user(map: &Standardisation, units: ViewUnits, values: Vec<f32>) -> Vec<f32> {
    match field_factor(map, units) {
        Some(factor) => values
            .into_iter()
            .map(|v| (v as f64 * factor) as f32)
            .collect(),
        None => values,
    }
}

fn centre_row(map: &Standardisation, device: &Device) -> Tensor<2> {
    let centre = [map.centre[0] as f32, map.centre[1] as f32];
    Tensor::<1>::from_floats(centre, device).reshape([1, 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn read(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn each_kind_of_output_maps_as_its_change_of_variables_says() {
        let device = crate::device::cpu_device();
        let map = Standardisation {
            centre: [40.0, -25.0],
            scale: 15.0,
        };
        let z = || Tensor::<2>::from_data(TensorData::new(vec![1.0_f32, -2.0], [1, 2]), &device);
        assert_eq!(read(points_to_user(&map, z())), vec![55.0, -55.0]);
        assert_eq!(
            read(view_to_user(&map, ViewUnits::Velocity, z())),
            vec![15.0, -30.0]
        );
        assert_eq!(
            read(view_to_user(&map, ViewUnits::Unitless, z())),
            vec![1.0, -2.0]
        );
        let score = read(view_to_user(&map, ViewUnits::Score, z()));
        assert!((score[0] - 1.0 / 15.0).abs() < 1e-7 && (score[1] + 2.0 / 15.0).abs() < 1e-7);
        let log = read(view_to_user(&map, ViewUnits::LogDensity, z()));
        assert!((log[0] - (1.0 - 2.0 * 15f32.ln())).abs() < 1e-5, "{log:?}");
        assert_eq!(
            field_to_user(&map, ViewUnits::Velocity, vec![1.0, -2.0]),
            vec![15.0, -30.0]
        );
        let identity = Standardisation::IDENTITY;
        assert_eq!(
            read(view_to_user(&identity, ViewUnits::LogDensity, z())),
            vec![1.0, -2.0]
        );
    }
}
