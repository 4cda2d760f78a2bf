//! Model families, one file each, plus the networks, solvers and tensor functions they share.

pub mod activation;
pub mod autoencoder;
pub mod conditional;
pub mod coupling;
pub mod diffusion;
pub mod ebm;
pub mod flow_matching;
pub mod gan;
pub mod made;
pub mod math;
pub mod mlp;
pub mod ncsn;
pub mod ode;
pub mod pixel_cnn;
pub mod real_nvp;
pub mod score_sde;
pub mod tiles;
pub mod vae;
