//! Fixed-step ODE solvers for `dx/dt = v(x, t)`, used by the flow families' samplers.

use crate::settings::Choice;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// An explicit fixed-step solver. Travels to and from JavaScript as a snake_case string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OdeSolver {
    /// Forward Euler: first order, one velocity evaluation per step.
    Euler,
    /// Explicit midpoint: second order, two evaluations per step.
    Midpoint,
    /// Classical Runge–Kutta: fourth order, four evaluations per step.
    Rk4,
}

impl Choice for OdeSolver {
    const ALL: &'static [Self] = &[OdeSolver::Euler, OdeSolver::Midpoint, OdeSolver::Rk4];
}

impl OdeSolver {
    /// Velocity evaluations per step.
    pub fn evaluations_per_step(self) -> usize {
        match self {
            OdeSolver::Euler => 1,
            OdeSolver::Midpoint => 2,
            OdeSolver::Rk4 => 4,
        }
    }

    /// One step of size `h` from `(x, t)`; `x: [n, dim]`.
    pub fn step(
        self,
        x: Tensor<2>,
        t: f32,
        h: f32,
        v: &impl Fn(Tensor<2>, f32) -> Tensor<2>,
    ) -> Tensor<2> {
        match self {
            OdeSolver::Euler => x.clone() + v(x, t) * h,
            OdeSolver::Midpoint => {
                let half = x.clone() + v(x.clone(), t) * (h / 2.0);
                x + v(half, t + h / 2.0) * h
            }
            OdeSolver::Rk4 => {
                let k1 = v(x.clone(), t);
                let k2 = v(x.clone() + k1.clone() * (h / 2.0), t + h / 2.0);
                let k3 = v(x.clone() + k2.clone() * (h / 2.0), t + h / 2.0);
                let k4 = v(x.clone() + k3.clone() * h, t + h);
                x + (k1 + k2 * 2.0 + k3 * 2.0 + k4) * (h / 6.0)
            }
        }
    }

    /// Integrates from `t0` to `t1` in `steps` equal steps; `x: [n, dim]`.
    pub fn integrate(
        self,
        x: Tensor<2>,
        t0: f32,
        t1: f32,
        steps: usize,
        v: impl Fn(Tensor<2>, f32) -> Tensor<2>,
    ) -> Tensor<2> {
        let h = (t1 - t0) / steps as f32;
        (0..steps).fold(x, |x, i| self.step(x, t0 + i as f32 * h, h, &v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    /// The exact marginal velocity of the linear path from `N(0, I)` to `N(μ, s²I)`:
    /// `x_t = tμ + σ_t x₀` with `σ_t² = (1−t)² + t²s²`, so `v(x, t) = μ + (σ_t'/σ_t)(x − tμ)`
    /// with `σ_t σ_t' = t s² − (1 − t)`. Its flow maps `x₀` to `μ + s x₀` at `t = 1`.
    fn gaussian_velocity(mu: [f32; 2], s: f32) -> impl Fn(Tensor<2>, f32) -> Tensor<2> {
        move |x: Tensor<2>, t: f32| {
            let var = (1.0 - t).powi(2) + t * t * s * s;
            let rate = (t * s * s - (1.0 - t)) / var;
            let mu = Tensor::<1>::from_floats(mu, &x.device()).unsqueeze::<2>(); // [1, 2]
            mu.clone() + (x - mu * t) * rate
        }
    }

    fn max_error(solver: OdeSolver, steps: usize) -> f32 {
        let device = Device::flex();
        let points = vec![0.0, 0.0, 1.0, -2.0, -1.5, 0.5, 2.5, 2.0];
        let x0 = Tensor::<2>::from_data(TensorData::new(points.clone(), [4, 2]), &device);
        let (mu, s) = ([3.0, -1.0], 0.5);
        let x1 = solver.integrate(x0, 0.0, 1.0, steps, gaussian_velocity(mu, s));
        let got = x1.into_data().try_into_vec_as::<f32>().unwrap();
        got.iter()
            .zip(
                points
                    .chunks(2)
                    .flat_map(|p| [mu[0] + s * p[0], mu[1] + s * p[1]]),
            )
            .map(|(g, want)| (g - want).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn solvers_transport_the_gaussian_flow_to_its_closed_form_endpoint() {
        // Global errors scale as hᵖ; these bounds hold with a wide margin at these step counts.
        assert!(
            max_error(OdeSolver::Euler, 200) < 2e-2,
            "{}",
            max_error(OdeSolver::Euler, 200)
        );
        assert!(max_error(OdeSolver::Midpoint, 50) < 2e-3);
        assert!(
            max_error(OdeSolver::Rk4, 20) < 1e-4,
            "{}",
            max_error(OdeSolver::Rk4, 20)
        );
    }

    /// Error at t = 3 of `dx/dt = x cos t`, `x(0) = 1`, whose solution is `exp(sin t)`.
    fn scalar_error(solver: OdeSolver, steps: usize) -> f32 {
        let x0 = Tensor::<2>::ones([1, 1], &Device::flex());
        let x = solver.integrate(x0, 0.0, 3.0, steps, |x, t| x * t.cos());
        let got = x.into_data().try_into_vec_as::<f32>().unwrap()[0];
        (got - 3f32.sin().exp()).abs()
    }

    #[test]
    fn solvers_converge_at_their_order() {
        // The observed order log2(e(h)/e(h/2)) approaches p = 1, 2, 4; at these step counts
        // (errors well above f32 round-off) it is within 0.6 of p (1.0, 2.3, 4.5 in f64).
        for (solver, order, steps) in [
            (OdeSolver::Euler, 1.0, 100),
            (OdeSolver::Midpoint, 2.0, 50),
            (OdeSolver::Rk4, 4.0, 8),
        ] {
            let observed = (scalar_error(solver, steps) / scalar_error(solver, 2 * steps)).log2();
            assert!(
                (observed - order).abs() < 0.6,
                "{solver:?}: observed order {observed}, expected {order}"
            );
        }
    }
}
