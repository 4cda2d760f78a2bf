// Generated from the Rust schema (`src/schema/`, each family's `settings()`) by
// `cargo run --example typescript`. Do not edit: `tests/generated_typescript.rs` fails when
// this file and the schema differ.

import type { FamilyClassName, FamilyName, NamedDataset } from "./api";

/** The values a setting takes. */
export type SettingValue = string | number | boolean;
/** One setting: its kind, range or choices, help text, whether it only changes sampling, and its default. */
export interface SettingSchema {
  name: string;
  kind: "number" | "integer" | "choice" | "boolean";
  min?: number;
  max?: number;
  choices?: readonly string[];
  help: string;
  sampling: boolean;
  default: SettingValue;
}
/** The kinds of data: 2-D points and images. */
export type DataKind = "points" | "images";
/** A family's schema. */
export interface FamilySchema {
  name: FamilyName;
  class: FamilyClassName;
  data: readonly DataKind[];
  default_dataset: NamedDataset;
  settings: readonly SettingSchema[];
  image_defaults: Readonly<Record<string, SettingValue>>;
}
/** Everything the front end is drawn from. */
export interface LabSchema {
  shared: readonly SettingSchema[];
  datasets: readonly { name: NamedDataset; kind: DataKind }[];
  families: readonly FamilySchema[];
}

/** Every family's settings, and the shared ones. */
export const SCHEMA: LabSchema = {
  "shared": [
    {
      "name": "seed",
      "kind": "integer",
      "min": 0.0,
      "max": 9007199254740992.0,
      "help": "Seed of the data, weights and noise",
      "sampling": false,
      "default": 0
    },
    {
      "name": "learning_rate",
      "kind": "number",
      "min": 1e-6,
      "max": 1.0,
      "help": "Adam learning rate",
      "sampling": false,
      "default": 0.001
    },
    {
      "name": "batch_size",
      "kind": "integer",
      "min": 1.0,
      "max": 8192.0,
      "help": "Points per training batch",
      "sampling": false,
      "default": 512
    }
  ],
  "datasets": [
    {
      "name": "eight_gaussians",
      "kind": "points"
    },
    {
      "name": "swiss_roll",
      "kind": "points"
    },
    {
      "name": "circles",
      "kind": "points"
    },
    {
      "name": "rings",
      "kind": "points"
    },
    {
      "name": "moons",
      "kind": "points"
    },
    {
      "name": "pinwheel",
      "kind": "points"
    },
    {
      "name": "two_spirals",
      "kind": "points"
    },
    {
      "name": "checkerboard",
      "kind": "points"
    },
    {
      "name": "digits",
      "kind": "images"
    }
  ],
  "families": [
    {
      "name": "autoencoder",
      "class": "Autoencoder",
      "data": [
        "points"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "latent_dim",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Dimension of the code z",
          "sampling": false,
          "default": 2
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of the encoder and of the decoder",
          "sampling": false,
          "default": 128
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of the encoder and of the decoder",
          "sampling": false,
          "default": 3
        }
      ],
      "image_defaults": {}
    },
    {
      "name": "vae",
      "class": "Vae",
      "data": [
        "points",
        "images"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "latent_dim",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Dimension of the latent z",
          "sampling": false,
          "default": 2
        },
        {
          "name": "beta",
          "kind": "number",
          "min": 0.0,
          "max": 10.0,
          "help": "Weight β of the KL term (1 is the ELBO)",
          "sampling": false,
          "default": 1.0
        },
        {
          "name": "iwae_samples",
          "kind": "integer",
          "min": 1.0,
          "max": 256.0,
          "help": "Importance samples K of the IWAE density",
          "sampling": false,
          "default": 32
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of the encoder and of the decoder",
          "sampling": false,
          "default": 128
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of the encoder and of the decoder",
          "sampling": false,
          "default": 3
        }
      ],
      "image_defaults": {
        "batch_size": 128,
        "latent_dim": 2,
        "learning_rate": 0.002,
        "width": 128
      }
    },
    {
      "name": "gan",
      "class": "Gan",
      "data": [
        "points",
        "images"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "loss",
          "kind": "choice",
          "choices": [
            "non_saturating",
            "minimax",
            "least_squares",
            "wgan_gp",
            "hinge"
          ],
          "help": "The GAN objective",
          "sampling": false,
          "default": "non_saturating"
        },
        {
          "name": "d_steps",
          "kind": "integer",
          "min": 1.0,
          "max": 10.0,
          "help": "Discriminator steps per generator step",
          "sampling": false,
          "default": 1
        },
        {
          "name": "latent_dim",
          "kind": "integer",
          "min": 1.0,
          "max": 16.0,
          "help": "Dimension of the generator's input noise",
          "sampling": false,
          "default": 2
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of both networks",
          "sampling": false,
          "default": 128
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of both networks",
          "sampling": false,
          "default": 3
        }
      ],
      "image_defaults": {
        "batch_size": 128,
        "learning_rate": 0.002
      }
    },
    {
      "name": "made",
      "class": "Made",
      "data": [
        "points"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "components",
          "kind": "integer",
          "min": 1.0,
          "max": 32.0,
          "help": "Gaussians per autoregressive conditional",
          "sampling": false,
          "default": 8
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer",
          "sampling": false,
          "default": 128
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers",
          "sampling": false,
          "default": 2
        }
      ],
      "image_defaults": {}
    },
    {
      "name": "pixel_rnn",
      "class": "PixelRnn",
      "data": [
        "images"
      ],
      "default_dataset": "digits",
      "settings": [
        {
          "name": "hidden",
          "kind": "integer",
          "min": 4.0,
          "max": 256.0,
          "help": "Units of the LSTM's state, which carries every pixel read so far",
          "sampling": false,
          "default": 64
        }
      ],
      "image_defaults": {
        "batch_size": 128,
        "learning_rate": 0.003
      }
    },
    {
      "name": "pixel_cnn",
      "class": "PixelCnn",
      "data": [
        "images"
      ],
      "default_dataset": "digits",
      "settings": [
        {
          "name": "channels",
          "kind": "integer",
          "min": 1.0,
          "max": 128.0,
          "help": "Feature channels per masked convolution layer",
          "sampling": false,
          "default": 32
        },
        {
          "name": "layers",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Type-B masked 3×3 layers after the type-A 5×5 one",
          "sampling": false,
          "default": 4
        }
      ],
      "image_defaults": {
        "batch_size": 128,
        "learning_rate": 0.003
      }
    },
    {
      "name": "image_gpt",
      "class": "ImageGpt",
      "data": [
        "images"
      ],
      "default_dataset": "digits",
      "settings": [
        {
          "name": "width",
          "kind": "integer",
          "min": 4.0,
          "max": 128.0,
          "help": "Width of the token and position embeddings and of every block",
          "sampling": false,
          "default": 32
        },
        {
          "name": "heads",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Attention heads per block; each reads a width/heads slice",
          "sampling": false,
          "default": 2
        },
        {
          "name": "layers",
          "kind": "integer",
          "min": 1.0,
          "max": 6.0,
          "help": "Transformer blocks (causal self-attention, then an MLP)",
          "sampling": false,
          "default": 2
        },
        {
          "name": "conditional",
          "kind": "boolean",
          "help": "Start each sequence with its digit's label token (dropped for a tenth of the images), so samples can be asked for a digit",
          "sampling": false,
          "default": false
        },
        {
          "name": "digit",
          "kind": "choice",
          "choices": [
            "any",
            "0",
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
            "8",
            "9"
          ],
          "help": "The digit samples are asked for (any: the unconditional model)",
          "sampling": true,
          "default": "any"
        }
      ],
      "image_defaults": {
        "batch_size": 128,
        "learning_rate": 0.003
      }
    },
    {
      "name": "independent_pixels",
      "class": "IndependentPixels",
      "data": [
        "images"
      ],
      "default_dataset": "digits",
      "settings": [],
      "image_defaults": {
        "batch_size": 128,
        "learning_rate": 0.03
      }
    },
    {
      "name": "vq_vae",
      "class": "VqVae",
      "data": [
        "images"
      ],
      "default_dataset": "digits",
      "settings": [
        {
          "name": "codes",
          "kind": "integer",
          "min": 2.0,
          "max": 128.0,
          "help": "Codebook entries: the symbols of the code grid",
          "sampling": false,
          "default": 16
        },
        {
          "name": "code_dim",
          "kind": "integer",
          "min": 1.0,
          "max": 64.0,
          "help": "Length of each codebook vector",
          "sampling": false,
          "default": 8
        },
        {
          "name": "channels",
          "kind": "integer",
          "min": 1.0,
          "max": 128.0,
          "help": "Feature channels of the encoder and decoder",
          "sampling": false,
          "default": 32
        },
        {
          "name": "commitment",
          "kind": "number",
          "min": 0.0,
          "max": 10.0,
          "help": "β: how strongly the encoder's outputs are pulled to their codebook entries",
          "sampling": false,
          "default": 0.25
        },
        {
          "name": "prior_layers",
          "kind": "integer",
          "min": 1.0,
          "max": 6.0,
          "help": "Transformer blocks of the prior over the 4×4 code grid",
          "sampling": false,
          "default": 2
        }
      ],
      "image_defaults": {
        "batch_size": 128,
        "learning_rate": 0.003
      }
    },
    {
      "name": "real_nvp",
      "class": "RealNvp",
      "data": [
        "points"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "layers",
          "kind": "integer",
          "min": 1.0,
          "max": 32.0,
          "help": "Coupling layers of the flow",
          "sampling": false,
          "default": 8
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of each coupling's network",
          "sampling": false,
          "default": 64
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of each coupling's network",
          "sampling": false,
          "default": 2
        }
      ],
      "image_defaults": {}
    },
    {
      "name": "ebm",
      "class": "Ebm",
      "data": [
        "points"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "langevin_steps",
          "kind": "integer",
          "min": 1.0,
          "max": 200.0,
          "help": "Langevin steps per training step",
          "sampling": false,
          "default": 20
        },
        {
          "name": "step_size",
          "kind": "number",
          "min": 0.00001,
          "max": 1.0,
          "help": "Langevin step size ε",
          "sampling": false,
          "default": 0.01
        },
        {
          "name": "noise",
          "kind": "number",
          "min": 0.0,
          "max": 1.0,
          "help": "Langevin noise multiplier (1 is exact Langevin)",
          "sampling": false,
          "default": 1.0
        },
        {
          "name": "sample_steps",
          "kind": "integer",
          "min": 0.0,
          "max": 1000.0,
          "help": "Langevin steps from exact grid draws when sampling",
          "sampling": true,
          "default": 20
        },
        {
          "name": "energy_penalty",
          "kind": "number",
          "min": 0.0,
          "max": 10.0,
          "help": "Weight α of the energy-magnitude penalty",
          "sampling": false,
          "default": 0.1
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of the energy network",
          "sampling": false,
          "default": 128
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of the energy network",
          "sampling": false,
          "default": 3
        }
      ],
      "image_defaults": {}
    },
    {
      "name": "ncsn",
      "class": "Ncsn",
      "data": [
        "points"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "sigma_max",
          "kind": "number",
          "min": 0.0001,
          "max": 100.0,
          "help": "Largest noise level σ_max",
          "sampling": false,
          "default": 3.0
        },
        {
          "name": "sigma_min",
          "kind": "number",
          "min": 0.0001,
          "max": 100.0,
          "help": "Smallest noise level σ_min (below σ_max)",
          "sampling": false,
          "default": 0.05
        },
        {
          "name": "levels",
          "kind": "integer",
          "min": 2.0,
          "max": 100.0,
          "help": "Noise levels of the geometric ladder",
          "sampling": false,
          "default": 10
        },
        {
          "name": "steps_per_level",
          "kind": "integer",
          "min": 1.0,
          "max": 1000.0,
          "help": "Langevin steps per noise level",
          "sampling": true,
          "default": 20
        },
        {
          "name": "step_size",
          "kind": "number",
          "min": 1e-8,
          "max": 1.0,
          "help": "Langevin step size ε at the smallest level",
          "sampling": true,
          "default": 0.0005
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of the score network",
          "sampling": false,
          "default": 128
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of the score network",
          "sampling": false,
          "default": 3
        }
      ],
      "image_defaults": {}
    },
    {
      "name": "diffusion",
      "class": "Diffusion",
      "data": [
        "points",
        "images"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "diffusion_steps",
          "kind": "integer",
          "min": 2.0,
          "max": 1000.0,
          "help": "Diffusion steps T",
          "sampling": false,
          "default": 100
        },
        {
          "name": "schedule",
          "kind": "choice",
          "choices": [
            "linear",
            "cosine"
          ],
          "help": "The β schedule",
          "sampling": false,
          "default": "linear"
        },
        {
          "name": "beta_start",
          "kind": "number",
          "min": 1e-8,
          "max": 0.999,
          "help": "Linear schedule: β₁ as for 1000 steps (below beta_end)",
          "sampling": false,
          "default": 0.0001
        },
        {
          "name": "beta_end",
          "kind": "number",
          "min": 1e-8,
          "max": 0.999,
          "help": "Linear schedule: β_T as for 1000 steps",
          "sampling": false,
          "default": 0.02
        },
        {
          "name": "sampler",
          "kind": "choice",
          "choices": [
            "ddpm",
            "ddim"
          ],
          "help": "How samples are drawn (changing it keeps the trained model)",
          "sampling": true,
          "default": "ddpm"
        },
        {
          "name": "ddim_steps",
          "kind": "integer",
          "min": 1.0,
          "max": 1000.0,
          "help": "DDIM steps (at most T)",
          "sampling": true,
          "default": 20
        },
        {
          "name": "eta",
          "kind": "number",
          "min": 0.0,
          "max": 1.0,
          "help": "DDIM stochasticity η (0 is deterministic)",
          "sampling": true,
          "default": 0.0
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of the noise predictor",
          "sampling": false,
          "default": 128
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of the noise predictor",
          "sampling": false,
          "default": 3
        }
      ],
      "image_defaults": {
        "batch_size": 128,
        "learning_rate": 0.002
      }
    },
    {
      "name": "conditional_diffusion",
      "class": "ConditionalDiffusion",
      "data": [
        "images"
      ],
      "default_dataset": "digits",
      "settings": [
        {
          "name": "diffusion_steps",
          "kind": "integer",
          "min": 2.0,
          "max": 1000.0,
          "help": "Diffusion steps T",
          "sampling": false,
          "default": 100
        },
        {
          "name": "digit",
          "kind": "choice",
          "choices": [
            "any",
            "0",
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
            "8",
            "9"
          ],
          "help": "The digit samples are asked for (any: the unconditional model)",
          "sampling": true,
          "default": "any"
        },
        {
          "name": "guidance",
          "kind": "number",
          "min": 0.0,
          "max": 20.0,
          "help": "Classifier-free guidance scale w: 0 is the conditional model; larger w, clearer digits and less variety",
          "sampling": true,
          "default": 1.0
        },
        {
          "name": "sampler",
          "kind": "choice",
          "choices": [
            "ddpm",
            "ddim"
          ],
          "help": "How samples are drawn",
          "sampling": true,
          "default": "ddim"
        },
        {
          "name": "ddim_steps",
          "kind": "integer",
          "min": 1.0,
          "max": 1000.0,
          "help": "DDIM steps (at most T)",
          "sampling": true,
          "default": 20
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of the noise predictor",
          "sampling": false,
          "default": 256
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of the noise predictor",
          "sampling": false,
          "default": 3
        }
      ],
      "image_defaults": {
        "batch_size": 128,
        "learning_rate": 0.002
      }
    },
    {
      "name": "score_sde",
      "class": "ScoreSde",
      "data": [
        "points"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "sde",
          "kind": "choice",
          "choices": [
            "vp",
            "ve"
          ],
          "help": "Variance preserving or variance exploding SDE",
          "sampling": false,
          "default": "vp"
        },
        {
          "name": "sampler",
          "kind": "choice",
          "choices": [
            "reverse_sde",
            "probability_flow"
          ],
          "help": "How samples are drawn (changing it keeps the trained model)",
          "sampling": true,
          "default": "reverse_sde"
        },
        {
          "name": "sample_steps",
          "kind": "integer",
          "min": 1.0,
          "max": 2000.0,
          "help": "Steps of the sampler",
          "sampling": true,
          "default": 200
        },
        {
          "name": "likelihood_steps",
          "kind": "integer",
          "min": 1.0,
          "max": 1000.0,
          "help": "Midpoint steps of the likelihood ODE",
          "sampling": true,
          "default": 16
        },
        {
          "name": "beta_min",
          "kind": "number",
          "min": 0.001,
          "max": 100.0,
          "help": "VP SDE: β(0) (below β(1))",
          "sampling": false,
          "default": 0.1
        },
        {
          "name": "beta_max",
          "kind": "number",
          "min": 0.001,
          "max": 100.0,
          "help": "VP SDE: β(1)",
          "sampling": false,
          "default": 20.0
        },
        {
          "name": "sigma_min",
          "kind": "number",
          "min": 0.0001,
          "max": 100.0,
          "help": "VE SDE: σ(0) (below σ(1))",
          "sampling": false,
          "default": 0.01
        },
        {
          "name": "sigma_max",
          "kind": "number",
          "min": 0.0001,
          "max": 100.0,
          "help": "VE SDE: σ(1)",
          "sampling": false,
          "default": 5.0
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of the score network",
          "sampling": false,
          "default": 128
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of the score network",
          "sampling": false,
          "default": 3
        }
      ],
      "image_defaults": {}
    },
    {
      "name": "flow_matching",
      "class": "FlowMatching",
      "data": [
        "points"
      ],
      "default_dataset": "eight_gaussians",
      "settings": [
        {
          "name": "coupling",
          "kind": "choice",
          "choices": [
            "independent",
            "minibatch_ot"
          ],
          "help": "How noise and data are paired: independently, or by the batch's optimal transport plan",
          "sampling": false,
          "default": "independent"
        },
        {
          "name": "solver",
          "kind": "choice",
          "choices": [
            "euler",
            "midpoint",
            "rk4"
          ],
          "help": "ODE solver used to sample",
          "sampling": true,
          "default": "midpoint"
        },
        {
          "name": "sample_steps",
          "kind": "integer",
          "min": 1.0,
          "max": 1000.0,
          "help": "Solver steps from t = 0 to t = 1",
          "sampling": true,
          "default": 16
        },
        {
          "name": "width",
          "kind": "integer",
          "min": 1.0,
          "max": 1024.0,
          "help": "Units per hidden layer of the velocity network",
          "sampling": false,
          "default": 128
        },
        {
          "name": "depth",
          "kind": "integer",
          "min": 1.0,
          "max": 8.0,
          "help": "Hidden layers of the velocity network",
          "sampling": false,
          "default": 3
        }
      ],
      "image_defaults": {}
    }
  ]
};
