#!/usr/bin/env bash
# Build ScoreScope if needed (scripts/setup.sh) and start it. Extra arguments go
# to the program, e.g. scripts/run.sh --screenshot shot.png --quit-after 2000.
# Meant for a person at a display; with neither DISPLAY nor WAYLAND_DISPLAY set
# it still starts, on a virtual X server (xvfb-run), where nobody can see it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

"$root/scripts/setup.sh"

app="$root/build/app/scorescope"
[[ -x "$app" ]] || { echo "[run] error: $app was not built" >&2; exit 1; }

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
    echo "[run] no display (DISPLAY and WAYLAND_DISPLAY are unset): starting under xvfb-run," >&2
    echo "[run] where the window is invisible. Stop it with Ctrl+C, or pass --quit-after MS." >&2
    exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$app" "$@"
fi
exec "$app" "$@"
