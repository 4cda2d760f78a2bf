"""PyTorch CPU reference for the browser benchmark: the same five 2-D workloads as GenLab's
defaults (architecture, batch 512, Adam, loss), timed natively on one thread and on all of the
machine's threads by the protocol of bench/steady.mjs (windows of at least 1 s; a warm-up until
two consecutive windows agree within 5 %, at least 3 s; then 3 windows per workload in
alternating order; the median and the windows' range), and the matrix-product rate at GenLab's
roof shapes (`product_rates`). Prints one JSON object;
`bench/compare.mjs` turns it into ratios against GenLab measured in the same `scripts/bench` run.
Asserts nothing.

Each thread count is measured in two fresh interpreters (`--threads N`, order 1, all, all, 1), its
training rates before its products; for each workload the faster interpreter's windows are the
reference (its median and range), the slower one's median is kept beside them (`slower_medians_*`),
and a product's rate is the faster interpreter's. On this machine PyTorch on two threads trains
in one of two modes per interpreter, about 420 or about 620 steps/s on flow matching (2026-12-04),
and a single interpreter's figure would be either: the faster of two is PyTorch's capability, the
reference least flattering to GenLab.

Architectures (see src/models): a SiLU MLP `in → width (× depth) → out`;
- flow matching: velocity MLP on (x_t, t), 3 → 128 × 3 → 2, loss ‖v − (x₁ − x₀)‖²;
- DDPM: ε-MLP on (x_t, 13 sinusoidal features of t/T), 15 → 128 × 3 → 2, T = 100, linear β;
- VAE: encoder 2 → 128 × 3 → 4, decoder 2 → 128 × 3 → 2, learned per-coordinate σ_x, ELBO;
- GAN: generator 2 → 128 × 3 → 2, discriminator 2 → 128 × 3 → 1, non-saturating, Adam β₁ = ½,
  one discriminator and one generator step;
- RealNVP: 8 affine couplings with alternating masks, each 2 → 64 × 2 → 4, s = 2·tanh(raw/2).
"""

import json
import math
import os
import subprocess
import sys
import time

import torch
from torch import nn

BATCH = 512
ATLAS = 1 << 15
WORKLOADS = ["flow_matching", "diffusion", "vae", "gan", "real_nvp"]
# bench/steady.mjs's PROTOCOL.
WINDOW_SECONDS = 1.0
TOLERANCE = 0.05
MIN_WARMUP_SECONDS = 3.0
MAX_WARMUP_SECONDS = 60.0
ROUNDS = 3


def mlp(d_in, d_out, width=128, depth=3):
    layers, d = [], d_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.SiLU()]
        d = width
    layers.append(nn.Linear(d, d_out))
    return nn.Sequential(*layers)


def eight_gaussians(n, generator):
    angles = torch.randint(0, 8, (n,), generator=generator) * (math.pi / 4)
    centres = 4.0 * torch.stack([angles.cos(), angles.sin()], 1)
    return (centres + 0.5 * torch.randn(n, 2, generator=generator)) / 1.414


def time_features(t):
    """`[t, sin(2^k π t), cos(2^k π t)]`, k < 6: GenLab's scalar_features."""
    omegas = (2.0 ** torch.arange(6)) * math.pi
    phase = t * omegas
    return torch.cat([t, phase.sin(), phase.cos()], 1)


class Workload:
    """A model, its optimizer(s) and one training step on a batch of data rows."""

    def __init__(self, name):
        self.name = name
        if name == "flow_matching":
            self.net = mlp(3, 2)
        elif name == "diffusion":
            self.net = mlp(2 + 13, 2)
            betas = torch.linspace(1e-4, 0.02, 100) * (1000 / 100)
            self.alpha_bars = torch.cumprod(1 - betas, 0)
        elif name == "vae":
            self.net = nn.ModuleDict({"enc": mlp(2, 4), "dec": mlp(2, 2)})
            self.log_var = nn.Parameter(torch.zeros(2))
            self.net.register_parameter("log_var", self.log_var)
        elif name == "gan":
            self.gen, self.disc = mlp(2, 2), mlp(2, 1)
            self.g_opt = torch.optim.Adam(self.gen.parameters(), 1e-3, betas=(0.5, 0.999))
            self.d_opt = torch.optim.Adam(self.disc.parameters(), 1e-3, betas=(0.5, 0.999))
            return
        elif name == "real_nvp":
            self.net = nn.ModuleList([mlp(2, 4, width=64, depth=2) for _ in range(8)])
            self.masks = [torch.tensor([1.0, 0.0]) if l % 2 == 0 else torch.tensor([0.0, 1.0]) for l in range(8)]
        self.opt = torch.optim.Adam(self.net.parameters(), 1e-3)

    def loss(self, x):
        n = x.shape[0]
        if self.name == "flow_matching":
            x0, t = torch.randn_like(x), torch.rand(n, 1)
            xt = (1 - t) * x0 + t * x
            return ((self.net(torch.cat([xt, t], 1)) - (x - x0)) ** 2).sum(1).mean()
        if self.name == "diffusion":
            t = torch.randint(1, 101, (n,))
            a = self.alpha_bars[t - 1].unsqueeze(1)
            eps = torch.randn_like(x)
            xt = a.sqrt() * x + (1 - a).sqrt() * eps
            features = time_features(t.float().unsqueeze(1) / 100)
            return ((self.net(torch.cat([xt, features], 1)) - eps) ** 2).sum(1).mean()
        if self.name == "vae":
            out = self.net["enc"](x)
            mean, log_var = out[:, :2], out[:, 2:]
            z = mean + (0.5 * log_var).exp() * torch.randn_like(mean)
            decoded, lv = self.net["dec"](z), self.log_var.clamp(-8, 4)
            log_lik = (-0.5 * (math.log(2 * math.pi) + lv + (x - decoded) ** 2 / lv.exp())).sum(1)
            kl = 0.5 * (mean**2 + log_var.exp() - 1 - log_var).sum(1)
            return (kl - log_lik).mean()
        if self.name == "real_nvp":
            log_det = torch.zeros(n)
            for net, mask in zip(self.net, self.masks):
                out = net(x * mask)
                s = 2.0 * torch.tanh(out[:, :2] / 2.0) * (1 - mask)
                shift = out[:, 2:] * (1 - mask)
                x = x * s.exp() + shift
                log_det = log_det + s.sum(1)
            log_p = -0.5 * (x**2).sum(1) - math.log(2 * math.pi)
            return -(log_p + log_det).mean()
        raise ValueError(self.name)

    def step(self, atlas):
        rows = lambda: atlas[torch.randint(0, atlas.shape[0], (BATCH,))]
        if self.name == "gan":
            real, fake = rows(), self.gen(torch.randn(BATCH, 2)).detach()
            softplus = nn.functional.softplus
            d_loss = softplus(-self.disc(real)).mean() + softplus(self.disc(fake)).mean()
            self.d_opt.zero_grad()
            d_loss.backward()
            self.d_opt.step()
            g_loss = softplus(-self.disc(self.gen(torch.randn(BATCH, 2)))).mean()
            self.g_opt.zero_grad()
            g_loss.backward()
            self.g_opt.step()
            return
        loss = self.loss(rows())
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()


def window(workload, atlas):
    """Steps/s over whole steps lasting at least WINDOW_SECONDS."""
    start, steps = time.perf_counter(), 0
    while True:
        workload.step(atlas)
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= WINDOW_SECONDS:
            return steps / elapsed


def steady_rates(atlas):
    """Every workload's steady rate: warm-ups, then alternating rounds (bench/steady.mjs)."""
    torch.manual_seed(0)
    workloads = {name: Workload(name) for name in WORKLOADS}
    results = {}
    for name, workload in workloads.items():
        start = time.perf_counter()
        previous, settled = window(workload, atlas), False
        while time.perf_counter() - start < MAX_WARMUP_SECONDS:
            rate = window(workload, atlas)
            settled = time.perf_counter() - start >= MIN_WARMUP_SECONDS and abs(rate - previous) <= TOLERANCE * previous
            if settled:
                break
            previous = rate
        results[name] = {"windows": [], "warmupSeconds": time.perf_counter() - start, "settled": settled}
    for round_ in range(ROUNDS):
        order = WORKLOADS if round_ % 2 == 0 else WORKLOADS[::-1]
        for name in order:
            results[name]["windows"].append(window(workloads[name], atlas))
    for result in results.values():
        windows = sorted(result["windows"])
        middle = len(windows) // 2
        result["median"] = windows[middle] if len(windows) % 2 else (windows[middle - 1] + windows[middle]) / 2
        result["min"], result["max"] = windows[0], windows[-1]
    return results


# GenLab's product probe (`matmulProbe` in bench/browser.mjs): [m, k] × [k, n], repeated.
PRODUCT_SHAPES = ((512, 128, 128, 200), (256, 256, 256, 100))


def product_rates():
    """GFLOP/s of `repeats` products of the same random matrices, as GenLab's `matmulProbe`
    (src/diagnostics.rs: each product's first entry summed), per shape: the median of 5 timings
    after one untimed run."""
    rates = {}
    for m, k, n, repeats in PRODUCT_SHAPES:
        a, b = torch.randn(m, k), torch.randn(k, n)

        def chain():
            total = torch.zeros(1)
            for _ in range(repeats):
                total = total + (a @ b)[0, 0]
            return total

        chain()
        seconds = []
        for _ in range(5):
            start = time.perf_counter()
            chain()
            seconds.append(time.perf_counter() - start)
        rates[f"{m}×{k}×{n}"] = 2 * m * k * n * repeats / sorted(seconds)[2] / 1e9
    return rates


def measure(count):
    """Training rates, then product rates, on `count` threads: `{"steady": …, "products": …}`."""
    torch.set_num_threads(count)
    atlas = eight_gaussians(ATLAS, torch.Generator().manual_seed(0))
    return {"steady": steady_rates(atlas), "products": product_rates()}


def main():
    if sys.argv[1:2] == ["--threads"]:
        print(json.dumps(measure(int(sys.argv[2]))))
        return
    threads = os.cpu_count() or 1
    results = {"torch": torch.__version__, "threads": threads, "python": sys.version.split()[0]}
    runs = {1: [], threads: []}
    for count in (1, threads, threads, 1):
        run = subprocess.run([sys.executable, __file__, "--threads", str(count)], check=True, capture_output=True, text=True)
        runs[count].append(json.loads(run.stdout))
    for label, count in (("one_thread", 1), ("all_threads", threads)):
        steady = [run["steady"] for run in runs[count]]
        results[label] = {name: max((run[name] for run in steady), key=lambda r: r["median"]) for name in WORKLOADS}
        results[f"slower_medians_{label}"] = {name: min(run[name]["median"] for run in steady) for name in WORKLOADS}
        results[f"products_{label}"] = {shape: max(run["products"][shape] for run in runs[count]) for shape in runs[count][0]["products"]}
        print(f"torch {label}: { {k: round(v['median'], 1) for k, v in results[label].items()} }", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
