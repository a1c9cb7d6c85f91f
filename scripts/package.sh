#!/usr/bin/env bash
# Builds ScoreScope's Debian package from a clean tree:
#
#   scripts/package.sh          -> build/package/scorescope_<version>_<arch>.deb
#
# installs the Debian packages it needs when missing (scripts/setup.sh's list:
# help2man, dpkg-dev for dpkg-shlibdeps...), configures build/package from scratch
# with the "package" preset (Release, SCORESCOPE_NATIVE=OFF: code for any
# x86-64, not this machine's CPU; no tests or benchmarks), builds it and runs
# `cpack -G DEB` there. Then check it: scripts/check-package.sh. Install it:
# apt install ./build/package/scorescope_*.deb
# Environment: SCORESCOPE_JOBS (build jobs, default nproc).
set -euo pipefail
SS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=setup.sh
source "$SS_ROOT/scripts/setup.sh"

case "${1:-}" in
    -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) ss_die "unknown argument: $1 (try --help)" ;;
esac

ss_install_packages "${SS_PACKAGES[@]}"
dir="$SS_ROOT/build/package"
jobs="${SCORESCOPE_JOBS:-$(nproc 2>/dev/null || echo 2)}"
ss_log "configuring $dir from scratch (preset package)"
rm -rf "$dir"
(cd "$SS_ROOT" && cmake --preset package) || ss_die "CMake configuration failed (see above)."
ss_log "building with $jobs jobs"
cmake --build --preset package --parallel "$jobs" || ss_die "build failed (see above)."
ss_log "packing (cpack -G DEB)"
(cd "$dir" && cpack -G DEB) || ss_die "cpack failed (see above)."
deb="$(ls "$dir"/scorescope_*.deb)"
ss_log "package: $deb"
ss_log "check it with: scripts/check-package.sh $deb"
