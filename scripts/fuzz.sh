#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (AddressSanitizer + UBSan)
# in build/fuzz, writes their seed corpus with the project's own writers, and
# runs each target for a given time. Fails (non-zero) on any finding: a crash,
# a sanitizer report, an exception other than InputError, a leak, a timeout
# or running out of memory. Findings are kept as build/fuzz/findings/<target>/
# crash-* (rerun one with: build/fuzz/fuzz_csv FILE).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   (default: 60 s each, every target)
#
# Installs clang and its runtime libraries (Debian 12: clang-14,
# libclang-rt-14-dev) with apt-get when they are missing; needs root or sudo
# then. Environment: SCORESCOPE_JOBS (build and fuzzing jobs, default nproc),
# FUZZ_RSS_MB (memory limit per target, default 2048).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=setup.sh
source "$root/scripts/setup.sh"

seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || ss_die "fuzz.sh: SECONDS must be a whole number >= 1, got '$seconds'"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(csv model scene config race lecture)

ss_install_packages "${SS_PACKAGES[@]}" clang-14 libclang-rt-14-dev
clangxx="$(command -v clang++-14 || command -v clang++ || true)"
[[ -n "$clangxx" ]] || ss_die "clang++ not found after installing clang-14"

build="$root/build/fuzz"
jobs="${SCORESCOPE_JOBS:-$(nproc 2>/dev/null || echo 2)}"
if [[ ! -f "$build/build.ninja" ]]; then
    ss_log "configuring $build (clang, libFuzzer, ASan + UBSan)"
    cmake -S "$root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$clangxx" \
        || ss_die "fuzz: CMake configuration failed"
fi
ss_log "building the fuzz targets with $jobs jobs"
cmake --build "$build" --parallel "$jobs" || ss_die "fuzz: build failed"

# Seeds: made fresh each run by the current writers, plus the lecture presets,
# the example races and hand-written lessons (fuzz/seeds/lecture: saved steps, merge patches);
# fuzz/regressions/<target>/ keeps the inputs of fixed findings (committed).
seeds="$build/seeds"
rm -rf "$seeds"
"$build/make_seeds" "$seeds" >/dev/null
mkdir -p "$seeds/lecture"
cp "$root"/resources/lectures/*.json "$root"/fuzz/seeds/lecture/*.json "$seeds/lecture/"
mkdir -p "$seeds/race"
cp "$root"/resources/races/*.json "$seeds/race/"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
summary=()
for t in "${targets[@]}"; do
    bin="$build/fuzz_$t"
    [[ -x "$bin" ]] || ss_die "fuzz: no target '$t' (csv, model, scene, config, race, lecture)"
    corpus="$build/corpus/$t" findings="$build/findings/$t" log="$build/logs/$t.log"
    mkdir -p "$corpus" "$findings" "$(dirname "$log")" "$root/fuzz/regressions/$t"
    ss_log "fuzzing $t for $seconds s"
    status=0
    # -timeout: one input over 25 s is a finding (a freeze on outside input).
    "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" \
        "$corpus" "$seeds/$t" "$root/fuzz/regressions/$t" >"$log" 2>&1 || status=$?
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    if ((status != 0)); then
        failed+=("$t")
        summary+=("$t: FINDING after $execs executions (exit $status; log $log, input in $findings/)")
        grep -E 'ERROR|SUMMARY|terminate|what\(\)' "$log" | head -n 5 >&2 || true
    else
        summary+=("$t: $execs executions in $seconds s, no finding")
    fi
done
printf '[fuzz] %s\n' "${summary[@]}"
((${#failed[@]} == 0)) || ss_die "fuzz: findings in: ${failed[*]}"
