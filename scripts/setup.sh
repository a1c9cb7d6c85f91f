#!/usr/bin/env bash
# ScoreScope set-up shared by scripts/run.sh, scripts/test.sh and the bench
# scripts: install the Debian packages that are missing, then configure (once)
# and build the Release tree in build/ with Ninja.
#
#   scripts/setup.sh                 packages for building, running and testing; build
#   scripts/setup.sh --with-bench    also the benchmark peer's packages (python3-torch)
#   scripts/setup.sh --no-build      packages only
#
# Idempotent: when every package is present no apt-get runs at all, and an
# up-to-date build/ costs one Ninja no-op. Needs root or sudo only when
# something is missing. Environment: SCORESCOPE_JOBS (build jobs, default nproc).
set -euo pipefail

SS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SS_BUILD_DIR="$SS_ROOT/build"

# Everything the app and the tests need (Debian 12 names; see shared PLATFORM notes).
SS_PACKAGES=(
    g++ cmake ninja-build pkg-config
    qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev libgl-dev
    libeigen3-dev nlohmann-json3-dev zlib1g-dev
    libgl1-mesa-dri xvfb xauth fonts-dejavu-core ffmpeg
    # Installing and packaging (packaging/, scripts/package.sh, tests tst_package_*):
    # man pages from --help, dpkg-shlibdeps for the .deb, the desktop/AppStream validators.
    help2man dpkg-dev file desktop-file-utils appstream
)
# Only the benchmarks' PyTorch peer needs these; kept out of the test set-up.
# OpenBLAS matters: without it Debian's torch runs on the reference BLAS, ~50x slower.
SS_BENCH_PACKAGES=(python3-torch libopenblas0-pthread)

ss_log() { printf '[setup] %s\n' "$*" >&2; }
ss_die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# Prints, one per line, the packages among "$@" that are not installed.
ss_missing_packages() {
    local installed
    # One dpkg-query for all names; unknown names only print to stderr.
    installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true)"
    local pkg
    for pkg in "$@"; do
        if ! grep -qxF "$pkg installed" <<<"$installed"; then
            printf '%s\n' "$pkg"
        fi
    done
}

# Installs the packages among "$@" that are missing; does nothing (no apt-get)
# when all are present.
ss_install_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        ss_log "not a Debian-like system (no dpkg-query/apt-get): skipping package installation."
        ss_log "install the equivalents of: $*"
        return 0
    fi
    local missing
    mapfile -t missing < <(ss_missing_packages "$@")
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    ss_log "missing packages: ${missing[*]}"
    local -a as_root=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 \
            || ss_die "not root and no sudo: as root, run: apt-get install -y --no-install-recommends ${missing[*]}"
        as_root=(sudo)
    fi
    ss_log "running apt-get update"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    ss_log "installing: ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
    mapfile -t missing < <(ss_missing_packages "$@")
    ((${#missing[@]} == 0)) || ss_die "still missing after apt-get: ${missing[*]}"
    ss_log "packages installed."
}

# Configures build/ with the "default" preset (Release, Ninja) unless it is
# already configured, then builds. Ninja re-runs CMake by itself when a
# CMakeLists.txt changes, so a configured tree is never configured again here.
ss_build() {
    local jobs="${SCORESCOPE_JOBS:-$(nproc 2>/dev/null || echo 2)}"
    if [[ ! -f "$SS_BUILD_DIR/CMakeCache.txt" || ! -f "$SS_BUILD_DIR/build.ninja" ]]; then
        ss_log "configuring $SS_BUILD_DIR (Release, Ninja)"
        (cd "$SS_ROOT" && cmake --preset default) || ss_die "CMake configuration failed (see above)."
    fi
    ss_log "building $SS_BUILD_DIR with $jobs jobs"
    cmake --build "$SS_BUILD_DIR" --parallel "$jobs" || ss_die "build failed (see above)."
}

ss_setup_main() {
    local with_bench=0 build=1 arg
    for arg in "$@"; do
        case "$arg" in
            --with-bench) with_bench=1 ;;
            --no-build) build=0 ;;
            -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; return 0 ;;
            *) ss_die "unknown option: $arg (try --help)" ;;
        esac
    done
    local -a packages=("${SS_PACKAGES[@]}")
    if ((with_bench)); then packages+=("${SS_BENCH_PACKAGES[@]}"); fi
    ss_install_packages "${packages[@]}"
    if ((build)); then ss_build; fi
}

# Sourced: only define the functions above. Executed: do the set-up.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    ss_setup_main "$@"
fi
