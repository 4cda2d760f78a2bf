// The shipped notebook: a guided tour in the order the source notes teach, each lab ready to
// train, with its key formula above it and what to watch in the plots; then the same ideas on
// images (8×8 digits), with settings light enough to train live on a CPU.

import type { FamilyName } from "./families";
import type { NamedDataset } from "./generated/api";
import type { SettingValue } from "./generated/schema";
import type { Cell, Notebook } from "./notebook";
import { defaultsFor } from "./state";

/** A lab of `family` on `dataset` (by default its own), with its defaults there but for `settings`. */
function lab(
  family: FamilyName,
  { dataset, settings = {} }: { dataset?: NamedDataset; settings?: Record<string, SettingValue> } = {},
): Cell {
  const state = defaultsFor(family, dataset);
  return { kind: "lab", lab: { ...state, settings: { ...state.settings, ...settings } } };
}

function text(lines: string[]): Cell {
  return { kind: "text", text: lines.join("\n") };
}

/** The default notebook. */
export function tour(): Notebook {
  return {
    backend: "auto",
    cells: [
      text([
        "# Generative models, trained live",
        "",
        "Each lab below learns a 2-D data distribution $p$ with a model $q_\\theta$ in your browser. Press",
        "**Train** and watch the model's samples (orange) approach the data (blue) while the divergence",
        "curve falls towards its **noise floor**: the same estimate between two samples of the data itself.",
      ]),
      text([
        "## 1. Autoencoder",
        "",
        "An encoder $z = e(x)$ and a decoder $\\hat x = d(z)$ minimise $\\mathbb{E}\\lVert x - d(e(x))\\rVert^2$.",
        "**Watch:** the reconstruction error falls, yet decoding $z \\sim \\mathcal N(0, I)$ misses the data:",
        "nothing makes the codes Gaussian (view *Codes of the data*).",
      ]),
      lab("autoencoder"),
      text([
        "## 2. Variational autoencoder",
        "",
        "$$\\log p(x) \\ge \\mathbb{E}_{q(z|x)}[\\log p(x|z)] - \\mathrm{KL}(q(z|x)\\,\\|\\,p(z))$$",
        "The KL term pulls the codes to $\\mathcal N(0, I)$, so decoded noise looks like data.",
        "**Watch:** the ELBO rises; the posterior means fill a Gaussian blob.",
      ]),
      lab("vae"),
      text([
        "## 3. GAN",
        "",
        "For a fixed generator, the best discriminator is $D^*(x) = \\frac{p(x)}{p(x) + q(x)}$ and then",
        "$V(D^*, G) = 2\\,\\mathrm{JS}(p\\,\\|\\,q) - \\log 4$.",
        "**Watch:** the discriminator view beside the optimal one, and $V(D, G)$ beside $2\\,\\mathrm{JS} - \\log 4$.",
      ]),
      lab("gan"),
      text([
        "## 4. Autoregressive model",
        "",
        "$p(x_1, x_2) = p(x_1)\\,p(x_2 \\mid x_1)$: a masked network outputs each conditional, so the",
        "likelihood is exact. **Watch:** the conditional $p(x_2 \\mid x_1)$ as you slide $x_1$.",
      ]),
      lab("made"),
      text([
        "## 5. Normalizing flow",
        "",
        "$$\\log p(x) = \\log \\mathcal N(f(x); 0, I) + \\log \\left|\\det \\frac{\\partial f}{\\partial x}\\right|$$",
        "**Watch:** the warp view carries a Gaussian lattice through the couplings one layer at a time.",
      ]),
      lab("real_nvp", { dataset: "moons" }),
      text([
        "## 6. Energy-based model",
        "",
        "$p(x) \\propto e^{-E(x)}$, sampled by Langevin dynamics",
        "$x \\leftarrow x - \\tfrac{\\epsilon}{2}\\nabla E(x) + \\sqrt{\\epsilon}\\,z$.",
        "**Watch:** the energy landscape and the persistent chains settle into the modes.",
      ]),
      lab("ebm"),
      text([
        "## 7. Score matching",
        "",
        "The Fisher divergence $\\mathbb{E}_p\\lVert \\nabla \\log p - s_\\theta \\rVert^2$ is minimised, without",
        "knowing $p$, by denoising: the target is $-(\\tilde x - x)/\\sigma^2$.",
        "**Watch:** the learned score (dark) meets the true score (green); the Fisher curve falls.",
      ]),
      lab("ncsn"),
      text([
        "## 8. Diffusion",
        "",
        "$q(x_t \\mid x_0) = \\mathcal N(\\sqrt{\\bar\\alpha_t}\\,x_0, (1 - \\bar\\alpha_t) I)$; a network predicts the",
        "noise, and $-\\epsilon_\\theta/\\sqrt{1 - \\bar\\alpha_t}$ is the score.",
        "**Watch:** step through the reverse chain; switch the sampler to DDIM without retraining.",
      ]),
      lab("diffusion", { dataset: "moons" }),
      text([
        "## 9. Flow matching",
        "",
        "$$\\min_\\theta\\ \\mathbb{E}\\,\\lVert v_\\theta(x_t, t) - (x_1 - x_0) \\rVert^2,\\quad x_t = (1 - t)\\,x_0 + t\\,x_1$$",
        "**Watch:** the ODE paths; press *Reflow* and measure how much straighter they become.",
      ]),
      lab("flow_matching"),
      text([
        "## 10. Score SDE",
        "",
        "The reverse SDE $dx = [f - g^2 \\nabla \\log p_t]\\,dt + g\\,d\\bar W$ and the probability-flow ODE",
        "$\\dot x = f - \\tfrac12 g^2 \\nabla \\log p_t$ share their marginals; the ODE gives an exact likelihood.",
        "**Watch:** the Monte Carlo KL from that likelihood falls.",
      ]),
      lab("score_sde"),
      text([
        "## 11. Images",
        "",
        "The same families on 8×8 handwritten digits: 64 pixels, 17 grey levels. Beside the model's samples",
        "stand **held-out** digits it never trained on. The **memorisation check** measures how far each sample",
        "lies from its nearest training image: samples must differ from the training data, so if they sit much",
        "closer to it than held-out digits do, the model is copying.",
      ]),
      text([
        "### Pixel RNN",
        "",
        "$p(v) = \\prod_i p(v_i \\mid v_{<i})$ in raster order, each conditional a softmax over the 17 grey levels,",
        "read by an LSTM: its state carries every pixel above and to the left, so each conditional may depend on",
        "all of them. The likelihood is exact, reported in **bits per dimension** $-\\log_2 p(v) / 64$. The price is",
        "sequential: the state at pixel $i$ needs the one at $i - 1$, so an $N \\times N$ image takes $N^2$ steps to",
        "score *and* to sample (the paper's Row and Diagonal LSTMs bring this down to about $2N - 1$).",
        "**Watch:** held-out bits/dim fall; the view *pixel by pixel* fills a digit in, one LSTM step per pixel.",
      ]),
      lab("pixel_rnn", { settings: { hidden: 32 } }),
      text([
        "### PixelCNN",
        "",
        "The same factorisation from masked convolutions: each conditional sees a window above and to the left,",
        "and one pass scores every pixel at once (no sequential state to wait for). Sampling still takes one",
        "network pass per pixel.",
        "**Watch:** held-out bits/dim fall; the view *pixel by pixel* fills a digit in, and *completion* finishes",
        "digits whose bottom half was erased.",
      ]),
      lab("pixel_cnn", { settings: { channels: 16, layers: 2 } }),
      text([
        "### image-GPT",
        "",
        "The image as a 1-D sequence of 64 tokens, a small transformer predicting each next token from all the",
        "tokens before it (causal self-attention), exactly as a language model predicts the next word. The",
        "likelihood is exact; sampling appends one token at a time, so **the picture is generated row by row**.",
        "**Watch:** *token by token* fills the rows in; *where one pixel looks* shows which earlier pixels one",
        "attention head reads for the pixel you choose.",
      ]),
      lab("image_gpt"),
      text([
        "### One-shot generation against autoregression",
        "",
        "Why not predict all 64 pixels at once? Here every pixel is drawn from its own distribution,",
        "$p(v) = \\prod_i p_i(v_i)$, the best such model being the data's per-pixel marginals. No pixel knows what",
        "its neighbours drew, so where the digits disagree each pixel \"draws a different digit\".",
        "**Watch:** samples that blend strokes of several digits. Its held-out bits/dim stop near 2.45, the best any",
        "model of independent pixels can do (the marginals already know where ink usually goes); image-GPT passes",
        "that within 150 steps, and the gap shows far more in the samples than in the bits.",
      ]),
      lab("independent_pixels"),
      text([
        "### VAE",
        "",
        "With a 2-D latent code the whole model can be looked at: the **latent map** places each held-out digit at",
        "its posterior mean, and the latent grid decodes a 10×10 grid of codes. Its IWAE bound gives held-out bits/dim.",
        "**Watch:** the digits sort themselves into regions of the latent map.",
      ]),
      lab("vae", { dataset: "digits", settings: { width: 128, depth: 2, latent_dim: 2 } }),
      text([
        "### VQ-VAE",
        "",
        "A VAE with a **discrete** $z$ and an autoregressive model running in the latent space: the encoder's",
        "outputs on a 4×4 grid snap to their nearest codebook vectors, the decoder reads the snapped grid, and a",
        "small transformer learns $p(z)$ over the code grid. Loss: reconstruction $+ \\lVert \\mathrm{sg}[z_e] - e \\rVert^2$",
        "$+ \\beta \\lVert z_e - \\mathrm{sg}[e] \\rVert^2$. With one code grid per image,",
        "$\\log p(x) \\ge \\log p(x \\mid z^*) + \\log p(z^*)$: its held-out bits/dim are an upper bound.",
        "**Watch:** *codebook usage* for dead codes, reconstructions, and *codes drawn from the prior* beside",
        "their decodings.",
      ]),
      lab("vq_vae"),
      text([
        "### Diffusion (DDPM)",
        "",
        "The same ε-prediction objective as in 2-D, now on 64 pixels; its variational bound gives an upper bound",
        "on held-out bits/dim. **Watch:** the reverse chain turns noise into digits, stage by stage.",
      ]),
      lab("diffusion", { dataset: "digits" }),
      text([
        "### GAN",
        "",
        "No likelihood here: compare samples with held-out digits by eye, by MMD², and by the memorisation check.",
        "**Watch:** for mode collapse, many samples that look alike.",
      ]),
      lab("gan", { dataset: "digits" }),
      text([
        "### Conditioning on the label",
        "",
        "The notes open with conditional generation, $P(x \\mid y)$: a label guides what is drawn. One noise",
        "predictor learns $\\epsilon_\\theta(x_t, t, y)$ and, with the label dropped for a tenth of the images,",
        "$\\epsilon_\\theta(x_t, t, \\varnothing)$. **Classifier-free guidance** samples with",
        "$\\tilde\\epsilon = (1 + w)\\,\\epsilon_\\theta(x_t, t, y) - w\\,\\epsilon_\\theta(x_t, t, \\varnothing)$.",
        "A logistic-regression classifier of the training digits (99 % right on held-out ones) judges the samples.",
        "**Watch:** pick a digit, then raise $w$: *samples showing the requested digit* climbs towards 1 while",
        "*sample variety* falls below the held-out digits' (the view *guidance against variety* shows both).",
      ]),
      lab("conditional_diffusion", { settings: { digit: "3" } }),
    ],
  };
}
