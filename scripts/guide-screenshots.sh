#!/usr/bin/env bash
# Makes the user guide's screenshots (docs/guide/images/*.png) from the built
# program, so they follow the program as it changes:
#   window.png             the default scene, whole window
#   dock-*.png             the docks of that same picture, cropped
#   lecture-K.png          each lecture preset (Lectures menu), whole window (8-11: 1920x1080 after 20 s)
#   step-through.png       lecture 3 with particle 7 followed (the step-through card)
#   dock-lesson.png        lecture 1's lesson card (the Lesson dock), cropped
#   presenting.png         lecture 1 in presentation mode (--presentation), 1920x1080 shrunk
#   race.png               lecture 3's race side by side (--race), the Compare samplers dock
#   race-chart.png         an exact-score sweep's quality-vs-NFE chart (bench_race --chart)
# Usage: scripts/guide-screenshots.sh [BUILD_DIR]   (default: build)
# Needs build/app/scorescope; without DISPLAY it starts its own Xvfb.
# Images are reduced to 256 colours (Python PIL when installed, else ffmpeg)
# and at most 1280 pixels wide, to keep the repository small.
# Environment: GUIDE_SHOT_MS (how long each scene runs first, default 9000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
app="$build/app/scorescope"
out="$root/docs/guide/images"
delay="${GUIDE_SHOT_MS:-9000}"
[[ -x "$app" ]] || { echo "[guide] error: $app not built (cmake --build build --target scorescope)" >&2; exit 1; }
mkdir -p "$out"
tmp="$(mktemp -d)"
xvfb_pid=""
cleanup() {
    [[ -n "$xvfb_pid" ]] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

if [[ -z "${DISPLAY:-}" ]]; then
    # The first free display number from 90 up; the lock file says a server runs there.
    n=90
    while [[ -e "/tmp/.X$n-lock" ]]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 1920x1080x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
    xvfb_pid=$!
    export DISPLAY=":$n"
    for _ in $(seq 50); do [[ -e "/tmp/.X11-unix/X$n" ]] && break; sleep 0.1; done
fi

# shrink IN OUT [W:H:X:Y]: crop (optional), fit into 1280 wide, 256 colours.
if /usr/bin/python3 -c "import PIL" 2>/dev/null; then
    shrink() {
        /usr/bin/python3 - "$@" <<'EOF'
import sys
from PIL import Image
src, dst = sys.argv[1], sys.argv[2]
im = Image.open(src).convert("RGB")
if len(sys.argv) > 3:
    w, h, x, y = (int(v) for v in sys.argv[3].split(":"))
    im = im.crop((x, y, min(x + w, im.width), min(y + h, im.height)))
if im.width > 1280:
    im = im.resize((1280, round(im.height * 1280 / im.width)), Image.LANCZOS)
im.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(dst, optimize=True)
EOF
    }
else
    shrink() {
        local filter="scale='min(1280,iw)':-2"
        [[ $# -gt 2 ]] && filter="crop=$3,$filter"
        ffmpeg -v error -y -i "$1" \
            -vf "$filter,split[a][b];[a]palettegen=max_colors=256:stats_mode=single[p];[b][p]paletteuse=dither=none" \
            "$2"
    }
fi

# shoot NAME [ARGS...]: run the program with ARGS for $delay ms, keep its window.
shoot() {
    local name="$1"
    shift
    rm -f "$tmp/$name.png"
    "$app" --no-settings "$@" --screenshot "$tmp/$name.png" --quit-after "$delay" >"$tmp/$name.log" 2>&1 || true
    [[ -s "$tmp/$name.png" ]] || { echo "[guide] error: no picture for $name:" >&2; cat "$tmp/$name.log" >&2; exit 1; }
    echo "[guide] $name: $(tail -n 1 "$tmp/$name.log")"
}

shoot window
shrink "$tmp/window.png" "$out/window.png"
# The docks in the default 1280 x 860 window (W:H:X:Y). If the layout moves,
# adjust these boxes after a look at window.png.
shrink "$tmp/window.png" "$out/dock-data.png" "362:405:0:18"
shrink "$tmp/window.png" "$out/dock-layers.png" "362:340:0:452"
shrink "$tmp/window.png" "$out/dock-training.png" "395:410:885:18"
shrink "$tmp/window.png" "$out/dock-sampler.png" "395:412:885:432"

for k in 1 2 3 4 5 6 7; do
    shoot "lecture-$k" --lecture "$k"
    shrink "$tmp/lecture-$k.png" "$out/lecture-$k.png"
done
# The later lectures train a network from scratch and are shown as the guide
# describes them: after 20 s (LESSON_SHOT_MS) in a 1920 x 1080 window, at the
# step whose number the guide quotes (lecture:step).
for ks in 8:1 9:1 10:2 11:2 12:2; do
    k="${ks%%:*}"
    delay="${LESSON_SHOT_MS:-20000}" shoot "lecture-$k" --lecture "$k" --lesson-step "${ks##*:}" --window-size 1920x1080
    shrink "$tmp/lecture-$k.png" "$out/lecture-$k.png"
done
# The Lesson dock sits where the Training dock does, in front of it.
shrink "$tmp/lecture-1.png" "$out/dock-lesson.png" "395:410:885:18"
shoot presenting --lecture 1 --presentation
shrink "$tmp/presenting.png" "$out/presenting.png"
# The step-through (step-through.md): lecture 3's DDPM following particle 7 as it plays.
shoot step-through --lecture 3 --follow 7
shrink "$tmp/step-through.png" "$out/step-through.png"

# The Measurements dock's model charts (measurements.md): the default scene
# in a 1920 x 1080 window after a short training run (MEASURE_SHOT_MS, default
# 60000: a few refreshes), the dock in front on its Likelihood and Fisher
# tabs, cropped to the dock.
for tab in likelihood fisher; do
    delay="${MEASURE_SHOT_MS:-60000}" shoot "measure-$tab" --measure "$tab" --window-size 1920x1080
    shrink "$tmp/measure-$tab.png" "$out/measure-$tab.png" "510:510:1410:20"
done

# Compare samplers (race.md): lecture 3 (DDPM) in a 1920 x 1080 window, its
# default race (DDPM, DDIM, PF-ODE with the learned score) started after 4 s
# of training and shown side by side, cropped to the dock.
delay="${RACE_SHOT_MS:-20000}" shoot race --lecture 3 --race --window-size 1920x1080
shrink "$tmp/race.png" "$out/race.png" "1920:420:0:660"

# The quality-vs-NFE chart: bench_race sweeps the default scene's race with the
# exact score over 5..200 steps and saves the chart.
if [[ -x "$build/bench/bench_race" ]]; then
    "$build/bench/bench_race" --rounds 1 --chart "$tmp/race-chart.png" >/dev/null 2>&1 || true
    [[ -s "$tmp/race-chart.png" ]] && shrink "$tmp/race-chart.png" "$out/race-chart.png"
fi

du -ch "$out"/*.png | tail -n 1 | sed 's/^/[guide] images: /'
