//! Model families, one file each, plus the networks, solvers and tensor functions they share.

pub mod activation;
pub mod adam;
pub mod autoencoder;
pub mod conditional;
pub mod conditional_diffusion;
pub mod coupling;
pub mod diffusion;
pub mod ebm;
pub mod flow_matching;
pub mod fused_coupling;
pub mod fused_linear;
pub mod gan;
pub mod grey_levels;
pub mod image_gpt;
pub mod independent_pixels;
pub mod labels;
pub mod made;
pub mod math;
pub mod mlp;
pub mod ncsn;
pub mod ode;
pub mod parallel;
pub mod pixel_cnn;
pub mod pixel_rnn;
pub mod real_nvp;
pub mod score_sde;
pub mod tiles;
pub mod trained;
pub mod vae;
pub mod vq_vae;

use crate::schema::{FamilySchema, LabSchema};

/// Calls macro `$then` with every family, in the order the notes teach them, as
/// `/// doc  ClassName => Type, "OptionsTypeName"`: the one list of families, from which the
/// JavaScript classes ([`crate::web`]) and the schema list ([`schema`]) are both built.
#[macro_export]
macro_rules! for_each_family {
    ($then:ident) => {
        $then! {
            /// A deterministic autoencoder, whose decoded prior samples are not data.
            Autoencoder => $crate::models::autoencoder::Autoencoder, "AutoencoderOptions";
            /// A Gaussian VAE with β-weighted ELBO and an IWAE log-likelihood.
            Vae => $crate::models::vae::Vae, "VaeOptions";
            /// A GAN with a choice of objectives.
            Gan => $crate::models::gan::Gan, "GanOptions";
            /// MADE: an autoregressive mixture-of-Gaussians density.
            Made => $crate::models::made::Made, "MadeOptions";
            /// Pixel RNN on the 8×8 digits: an LSTM over the pixels in raster order.
            PixelRnn => $crate::models::pixel_rnn::PixelRnn, "PixelRnnOptions";
            /// PixelCNN on the 8×8 digits: masked convolutions, exact likelihood.
            PixelCnn => $crate::models::pixel_cnn::PixelCnn, "PixelCnnOptions";
            /// image-GPT on the 8×8 digits: a causal transformer over the pixels as tokens.
            ImageGpt => $crate::models::image_gpt::ImageGpt, "ImageGptOptions";
            /// One-shot generation on the 8×8 digits: every pixel drawn at once, independently.
            IndependentPixels => $crate::models::independent_pixels::IndependentPixels, "IndependentPixelsOptions";
            /// VQ-VAE on the 8×8 digits: a discrete code grid with a transformer prior over it.
            VqVae => $crate::models::vq_vae::VqVae, "VqVaeOptions";
            /// A RealNVP normalizing flow.
            RealNvp => $crate::models::real_nvp::RealNvp, "RealNvpOptions";
            /// An energy-based model with persistent Langevin chains.
            Ebm => $crate::models::ebm::Ebm, "EbmOptions";
            /// A noise-conditional score network with annealed Langevin sampling.
            Ncsn => $crate::models::ncsn::Ncsn, "NcsnOptions";
            /// DDPM with DDIM sampling from the same network.
            Diffusion => $crate::models::diffusion::Diffusion, "DiffusionOptions";
            /// Class-conditional DDPM on the 8×8 digits with classifier-free guidance.
            ConditionalDiffusion => $crate::models::conditional_diffusion::ConditionalDiffusion, "ConditionalDiffusionOptions";
            /// Score-based modelling with VP or VE SDEs.
            ScoreSde => $crate::models::score_sde::ScoreSde, "ScoreSdeOptions";
            /// Flow matching on the linear path from N(0, I) to the data.
            FlowMatching => $crate::models::flow_matching::FlowMatching, "FlowMatchingOptions";
        }
    };
}

/// Collects each family's schema (the expansion [`schema`] gives [`for_each_family!`]).
macro_rules! family_schemas {
    ($($(#[$doc:meta])* $class:ident => $family:ty, $options:literal;)*) => {
        vec![$(FamilySchema::of::<$family>(stringify!($class))),*]
    };
}

/// The schema of every family and of the settings all labs share.
pub fn schema() -> LabSchema {
    LabSchema::new(crate::for_each_family!(family_schemas))
}
