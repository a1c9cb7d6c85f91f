#!/usr/bin/env bash
# The core benchmark and its PyTorch peer, in one run, printed as ratios.
#   bench/run.sh            full run (~2 minutes)
#   bench/run.sh --quick    shorter windows (noisier)
# Installs the peer (Debian's python3-torch) when missing, builds Release, runs
# bench_core and bench/peer_torch.py one after the other on the same threads,
# and prints ours / PyTorch. The raw JSON lines are kept in build/bench-results/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${BENCH_THREADS:-2}"

"$root/scripts/setup.sh" --with-bench
out="$root/build/bench-results"
mkdir -p "$out"

echo "[bench] ScoreScope core ($threads threads)" >&2
"$root/build/bench/bench_core" --threads "$threads" "$@" | tee "$out/ours.jsonl" >&2

# PyTorch's fair set-up on Debian: its own pool of N threads, OpenBLAS on one,
# no forced OpenBLAS core type (see shared PLATFORM notes).
echo "[bench] PyTorch peer ($threads threads)" >&2
env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS="$threads" \
    /usr/bin/python3 "$root/bench/peer_torch.py" --threads "$threads" "$@" | tee "$out/peer.jsonl" >&2

/usr/bin/python3 "$root/bench/compare.py" "$out/ours.jsonl" "$out/peer.jsonl"
