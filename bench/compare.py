#!/usr/bin/env python3
"""Joins bench_core's and the peer's JSON lines and prints ours/PyTorch ratios
next to the targets of the issue that set them.

usage: compare.py --ours A1.jsonl [A2.jsonl ...] --peer B1.jsonl [B2.jsonl ...]
With several rounds, each measurement takes the median rate of its side."""
import json
import statistics
import sys

# (kind, what, size) -> minimum ratio ours/PyTorch
TARGETS = {
    ("train", "ncsn", 16): 5.0,
    ("train", "ncsn", 128): 5.0,
    ("train", "ncsn", 512): 3.0,
    ("eval", "score", 1048576): 5.0,
    ("sample", "annealed", 10000): 3.0,
}


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
    unit = {"train": "steps/s", "eval": "points/s", "sample": "particle-steps/s", "exact": "queries/s",
            "nll": "point-evaluations/s"}
    print(f"{'measurement':<24}{'ours':>14}{'PyTorch':>14}{'ratio':>8}{'GFLOP/s':>10}{'target':>8}")
    for key, r in ours.items():
        p = peer.get(key)
        name = f"{key[0]} {key[1]} {key[2]}"
        ratio = r["rate"] / p["rate"] if p else float("nan")
        target = TARGETS.get(key)
        mark = "" if target is None else (f">={target:g}" + (" ok" if ratio >= target else " MISS"))
        prate = f"{p['rate']:.0f}" if p else "-"
        print(f"{name:<24}{r['rate']:>14.0f}{prate:>14}{ratio:>8.2f}{r['gflops']:>10.1f}  {mark}  ({unit.get(key[0], 'per s')})")


if __name__ == "__main__":
    main()
