#!/usr/bin/env bash
# The package tier's tests (tests/CMakeLists.txt): this build tree installed,
# then checked by scripts/check-package.sh (files in their places, validators,
# both programs' --version run from the installed tree, a short training run).
#   tst_package.sh install BUILD CHECK-OPTIONS...  cmake --install into a temporary prefix
#   tst_package.sh deb BUILD CHECK-OPTIONS...      cpack -G DEB from this tree, then the .deb
# Exit 77 (skipped, with the reason) where cpack, dpkg-deb or dpkg-shlibdeps is missing.
set -euo pipefail
mode="${1:?mode: install or deb}" build="${2:?the build tree}"
shift 2
check="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/check-package.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
case "$mode" in
    install)
        cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" \
            || { cat "$tmp/install.log"; exit 1; }
        "$check" --tree "$tmp/prefix" "$@"
        ;;
    deb)
        for tool in cpack dpkg-deb dpkg-shlibdeps; do
            command -v "$tool" >/dev/null \
                || { echo "skipped: $tool is not installed (scripts/setup.sh installs it)"; exit 77; }
        done
        # The same tree's files packed as scripts/package.sh packs the portable build's.
        (cd "$build" && cpack -G DEB -B "$tmp/deb") >"$tmp/cpack.log" 2>&1 \
            || { cat "$tmp/cpack.log"; exit 1; }
        "$check" "$tmp"/deb/scorescope_*.deb "$@"
        ;;
    *) echo "tst_package.sh: unknown mode $mode" >&2; exit 2 ;;
esac
