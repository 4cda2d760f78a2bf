//! Measurements the benchmark asks the module for (the page never calls them): the arithmetic
//! rate of the backend's matrix product, the roof that training steps are compared against.

use burn::tensor::{Device, Distribution, Tensor};

/// `repeats` products `[m, k] × [k, n]` of the same random matrices on `device`, each reduced to
/// its first element and summed into `[1]`, so that one readback waits for all of them.
pub fn matmul_chain(device: &Device, m: usize, k: usize, n: usize, repeats: usize) -> Tensor<1> {
    let normal = Distribution::Normal(0.0, 1.0);
    let a = Tensor::<2>::random([m, k], normal, device);
    let b = Tensor::<2>::random([k, n], normal, device);
    (0..repeats).fold(Tensor::zeros([1], device), |sum, _| {
        sum + a.clone().matmul(b.clone()).slice([0..1, 0..1]).reshape([1])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_sums_the_first_entry_of_each_product() {
        let device = Device::flex();
        device.seed(1);
        let value = matmul_chain(&device, 3, 4, 2, 5)
            .into_data()
            .try_into_vec_as::<f32>()
            .unwrap()[0];
        device.seed(1);
        let normal = Distribution::Normal(0.0, 1.0);
        let a = Tensor::<2>::random([3, 4], normal, &device);
        let b = Tensor::<2>::random([4, 2], normal, &device);
        let first = a.matmul(b).into_data().try_into_vec_as::<f32>().unwrap()[0];
        assert!((value - 5.0 * first).abs() < 1e-4, "{value} vs 5 × {first}");
    }
}
