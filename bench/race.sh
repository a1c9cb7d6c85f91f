#!/usr/bin/env bash
# The sampler race's small multiples (issue 14): frames per second of the
# Compare samplers dock's four panels at 1,000 particles each while the live
# race runs, and one frame's paint time; under Xvfb when there is no display.
#   bench/race.sh            3 rounds
#   ROUNDS=N                 other counts
# Prints one JSON line (also kept in build/bench-results/race.jsonl). Exit 0
# either way (a benchmark reports; it does not gate).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cmake --build "$root/build" --target bench_race >/dev/null
out="$root/build/bench-results"
mkdir -p "$out"
run=("$root/build/bench/bench_race")
if [[ -z "${DISPLAY:-}" ]]; then
    run=(xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" "${run[@]}")
fi
"${run[@]}" --rounds "${ROUNDS:-3}" 2>/dev/null | grep '^{' | tee "$out/race.jsonl"
