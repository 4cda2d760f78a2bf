//! A self-check of GenLab's Adam (`models::adam`), whose update on the CPU backend is one host
//! pass per parameter, against Burn's Adam: the same network trained side by side by both, with
//! the same gradients, must hold the same bits after every step (natively, and in the browser
//! tests on the wasm module's own `sqrt` and division).

use crate::diagnostics::fused_layer::{entries, tensor, weighted_sum};
use crate::models::adam::Adam;
use crate::models::math::descend;
use crate::models::mlp::{Mlp, MlpConfig};
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::ModuleOptimizer;
use burn::prelude::*;

/// Steps trained by each optimizer: the first (Burn's own arithmetic in both) and the fused ones
/// after it.
pub const STEPS: usize = 6;

/// The first-moment decays checked: Burn's default and the GAN's.
pub const BETA_1: [f32; 2] = [0.9, 0.5];

/// What [`check`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AdamCheck {
    /// Parameter entries compared, summed over steps and decays.
    pub compared: usize,
    /// Entries whose bits differ between the two optimizers.
    pub mismatches: usize,
    /// Entries the last step changed (so that the comparison is of real updates).
    pub moved: usize,
}

/// Trains a small network (an MLP `3 → 2` with two hidden layers of 16, so weights and biases)
/// for [`STEPS`] steps with each decay of [`BETA_1`], once by GenLab's Adam and once by Burn's,
/// and compares every parameter's bits after each step. `device` is the CPU backend (autodiff is
/// added here); reads tensors back synchronously.
pub fn check(device: &Device) -> AdamCheck {
    let device = device.clone().autodiff();
    let mut found = AdamCheck::default();
    for beta_1 in BETA_1 {
        let network = MlpConfig::new(3, 2, 16, 2).init(&device);
        let burns = Adam::burns(beta_1).init();
        let mut ours = (network.clone(), Adam::new(beta_1).init());
        let mut theirs = (network, burns);
        for step in 0..STEPS {
            let before = parameters(&ours.0);
            // A batch that changes with the step, so that the gradients do too.
            let x = tensor(entries(64 * 3, step as f32, 2.0), [64, 3], &device);
            ours.0 = train(&mut ours.1, ours.0.clone(), x.clone());
            theirs.0 = train(&mut theirs.1, theirs.0.clone(), x);
            let (a, b) = (parameters(&ours.0), parameters(&theirs.0));
            found.compared += a.len();
            found.mismatches += a
                .iter()
                .zip(&b)
                .filter(|(a, b)| a.to_bits() != b.to_bits())
                .count();
            if step + 1 == STEPS {
                found.moved += a.iter().zip(&before).filter(|(a, b)| a != b).count();
            }
        }
    }
    found
}

/// One step of `optim` on a weighted sum of `network`'s outputs at `x`, at learning rate 0.01.
fn train(optim: &mut ModuleOptimizer, network: Mlp, x: Tensor<2>) -> Mlp {
    let loss = weighted_sum(network.forward(x)).reshape([1]);
    descend(optim, 0.01, network, &loss)
}

/// Every float parameter's entries, in visiting order.
fn parameters<M: Module>(module: &M) -> Vec<f32> {
    struct Read(Vec<f32>);
    impl ModuleVisitor for Read {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let values = param.val().into_data().try_into_vec::<f32>();
            self.0.extend(values.expect("f32 parameters"));
        }
    }
    let mut read = Read(Vec::new());
    module.visit(&mut read);
    read.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genlabs_adam_gives_burns_bits_on_the_cpu_backend() {
        let found = check(&Device::flex());
        assert_eq!(found.mismatches, 0, "{found:?}");
        assert!(found.compared > 0 && found.moved > 0, "{found:?}");
    }
}
