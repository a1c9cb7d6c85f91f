#!/usr/bin/env bash
# The core benchmark and its PyTorch peer, in one run, printed as ratios.
#   bench/run.sh            3 rounds of paired measurements (~10 minutes)
#   bench/run.sh --quick    shorter windows (noisier)
#   BENCH_ROUNDS=N          number of rounds (default 3)
# Installs the peer (Debian's python3-torch) when missing, builds Release, runs
# each measurement of bench_core and then of bench/peer_torch.py on the same
# threads, for several rounds, and prints ours / PyTorch. The raw JSON lines
# are kept in build/bench-results/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${BENCH_THREADS:-2}"

"$root/scripts/setup.sh" --with-bench
out="$root/build/bench-results"
mkdir -p "$out"

# The machines are shared: their speed drifts by tens of percent within
# minutes (the measured peak ranged 347-441 GFLOP/s over one hour). So each
# measurement runs on our side and then on the peer's, back to back, and both
# sides of a ratio see the same state of the host; the rounds repeat that, and
# compare.py takes, per measurement, the median of each side.
rounds="${BENCH_ROUNDS:-3}"
paired=("peak" "train ncsn 16" "train ncsn 128" "train ncsn 512" "train ncsn 2048" "train ism 512"
        "train ssm 512" "eval score 4096" "eval score 65536" "eval score 1048576" "sample annealed 10000")
ours=() peer=()
for ((r = 1; r <= rounds; ++r)); do
    : > "$out/ours-$r.jsonl"
    : > "$out/peer-$r.jsonl"
    for m in "${paired[@]}"; do
        echo "[bench] round $r/$rounds: $m ($threads threads)" >&2
        "$root/build/bench/bench_core" --threads "$threads" --only "$m" "$@" >> "$out/ours-$r.jsonl"
        [[ "$m" == peak ]] && continue
        # PyTorch's fair set-up on Debian: its own pool of N threads, OpenBLAS on
        # one, no forced OpenBLAS core type and no forced L2 size: the two
        # environment settings are unset together (see shared PLATFORM notes).
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS="$threads" \
            /usr/bin/python3 "$root/bench/peer_torch.py" --threads "$threads" --only "$m" "$@" >> "$out/peer-$r.jsonl"
    done
    ours+=("$out/ours-$r.jsonl")
    peer+=("$out/peer-$r.jsonl")
done
# Once: our measurements without a peer (the exact score, exact likelihoods).
echo "[bench] without a peer: exact score and likelihoods ($threads threads)" >&2
for m in exact nll; do
    "$root/build/bench/bench_core" --threads "$threads" --only "$m" "$@" >> "$out/ours-1.jsonl"
done

/usr/bin/python3 "$root/bench/compare.py" --ours "${ours[@]}" --peer "${peer[@]}"

# The model-density layer's cost (no peer): first coarse picture and full grid.
echo "[bench] model density ($threads threads)" >&2
"$root/build/bench/bench_density" --threads "$threads" | tee "$out/density.jsonl"
