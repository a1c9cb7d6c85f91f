#!/usr/bin/env python3
"""PyTorch peer for bench_core: the same work, the same JSON lines.

Network 3-128-128-128-2 SiLU (x, y, log sigma), score = net / sigma; NCSN loss
E||sigma s + eps||^2 with one of 10 geometric levels per example, Adam (lr 1e-3)
with gradient-norm clipping at 1 and an EMA of the weights (decay 0.999): the
same step as ScoreScope's trainer. ISM: exact 2x2 trace by double backward;
SSM: one Gaussian projection. Evaluation under no_grad.

Fair set-up on Debian (see PLATFORM.md): torch.set_num_threads(N) with
OPENBLAS_NUM_THREADS=1, and OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE both unset
(bench/run.sh sets these; the environment's OPENBLAS_L2_SIZE=512 alone slowed
the peer's annealed Langevin ~2.5x).
Timing: warm-up, then the median of 5 windows, as bench_core does.
"""
import argparse
import json
import math
import time

import torch


def median_rate(work, window, windows):
    reps = 1
    while True:
        t0 = time.perf_counter()
        work(reps)
        dt = time.perf_counter() - t0
        if dt > window / 4:
            reps = max(1, int(reps * window / dt))
            break
        reps *= 2
    rates = []
    for _ in range(windows):
        t0 = time.perf_counter()
        work(reps)
        rates.append(reps / (time.perf_counter() - t0))
    rates.sort()
    return rates[len(rates) // 2]


def make_net():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(3, 128), torch.nn.SiLU(),
        torch.nn.Linear(128, 128), torch.nn.SiLU(),
        torch.nn.Linear(128, 128), torch.nn.SiLU(),
        torch.nn.Linear(128, 2))


def eight_gaussians(n, gen):
    angles = torch.randint(0, 8, (n,), generator=gen).float() * (2 * math.pi / 8)
    centres = torch.stack([2 * torch.cos(angles), 2 * torch.sin(angles)], 1)
    return centres + 0.1 * torch.randn(n, 2, generator=gen)


class Step:
    """One training step of the given objective, with Adam, clipping and EMA."""

    def __init__(self, objective, batch):
        self.net = make_net()
        self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        self.params = list(self.net.parameters())
        self.ema = [p.detach().clone() for p in self.params]
        self.objective = objective
        self.batch = batch
        self.gen = torch.Generator().manual_seed(1)
        self.data = eight_gaussians(10000, self.gen)
        self.sigmas = torch.exp(torch.linspace(math.log(5.0), math.log(0.01), 10))

    def __call__(self, reps):
        for _ in range(reps):
            idx = torch.randint(0, self.data.shape[0], (self.batch,), generator=self.gen)
            x0 = self.data[idx]
            eps = torch.randn(self.batch, 2, generator=self.gen)
            if self.objective == "ncsn":
                sig = self.sigmas[torch.randint(0, 10, (self.batch,), generator=self.gen)].unsqueeze(1)
            else:
                sig = torch.full((self.batch, 1), 0.1)
            x = x0 + sig * eps
            inp = torch.cat([x, sig.log()], 1)
            if self.objective == "ncsn":
                s = self.net(inp) / sig
                loss = ((sig * s + eps) ** 2).sum(1).mean()
            else:
                x = x.detach().requires_grad_(True)
                s = self.net(torch.cat([x, sig.log()], 1)) / sig
                if self.objective == "ism":
                    g0 = torch.autograd.grad(s[:, 0].sum(), x, create_graph=True)[0][:, 0]
                    g1 = torch.autograd.grad(s[:, 1].sum(), x, create_graph=True)[0][:, 1]
                    loss = (0.5 * (s ** 2).sum(1) + g0 + g1).mean()
                else:  # ssm, one Gaussian projection
                    v = torch.randn(self.batch, 2, generator=self.gen)
                    gv = torch.autograd.grad((s * v).sum(), x, create_graph=True)[0]
                    loss = ((gv * v).sum(1) + 0.5 * ((s * v).sum(1)) ** 2).mean()
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.params, 1.0)
            self.opt.step()
            with torch.no_grad():
                torch._foreach_mul_(self.ema, 0.999)
                torch._foreach_add_(self.ema, [p.detach() for p in self.params], alpha=0.001)


def flops_per_example(tangents):
    macs = 3 * 128 + 128 * 128 * 2 + 128 * 2
    return 2.0 * (3 * macs - 3 * 128) * (1 + tangents)


def report(kind, what, size, rate, gflops, threads):
    print(json.dumps({"kind": kind, "what": what, "size": size, "rate": round(rate, 1),
                      "gflops": round(gflops, 1), "threads": threads}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    window, windows = (0.15, 3) if args.quick else (0.4, 5)

    for batch in (16, 128, 512, 2048):
        rate = median_rate(Step("ncsn", batch), window, windows)
        report("train", "ncsn", batch, rate, rate * batch * flops_per_example(0) * 1e-9, args.threads)
    for objective, tangents in (("ism", 2), ("ssm", 1)):
        rate = median_rate(Step(objective, 512), window, windows)
        report("train", objective, 512, rate, rate * 512 * flops_per_example(tangents) * 1e-9, args.threads)

    net = make_net()
    gen = torch.Generator().manual_seed(2)
    # Evaluation two ways: one call on all n points (what a script does), and
    # net(x) on 4,096-point chunks (PyTorch's fastest size here: its one-shot
    # 1M call is ~13x slower per point, which would flatter our 1M ratio).
    macs = 3 * 128 + 128 * 128 * 2 + 128 * 2
    for n in (4096, 65536, 1048576):
        inp = torch.cat([eight_gaussians(n, gen), torch.full((n, 1), math.log(0.3))], 1)
        for what, chunk in (("score", n), ("score-chunked", 4096)):

            def work(reps, chunk=chunk):
                with torch.no_grad():
                    for _ in range(reps):
                        for start in range(0, n, chunk):
                            _ = net(inp[start:start + chunk]) / 0.3

            rate = median_rate(work, window, windows) * n
            report("eval", what, n, rate, rate * 2 * macs * 1e-9, args.threads)

    # Annealed Langevin (NCSN Algorithm 1) with the network: 10,000 particles,
    # 10 levels x 100 steps (10 with --quick), eps 2e-5; particle-steps/s.
    def annealed(n, per_level):
        sigmas = torch.exp(torch.linspace(math.log(5.0), math.log(0.01), 10))
        x = 5.0 * torch.randn(n, 2, generator=gen)
        with torch.no_grad():
            for sig in sigmas.tolist():
                alpha = 2e-5 * (sig / 0.01) ** 2
                logs = torch.full((n, 1), math.log(sig))
                for _ in range(per_level):
                    s = net(torch.cat([x, logs], 1)) / sig
                    x = x + 0.5 * alpha * s + math.sqrt(alpha) * torch.randn(n, 2, generator=gen)
        return x

    per_level = 10 if args.quick else 100
    annealed(10000, 2)  # warm-up
    t0 = time.perf_counter()
    annealed(10000, per_level)
    rate = 10000 * 10 * per_level / (time.perf_counter() - t0)
    report("sample", "annealed", 10000, rate, rate * 2 * macs * 1e-9, args.threads)


if __name__ == "__main__":
    main()
