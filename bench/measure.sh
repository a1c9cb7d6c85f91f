#!/usr/bin/env bash
# Issue 14's benchmark: training steps/s with the Measurements dock open (both
# measure workers on, default refresh) against closed, on the default scene,
# alternating rounds (bench_measure.cpp says how). Target: ratio >= 0.8.
#   bench/measure.sh             8 rounds of 6 s each way
#   SECONDS_PER=S ROUNDS=R       other lengths
# Builds bench_measure in build/ (Release preset) and keeps its JSON lines in
# build/bench-results/measure.jsonl. Exit 0 either way (it reports, it does not gate).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmake --build "$root/build" --target bench_measure >&2
out="$root/build/bench-results"
mkdir -p "$out"
"$root/build/bench/bench_measure" --seconds "${SECONDS_PER:-6}" --rounds "${ROUNDS:-8}" | tee "$out/measure.jsonl"
