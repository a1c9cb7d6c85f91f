#!/usr/bin/env python3
"""Joins bench_core's and the peer's JSON lines and prints ours/PyTorch ratios,
GFLOP/s and the fraction of the machine's FP32 peak (bench_core's "peak" line),
next to the targets of issue 16.

usage: compare.py --ours A1.jsonl [A2.jsonl ...] --peer B1.jsonl [B2.jsonl ...]
With several rounds, each measurement takes the median rate of its side.
Evaluation is compared with two peers: one call on all points, and 4,096-point
chunks (PyTorch's fastest size)."""
import json
import statistics
import sys

# (kind, what, size) -> minimum ratio ours/PyTorch (against the chunked peer
# for evaluation).
RATIO_TARGETS = {
    ("train", "ncsn", 16): 10.0,
    ("train", "ncsn", 128): 5.0,
    ("train", "ncsn", 512): 4.0,
    ("train", "ism", 512): 4.0,
    ("train", "ssm", 512): 4.0,
    ("sample", "annealed", 10000): 2.5,
}
# (kind, what) -> minimum fraction of peak at every size >= 4,096.
PEAK_TARGETS = {("eval", "score"): 0.5}


def load(paths):
    """Median over the files of each measurement's rate and GFLOP/s."""
    runs = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    r = json.loads(line)
                    runs.setdefault((r["kind"], r["what"], r["size"]), []).append(r)
    return {key: {"rate": statistics.median(r["rate"] for r in rs),
                  "gflops": statistics.median(r["gflops"] for r in rs),
                  "rounds": len(rs)} for key, rs in runs.items()}


def main():
    args = sys.argv[1:]
    if "--ours" not in args or "--peer" not in args:
        sys.exit(__doc__)
    i, j = args.index("--ours"), args.index("--peer")
    ours_files = args[i + 1:j] if i < j else args[i + 1:]
    peer_files = args[j + 1:] if i < j else args[j + 1:i]
    ours, peer = load(ours_files), load(peer_files)
    peaks = [v for k, v in ours.items() if k[0] == "peak"]
    peak = peaks[0]["gflops"] if peaks else float("nan")
    for k in [k for k in ours if k[0] == "peak"]:
        print(f"FP32 peak ({k[1]} fused multiply-adds, register-resident, all threads): {peak:.0f} GFLOP/s")
    unit = {"train": "steps/s", "eval": "points/s", "sample": "particle-steps/s", "exact": "queries/s",
            "nll": "points/s"}
    print(f"{'measurement':<30}{'ours':>12}{'PyTorch':>12}{'ratio':>8}{'GFLOP/s':>9}{'of peak':>9}  target")
    missed = 0
    for key, r in ours.items():
        if key[0] == "peak":
            continue
        name = f"{key[0]} {key[1]} {key[2]}"
        p = peer.get(key)
        ratio = r["rate"] / p["rate"] if p else float("nan")
        chunked = peer.get((key[0], key[1] + "-chunked", key[2]))
        ratio_chunked = r["rate"] / chunked["rate"] if chunked else None
        share = r["gflops"] / peak if r["gflops"] else float("nan")
        marks = []
        target = RATIO_TARGETS.get(key)
        if target is not None:
            ok = ratio >= target
            missed += not ok
            marks.append(f">={target:g}x " + ("ok" if ok else "MISS"))
        floor = PEAK_TARGETS.get(key[:2])
        if floor is not None and key[2] >= 4096:
            ok = share >= floor
            missed += not ok
            marks.append(f">={floor:.0%} of peak " + ("ok" if ok else "MISS"))
        prate = f"{p['rate']:.0f}" if p else "-"
        shown_ratio = f"{ratio:8.2f}" if p else f"{'-':>8}"
        # "nll" lines carry velocity evaluations per point in the gflops field (bench_core.cpp).
        flops = key[0] != "nll" and r["gflops"] > 0
        shown_flops = f"{r['gflops']:9.1f}" if flops else f"{'-':>9}"
        shown_share = f"{share:9.0%}" if flops and peaks else f"{'-':>9}"
        what = unit.get(key[0], "per s") + (f", {r['gflops']:.0f} evaluations a point" if key[0] == "nll" else "")
        print(f"{name:<30}{r['rate']:>12.0f}{prate:>12}{shown_ratio}{shown_flops}{shown_share}  "
              f"{'; '.join(marks)}  ({what})")
        if ratio_chunked is not None:
            print(f"{'  vs 4k-chunked peer':<30}{'':>12}{chunked['rate']:>12.0f}{ratio_chunked:>8.2f}")
    print(f"targets missed: {missed}")


if __name__ == "__main__":
    main()
