#!/usr/bin/env bash
# Build ScoreScope if needed and save a screenshot of its main window, taken on
# a virtual X server so the result does not depend on the desktop in use.
#   scripts/screenshot.sh [FILE.png]     default: docs/screenshot.png
# Environment: SCREENSHOT_DELAY_MS (time to let training and sampling run, default 6000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/docs/screenshot.png}"
mkdir -p "$(dirname "$out")"

"$root/scripts/setup.sh"

rm -f "$out"
# --quit-after: the window is captured just before the program quits.
xvfb-run -a -s "-screen 0 1400x900x24 -nolisten tcp" \
    "$root/build/app/scorescope" --screenshot "$out" --quit-after "${SCREENSHOT_DELAY_MS:-6000}"
[[ -s "$out" ]] || { echo "[screenshot] error: $out was not written" >&2; exit 1; }
echo "[screenshot] saved $out"
