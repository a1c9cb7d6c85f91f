#!/usr/bin/env bash
# Sharpness of the defaults (issue 11): for each built-in preset and objective
# (ncsn, ddpm) train with every option at its default, sample with the
# objective's default sampler (ncsn: annealed Langevin, ddpm: ancestral), and
# print how near the data the samples land beside the data's own figures:
#   near    share of samples within R of a reference data point (2,000 of
#           them), R = 2% of the data's diameter (0.09 for 8 Gaussians, whose
#           modes have std 0.1; blur at the scale of a mode shows)
#   near0   the same share for an independent data sample of the same size
#   sw2     sliced W2 of the samples against the reference (scorescope-cli eval)
#   sw2_0   its noise floor: sliced W2 of independent data samples of the same
#           size, as the range over 4 of them (at N = 1000 it spans about
#           0.06-0.18 on 8 Gaussians: one value alone says little)
# Usage: scripts/sharpness.sh [PRESET...]   (default: every preset)
# Environment: CLI (default build/app/scorescope-cli), N samples (default
# 1000), THREADS (default 2), TRAIN_ARGS (extra options for train, e.g.
# "--steps 500" to try a setting; empty = the defaults being measured).
# Not a test (it trains 2 models per preset: minutes); timings are noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${CLI:-build/app/scorescope-cli}
N=${N:-1000}
THREADS=${THREADS:-2}
TRAIN_ARGS=${TRAIN_ARGS:-}
[ -x "$CLI" ] || { echo "sharpness.sh: $CLI not built (cmake --build build --target scorescope-cli)" >&2; exit 2; }
if [ $# -gt 0 ]; then presets="$*"; else
    presets=$("$CLI" data --list --json | tr ',' '\n' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# near SAMPLES.csv REFERENCE.csv: share of SAMPLES within 2% of REFERENCE's diameter of a REFERENCE point.
near() {
    awk -F, 'FNR == 1 { next }
        FILENAME == ARGV[1] { rx[nr] = $1; ry[nr] = $2; nr++; mx += $1; my += $2; next }
        { sx[ns] = $1; sy[ns] = $2; ns++ }
        END {
            mx /= nr; my /= nr; d = 0
            for (i = 0; i < nr; i++) { e = (rx[i] - mx)^2 + (ry[i] - my)^2; if (e > d) d = e }
            r = 0.02 * 2 * sqrt(d); r2 = r * r; hit = 0
            for (j = 0; j < ns; j++) {
                for (i = 0; i < nr; i++) if ((sx[j] - rx[i])^2 + (sy[j] - ry[i])^2 <= r2) { hit++; break }
            }
            printf "%.3f %.3f\n", hit / ns, r
        }' "$2" "$1"
}
sw2() { "$CLI" eval --samples "$1" --reference "$2" --json | sed -n 's/.*"sw2":\([^,}]*\).*/\1/p'; }

printf '%-13s %-6s %7s %7s %6s %8s %12s %7s %7s\n' preset obj near near0 R sw2 sw2_0 train_s sample_s
for p in $presets; do
    "$CLI" data --preset "$p" --n 2000 --seed 11 --out "$work/ref.csv" > /dev/null
    "$CLI" data --preset "$p" --n "$N" --seed 12 --out "$work/own.csv" > /dev/null
    read -r near0 r < <(near "$work/own.csv" "$work/ref.csv")
    floors=$(for seed in 12 13 14 15; do
        "$CLI" data --preset "$p" --n "$N" --seed "$seed" --out "$work/own$seed.csv" > /dev/null
        sw2 "$work/own$seed.csv" "$work/ref.csv"
    done | sort -g)
    floor=$(printf '%.3f-%.3f' "$(echo "$floors" | head -1)" "$(echo "$floors" | tail -1)")
    for obj in ncsn ddpm; do
        sampler=annealed; [ "$obj" = ddpm ] && sampler=ddpm
        t0=$(date +%s.%N)
        # shellcheck disable=SC2086
        "$CLI" train --data "$p" --objective "$obj" --threads "$THREADS" $TRAIN_ARGS --out "$work/m.json" > /dev/null
        t1=$(date +%s.%N)
        "$CLI" sample --model "$work/m.json" --sampler "$sampler" --n "$N" --threads "$THREADS" --out "$work/s.csv" > /dev/null
        t2=$(date +%s.%N)
        read -r share _ < <(near "$work/s.csv" "$work/ref.csv")
        printf '%-13s %-6s %7s %7s %6s %8.4f %12s %7.1f %7.1f\n' "$p" "$obj" "$share" "$near0" "$r" \
            "$(sw2 "$work/s.csv" "$work/ref.csv")" "$floor" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
    done
done
