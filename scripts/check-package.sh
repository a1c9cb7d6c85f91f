#!/usr/bin/env bash
# Checks ScoreScope's Debian package, or a tree that `cmake --install` wrote.
#
#   scripts/check-package.sh [DEB]            default: build/package/scorescope_*.deb
#   scripts/check-package.sh --tree PREFIX    a prefix filled by cmake --install --prefix PREFIX
#   options: --version X.Y.Z   the version both programs must print (a .deb: its Version)
#            --native-ok       accept AVX code (a -march=native build, as the tests' tree)
#            --no-man          accept a tree without man pages (built without help2man)
#
# A .deb is listed (dpkg-deb -c), its control fields are printed and checked
# (Depends from dpkg-shlibdeps: libc6 and Qt 6; Recommends: ffmpeg), apt
# resolves it (a dry run), and it is unpacked into a throwaway root
# (dpkg-deb -x). On the tree: every file in its place, one app ID throughout
# (desktop entry, metainfo, icons, MIME package), desktop-file-validate and
# appstreamcli where installed, the gzipped man pages and their NAME lines, the
# scene files' MIME type (application/x-scorescope: valid, compiled by
# update-mime-database, named by the desktop entry), `scorescope-cli --version`
# and `scorescope --version` (offscreen) run from the tree, a short training
# run, and (unless --native-ok) no AVX or AVX-512 instruction in either program
# outside the kernels chosen at run time (core/Simd.h).
# Exit status: 0 all passed; 1 with each failure on its own line; 2 bad usage;
# 77 (CTest's skip) when a tool this check needs is missing.
set -uo pipefail
SS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '[check-package] %s\n' "$*"; }
failures=0
fail() { printf '[check-package] FAIL: %s\n' "$*"; failures=$((failures + 1)); }
pass() { printf '[check-package] ok: %s\n' "$*"; }
skip() { printf '[check-package] skipped: %s\n' "$*"; exit 77; }
usage() { sed -n '4,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

deb="" tree="" version="" native_ok=0 need_man=1
while (($#)); do
    case "$1" in
        --tree) tree="${2:-}"; shift ;;
        --version) version="${2:-}"; shift ;;
        --native-ok) native_ok=1 ;;
        --no-man) need_man=0 ;;
        -h | --help) usage ;;
        -*) printf 'check-package.sh: unknown option %s\n' "$1" >&2; usage ;;
        *) deb="$1" ;;
    esac
    shift
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- the .deb: contents, control fields, unpacked into a throwaway root -----
if [[ -z "$tree" ]]; then
    command -v dpkg-deb >/dev/null || skip "dpkg-deb is not installed (apt-get install dpkg)"
    if [[ -z "$deb" ]]; then
        deb="$(ls -t "$SS_ROOT"/build/package/scorescope_*.deb 2>/dev/null | head -n 1)"
        [[ -n "$deb" ]] || { printf 'check-package.sh: no build/package/scorescope_*.deb: run scripts/package.sh\n' >&2; exit 2; }
    fi
    [[ -f "$deb" ]] || { printf 'check-package.sh: no such file: %s\n' "$deb" >&2; exit 2; }
    deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
    log "package: $deb ($(du -h "$deb" | cut -f1))"
    log "contents (dpkg-deb -c):"
    dpkg-deb -c "$deb" | awk '{print "    " $1, $3, $6}'
    log "control fields:"
    dpkg-deb -f "$deb" Package Version Architecture Maintainer Section Priority Installed-Size Depends Recommends |
        sed 's/^/    /'
    field() { dpkg-deb -f "$deb" "$1"; }
    [[ -z "$version" ]] && version="$(field Version)"
    [[ "$(field Version)" == "$version" ]] && pass "Version $version" || fail "Version is $(field Version), not $version"
    # The package names in a relation field, one a line ("a (>= 1), b | c" -> a, b, c).
    names() { field "$1" | tr ',|' '\n\n' | sed 's/^ *//; s/[ (].*//' | grep -v '^$'; }
    for lib in libc6 libstdc++6 libqt6core6 libqt6gui6 libqt6widgets6 libqt6opengl6 libqt6svg6; do
        names Depends | grep -qxF "$lib" && pass "Depends names $lib" || fail "Depends lacks $lib: $(field Depends)"
    done
    names Recommends | grep -qxF ffmpeg && pass "Recommends ffmpeg" || fail "Recommends lacks ffmpeg"
    # "Name <address>", an address that can be written to (not .invalid, localhost...).
    maintainer="$(field Maintainer)"
    if [[ ! "$maintainer" =~ ^[^\<\>]+\ \<[^@\ ]+@([A-Za-z0-9.-]+\.[A-Za-z]+)\>$ ]]; then
        fail "Maintainer is not 'Name <address>': '$maintainer'"
    elif [[ "${BASH_REMATCH[1]}" =~ (^|\.)(invalid|localhost|localdomain|test)$ ]]; then
        fail "Maintainer's address cannot be written to: $maintainer"
    else
        pass "Maintainer: $maintainer"
    fi
    [[ -n "$(field Section)" ]] && pass "Section: $(field Section)" || fail "no Section"
    [[ "$(field Description)" == *$'\n'* ]] && pass "Description has a long part" || fail "Description is one line"
    if command -v apt-get >/dev/null; then
        # What installing it would do here: every dependency must resolve.
        if out="$(apt-get install --simulate --no-install-recommends "$deb" 2>&1)"; then
            pass "apt resolves its dependencies (dry run)"
        else
            fail "apt cannot install it: $(tail -n 3 <<<"$out")"
        fi
    fi
    dpkg-deb -x "$deb" "$work/root" || { fail "dpkg-deb -x"; exit 1; }
    tree="$work/root/usr"
    log "unpacked into $work/root"
fi
[[ -d "$tree" ]] || { printf 'check-package.sh: no such directory: %s\n' "$tree" >&2; exit 2; }
tree="$(cd "$tree" && pwd)"

# --- the files, each in its GNUInstallDirs place ---------------------------
for program in scorescope scorescope-cli; do
    [[ -x "$tree/bin/$program" ]] && pass "bin/$program" || fail "no executable bin/$program"
done
shopt -s nullglob
desktops=("$tree"/share/applications/*.desktop)
if ((${#desktops[@]} != 1)); then
    fail "expected one share/applications/*.desktop, found ${#desktops[@]}"
    id="org.scorescope.ScoreScope"
else
    id="$(basename "${desktops[0]}" .desktop)"
    pass "share/applications/$id.desktop"
fi
desktop="$tree/share/applications/$id.desktop"
metainfo="$tree/share/metainfo/$id.metainfo.xml"
svg="$tree/share/icons/hicolor/scalable/apps/$id.svg"
for f in "$metainfo" "$svg"; do [[ -s "$f" ]] && pass "${f#"$tree"/}" || fail "missing ${f#"$tree"/}"; done
if [[ -f "$desktop" ]]; then
    grep -qx "Exec=scorescope.*" "$desktop" && pass "the desktop entry starts scorescope" || fail "the desktop entry's Exec is not scorescope"
    grep -qx "Icon=$id" "$desktop" && pass "the desktop entry's icon is $id" || fail "the desktop entry's Icon is not $id"
    grep -qE "^MimeType=(.*;)?application/x-scorescope;" "$desktop" && pass "the desktop entry opens application/x-scorescope" \
        || fail "the desktop entry's MimeType= lacks application/x-scorescope"
fi
if [[ -f "$metainfo" ]]; then
    grep -q "<id>$id</id>" "$metainfo" && grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$metainfo" \
        && pass "the metainfo's id and launchable are $id" || fail "the metainfo's <id> or <launchable> is not $id"
    grep -q "<mediatype>application/x-scorescope</mediatype>" "$metainfo" && pass "the metainfo provides application/x-scorescope" \
        || fail "the metainfo's <provides> lacks <mediatype>application/x-scorescope</mediatype>"
fi
# The scene files' MIME type: the package file well-formed, and compiled by
# update-mime-database (what the package manager's trigger runs) into the type
# with its glob, without a warning.
mime="$tree/share/mime/packages/$id.xml"
if [[ ! -s "$mime" ]]; then
    fail "missing ${mime#"$tree"/}"
else
    pass "${mime#"$tree"/}"
    if command -v xmllint >/dev/null; then
        out="$(xmllint --noout "$mime" 2>&1)" && pass "xmllint: ${mime#"$tree"/} is well-formed" || fail "xmllint: $out"
    fi
    grep -q '<mime-type type="application/x-scorescope">' "$mime" && grep -q '<glob pattern="\*.scorescope"/>' "$mime" \
        && pass "${mime#"$tree"/} defines application/x-scorescope for *.scorescope" \
        || fail "${mime#"$tree"/} lacks application/x-scorescope or its *.scorescope glob"
    if command -v update-mime-database >/dev/null; then
        mkdir -p "$work/mime/packages" && cp "$mime" "$work/mime/packages/"
        out="$(XDG_DATA_HOME="$work" XDG_DATA_DIRS="$work" update-mime-database "$work/mime" 2>&1)" # $work: a searched folder, no note
        if [[ -z "$out" && -s "$work/mime/application/x-scorescope.xml" ]] &&
            grep -qx '[0-9]*:application/x-scorescope:\*\.scorescope' "$work/mime/globs2"; then
            pass "update-mime-database compiles application/x-scorescope (*.scorescope)"
        else
            fail "update-mime-database on ${mime#"$tree"/}: ${out:-no application/x-scorescope with its glob}"
        fi
    else
        log "update-mime-database not installed (apt-get install shared-mime-info): not run"
    fi
fi
# PNG sizes: the width and height in each PNG's header match its folder's NxN.
png_width() { od -An -tu1 -j16 -N8 "$1" | awk '{print $3 * 256 + $4, $7 * 256 + $8}'; }
for size in 16 22 24 32 48 64 128 256; do
    png="$tree/share/icons/hicolor/${size}x${size}/apps/$id.png"
    if [[ ! -s "$png" ]]; then fail "missing ${png#"$tree"/}"; continue; fi
    dims="$(png_width "$png")"
    [[ "$dims" == "$size $size" ]] && pass "${png#"$tree"/} is ${size}x${size}" || fail "${png#"$tree"/} is $dims"
done
# Man pages gzipped (Debian policy 12.1), each with a NAME line that reads
# "program \- what it is" in lower case, as whatis(1) lists it.
man_pages=("$tree"/share/man/man1/scorescope.1.gz "$tree"/share/man/man1/scorescope-cli.1.gz)
if ((need_man)); then
    for page in "${man_pages[@]}"; do
        plain="${page%.gz}"
        [[ -e "$plain" ]] && fail "${plain#"$tree"/} is installed uncompressed"
        if [[ ! -s "$page" ]]; then fail "missing ${page#"$tree"/}"; continue; fi
        if ! gzip -t "$page" 2>/dev/null; then fail "${page#"$tree"/} is not gzip data"; continue; fi
        roff="$(gzip -dc "$page")"
        grep -q '^\.TH ' <<<"$roff" && grep -q '^\.SH DESCRIPTION' <<<"$roff" \
            && pass "${page#"$tree"/} (help2man, gzipped)" || fail "${page#"$tree"/} has no .TH or DESCRIPTION"
        program="$(basename "$page" .1.gz)"
        name_line="$(sed -n '/^\.SH NAME$/{n;p;q}' <<<"$roff")"
        if [[ "$name_line" =~ ^"$program"\ \\-\ [a-z][^.]*[^.]$ ]]; then
            pass "${page#"$tree"/} NAME: $name_line"
        else
            fail "${page#"$tree"/} NAME line is '$name_line' (expected '$program \- what it is', lower case, no full stop)"
        fi
    done
    if command -v man >/dev/null && [[ -s "${man_pages[1]}" ]]; then
        # The CLI's page carries every command's --help.
        text="$(MANWIDTH=100 man -l "${man_pages[1]}" 2>/dev/null)"
        for command in data train sample nll eval render; do
            grep -q "usage: scorescope-cli $command" <<<"$text" || fail "scorescope-cli.1 lacks '$command --help'"
        done
        pass "man -l reads scorescope-cli.1, with each command's --help"
    fi
fi

# --- validators, where installed ---------------------------------------------
if command -v desktop-file-validate >/dev/null; then
    out="$(desktop-file-validate "$desktop" 2>&1)" && [[ -z "$out" ]] && pass "desktop-file-validate" \
        || fail "desktop-file-validate: $out"
else
    log "desktop-file-validate not installed (apt-get install desktop-file-utils): not run"
fi
if command -v appstreamcli >/dev/null; then
    out="$(appstreamcli validate --no-net "$metainfo" 2>&1)" && pass "appstreamcli validate --no-net" \
        || fail "appstreamcli validate: $out"
else
    log "appstreamcli not installed (apt-get install appstream): not run"
fi

# --- the programs, run from the tree ----------------------------------------
cli_version="$("$tree/bin/scorescope-cli" --version 2>&1)"
log "scorescope-cli --version: $cli_version"
if [[ "$cli_version" =~ ^scorescope-cli\ ([0-9]+\.[0-9]+\.[0-9]+)$ ]] && [[ -z "$version" || "${BASH_REMATCH[1]}" == "$version" ]]; then
    pass "scorescope-cli --version"
else
    fail "scorescope-cli --version printed '$cli_version' (expected 'scorescope-cli ${version:-X.Y.Z}')"
fi
gui_version="$(QT_QPA_PLATFORM=offscreen timeout 30 "$tree/bin/scorescope" --version 2>"$work/gui.err")"
log "scorescope --version: $gui_version"
# The first line is "scorescope X.Y.Z" (the second names Qt).
gui_version="$(head -n 1 <<<"$gui_version")"
if [[ "${gui_version,,}" =~ ^scorescope\ ([0-9]+\.[0-9]+\.[0-9]+)$ ]] && [[ -z "$version" || "${BASH_REMATCH[1]}" == "$version" ]]; then
    pass "scorescope --version"
else
    fail "scorescope --version printed '$gui_version' (expected 'scorescope ${version:-X.Y.Z}'): $(head -c 300 "$work/gui.err")"
fi
if "$tree/bin/scorescope-cli" data --preset 8gaussians --n 500 --out "$work/data.csv" >/dev/null &&
    "$tree/bin/scorescope-cli" train --data "$work/data.csv" --objective ncsn --steps 50 --out "$work/model.json" >/dev/null; then
    pass "scorescope-cli trains (50 steps) from the tree"
else
    fail "scorescope-cli data/train failed from the tree"
fi

# --- portable code: AVX only in the run-time dispatched kernels ------------
# core/KernelsAvx2.cpp and core/KernelsAvx512.cpp are compiled for those
# instruction sets and reached only through core/Simd's table when the CPU has
# them; every function there is in ss::simd's anonymous namespace. An AVX
# instruction anywhere else (an inline function of a header instantiated in
# those files and merged by the linker, or a -march flag leaking into the
# tree) would stop the program on a CPU without AVX.
if ((native_ok)); then
    log "--native-ok: AVX instructions not checked"
elif ! command -v objdump >/dev/null; then
    log "objdump not installed (binutils): AVX instructions not checked"
else
    for program in scorescope scorescope-cli; do
        # Mnemonics starting with v, less the VMX ones (vm*) and verr/verw,
        # counted per function (demangled) outside the kernels.
        outside="$(objdump -d -C --no-show-raw-insn "$tree/bin/$program" | awk '
            /^[0-9a-f]+ <.*>:$/ { fn = substr($0, index($0, "<") + 1); sub(/>:$/, "", fn); kernel = (index(fn, "ss::simd::(anonymous namespace)::") == 1); next }
            /:\tv[a-z0-9]+/ && !/:\t(vm[a-z]+|verr|verw)( |$)/ { if (kernel) k++; else { n++; if (!(fn in seen)) { seen[fn] = 1; names = names "\n    " fn } } }
            END { printf "%d %d%s", n, k, names }')"
        read -r avx kept <<<"$(head -1 <<<"$outside")"
        if ((avx == 0)); then
            pass "bin/$program has AVX instructions only in the dispatched kernels ($kept there)"
        else
            fail "bin/$program has $avx AVX instructions outside the dispatched kernels, in:$(tail -n +2 <<<"$outside" | head -10)"
        fi
    done
fi

if ((failures)); then
    log "$failures check(s) failed"
    exit 1
fi
log "all checks passed"
