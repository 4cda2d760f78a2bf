//! Model families, one file each, plus the networks and solvers they share.

pub mod flow_matching;
pub mod mlp;
pub mod ode;
