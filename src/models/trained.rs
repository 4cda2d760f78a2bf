//! A network with its optimizer and learning rate: what every family trains, one value per
//! network (the GAN has two, with their own optimizer states).

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::tensor::Tensor;

use crate::models::adam::Adam;
use crate::models::math::descend;

/// `module` trained by Adam at `learning_rate`.
#[derive(Clone)]
pub struct Trained<M: Module> {
    /// The network (on an autodiff device).
    pub module: M,
    optim: ModuleOptimizer,
    learning_rate: f64,
}

impl<M: Module> Trained<M> {
    /// `module` with a fresh Adam state at Adam's default moments (`β₁ = 0.9`).
    pub fn new(module: M, learning_rate: f64) -> Self {
        Self::with_optimizer(module, Adam::new(0.9).init(), learning_rate)
    }

    /// `module` with the optimizer `optim` (e.g. Adam with β₁ = 0.5 for a GAN).
    pub fn with_optimizer(module: M, optim: ModuleOptimizer, learning_rate: f64) -> Self {
        Self {
            module,
            optim,
            learning_rate,
        }
    }

    /// One optimizer step on `loss` (`[1]`, built from `module`'s forward pass).
    pub fn step(&mut self, loss: &Tensor<1>) {
        self.module = descend(
            &mut self.optim,
            self.learning_rate,
            self.module.clone(),
            loss,
        );
    }
}
