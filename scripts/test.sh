#!/usr/bin/env bash
# Build ScoreScope if needed (scripts/setup.sh) and run every test with CTest.
# Extra arguments go to ctest, e.g. scripts/test.sh -R tst_schedule -V.
# Without a display the tests run on a virtual X server (the OpenGL tests need
# X; the plain widget tests use Qt's offscreen platform either way).
# Exit status: non-zero when the build or any test fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$root/scripts/setup.sh"

ctest_cmd=(ctest --test-dir "$root/build" --output-on-failure --no-tests=error -j2 "$@")
if [[ -z "${DISPLAY:-}" ]]; then
    echo "[test] no DISPLAY: running the tests under xvfb-run" >&2
    exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "${ctest_cmd[@]}"
fi
exec "${ctest_cmd[@]}"
