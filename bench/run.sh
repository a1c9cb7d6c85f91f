#!/usr/bin/env bash
# The core benchmark and its PyTorch peer, in one run, printed as ratios.
#   bench/run.sh            3 alternating rounds (~5 minutes)
#   bench/run.sh --quick    shorter windows (noisier)
#   BENCH_ROUNDS=N          number of rounds (default 3)
# Installs the peer (Debian's python3-torch) when missing, builds Release, runs
# bench_core and bench/peer_torch.py in alternating rounds on the same threads,
# and prints ours / PyTorch. The raw JSON lines are kept in build/bench-results/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${BENCH_THREADS:-2}"

"$root/scripts/setup.sh" --with-bench
out="$root/build/bench-results"
mkdir -p "$out"

# The machines are shared: timings drift by tens of percent over minutes. So
# the two programs alternate for several rounds and compare.py takes, per
# measurement, the median of each side.
rounds="${BENCH_ROUNDS:-3}"
ours=() peer=()
for ((r = 1; r <= rounds; ++r)); do
    echo "[bench] round $r/$rounds: ScoreScope core ($threads threads)" >&2
    "$root/build/bench/bench_core" --threads "$threads" "$@" > "$out/ours-$r.jsonl"
    # PyTorch's fair set-up on Debian: its own pool of N threads, OpenBLAS on
    # one, no forced OpenBLAS core type and no forced L2 size: the two
    # environment settings are unset together (see shared PLATFORM notes).
    echo "[bench] round $r/$rounds: PyTorch peer ($threads threads)" >&2
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS="$threads" \
        /usr/bin/python3 "$root/bench/peer_torch.py" --threads "$threads" "$@" > "$out/peer-$r.jsonl"
    ours+=("$out/ours-$r.jsonl")
    peer+=("$out/peer-$r.jsonl")
done

/usr/bin/python3 "$root/bench/compare.py" --ours "${ours[@]}" --peer "${peer[@]}"

# The model-density layer's cost (no peer): first coarse picture and full grid.
echo "[bench] model density ($threads threads)" >&2
"$root/build/bench/bench_density" --threads "$threads" | tee "$out/density.jsonl"
