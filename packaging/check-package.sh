#!/usr/bin/env bash
# Builds the .deb from a built tree and checks it the way a user would meet it: the control
# fields, every file it must install, desktop-file-validate, appstreamcli validate, the man page
# through groff with warnings on, and the unpacked binary answering --version with the system's
# Qt. Exits non-zero on the first problem, saying which.
#
#   packaging/check-package.sh BUILD_DIR [OUT_DIR]
#
# OUT_DIR keeps the .deb (default: a temporary folder, removed afterwards). Lintian runs too when
# it is installed (PARALLAX_LINTIAN=1 insists on it, =0 skips it); any tag that is not listed in
# packaging/lintian-known.txt fails the check.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$(cd "${1:?usage: check-package.sh BUILD_DIR [OUT_DIR]}" && pwd)"
APP_ID=io.parallax.Parallax
VERSION="$(sed -n 's/^project(Parallax VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")"

fail() { printf 'check-package: FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'check-package: ok: %s\n' "$*"; }

for tool in cpack dpkg-deb desktop-file-validate appstreamcli groff; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (./dev.sh package installs it)"
done
[ -f "$BUILD/CPackConfig.cmake" ] || fail "$BUILD has no CPackConfig.cmake: configure it first"
[ -x "$BUILD/app/parallax" ] || fail "$BUILD/app/parallax is not built"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
OUT="${2:-$WORK/out}"
mkdir -p "$OUT"
rm -f "$OUT"/parallax_*.deb

# 1. Build the package.
start=$(date +%s%N)
cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$OUT" >"$WORK/cpack.log" 2>&1 \
    || { cat "$WORK/cpack.log" >&2; fail "cpack -G DEB failed"; }
shopt -s nullglob
debs=("$OUT"/parallax_"$VERSION"_*.deb)
[ ${#debs[@]} -eq 1 ] || fail "expected one parallax_${VERSION}_*.deb in $OUT, found ${#debs[@]}"
DEB="${debs[0]}"
ok "built $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB) in $(( ($(date +%s%N) - start) / 1000000 )) ms"

# 2. Control fields.
field() { dpkg-deb --field "$DEB" "$1"; }
[ "$(field Package)" = parallax ] || fail "Package is '$(field Package)', not parallax"
[ "$(field Version)" = "$VERSION" ] || fail "Version is '$(field Version)', not $VERSION"
depends="$(field Depends)"
for dep in libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6sql6 libqt6sql6-sqlite \
           qt6-qpa-plugins libc6 libstdc++6; do
    # Package names only, without version constraints or alternatives.
    sed 's/ *([^)]*)//g; s/ *| */\n/g; s/, */\n/g' <<<"$depends" | grep -xF "$dep" >/dev/null \
        || fail "Depends lacks $dep: $depends"
done
grep -q 'docker.io | podman' <<<"$(field Recommends)" || fail "Recommends lacks 'docker.io | podman'"
ok "control: Depends: $depends"
ok "control: Recommends: $(field Recommends)"

# 3. Files.
ROOT="$WORK/root"
dpkg-deb -x "$DEB" "$ROOT"
expected=(usr/bin/parallax
          "usr/share/applications/$APP_ID.desktop"
          "usr/share/metainfo/$APP_ID.metainfo.xml"
          "usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
          usr/share/man/man1/parallax.1.gz
          usr/share/doc/parallax/changelog.gz)
sizes=(16 22 24 32 48 64 128 256 512)
for s in "${sizes[@]}"; do
    expected+=("usr/share/icons/hicolor/${s}x${s}/apps/$APP_ID.png")
done
for f in "${expected[@]}"; do
    [ -f "$ROOT/$f" ] || fail "the package does not install /$f"
done
for s in "${sizes[@]}"; do
    # A PNG's width and height are the big-endian words at bytes 16 and 20.
    read -r w h < <(od -An -j16 -N8 -tu1 "$ROOT/usr/share/icons/hicolor/${s}x${s}/apps/$APP_ID.png" \
                    | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}')
    if [ "$w" != "$s" ] || [ "$h" != "$s" ]; then fail "the ${s}x${s} icon is ${w}x${h}"; fi
done
unexpected="$(find "$ROOT" -type f -printf '%P\n' | sort \
    | { grep -vxF -f <(printf '%s\n' "${expected[@]}") || true; })"
[ -z "$unexpected" ] || fail "the package installs files nobody listed: $unexpected"
ok "files: ${#expected[@]} installed, icon sizes ${sizes[*]} px"

# 4. Desktop entry and AppStream metadata, cross-checked against each other.
desktop="$ROOT/usr/share/applications/$APP_ID.desktop"
metainfo="$ROOT/usr/share/metainfo/$APP_ID.metainfo.xml"
desktop-file-validate "$desktop" || fail "desktop-file-validate $desktop"
grep -qx "Icon=$APP_ID" "$desktop" || fail "the desktop entry's Icon is not $APP_ID"
appstreamcli validate --no-net "$metainfo" || fail "appstreamcli validate --no-net $metainfo"
# The tree as installed: the metainfo together with the desktop entry and icons it refers to.
appstreamcli validate-tree --no-net "$ROOT" >"$WORK/tree.txt" 2>&1 \
    || { cat "$WORK/tree.txt" >&2; fail "appstreamcli validate-tree --no-net on the unpacked package"; }
grep -q "<id>$APP_ID</id>" "$metainfo" || fail "the metainfo id is not $APP_ID"
grep -q "<launchable type=\"desktop-id\">$APP_ID.desktop</launchable>" "$metainfo" \
    || fail "the metainfo does not launch $APP_ID.desktop"
grep -q "<release version=\"$VERSION\"" "$metainfo" || fail "the metainfo has no release $VERSION"
shots="$(sed -n 's|.*<image[^>]*>.*/\([^/<]*\)</image>.*|\1|p' "$metainfo")"
[ -n "$shots" ] || fail "the metainfo references no screenshot"
for shot in $shots; do
    [ -f "$SRC/packaging/screenshots/$shot" ] || fail "screenshot $shot is not in packaging/screenshots"
done
ok "desktop entry and metainfo validate (screenshots: ${shots//$'\n'/ })"

# 5. Man page: no groff warnings, the version it names is this one, every command documented.
man_warnings="$(zcat "$ROOT/usr/share/man/man1/parallax.1.gz" | groff -man -Tutf8 -ww -z 2>&1)"
[ -z "$man_warnings" ] || fail "groff warns about parallax.1: $man_warnings"
grep -q "^\.TH PARALLAX 1 .*\"Parallax $VERSION\"" "$SRC/packaging/parallax.1" \
    || fail "packaging/parallax.1's .TH line does not say Parallax $VERSION"
man_text="$(zcat "$ROOT/usr/share/man/man1/parallax.1.gz" | groff -man -Tutf8 2>/dev/null | sed 's/.\x08//g')"
for word in doctor run resume history show export --version --help --start --theme --no-resume \
            --out --keep-containers --state --name --image --limit --winner --no-winner --format \
            DOCKER_HOST; do
    grep -q -- "$word" <<<"$man_text" || fail "the man page does not mention $word"
done
ok "man page renders without warnings"
changelog_top="$(zcat "$ROOT/usr/share/doc/parallax/changelog.gz" | sed -n 1p)"
[[ "$changelog_top" == "parallax ($VERSION) "* ]] \
    || fail "packaging/debian/changelog's newest entry is not $VERSION: $changelog_top"

# 6. The unpacked binary runs against the system's Qt, with nothing borrowed from the build tree.
bin="$ROOT/usr/bin/parallax"
if readelf -d "$bin" | grep -E 'RPATH|RUNPATH' >/dev/null; then
    fail "usr/bin/parallax carries an RPATH/RUNPATH: $(readelf -d "$bin" | grep -E 'RPATH|RUNPATH')"
fi
if readelf -S "$bin" | grep '\.debug_info' >/dev/null; then fail "usr/bin/parallax is not stripped"; fi
missing_libs="$(env -u LD_LIBRARY_PATH ldd "$bin" | grep 'not found' || true)"
[ -z "$missing_libs" ] || fail "usr/bin/parallax needs libraries that are not installed: $missing_libs"
got="$(env -u LD_LIBRARY_PATH "$bin" --version)" || fail "usr/bin/parallax --version exited $?"
[ "$got" = "parallax $VERSION" ] || fail "usr/bin/parallax --version printed '$got'"
ok "unpacked usr/bin/parallax --version: $got"

# Whatever the binary's own help names, the man page must document: each command of
# `parallax --help` and each option of it and of the window's help.
cli_help="$(env -u LD_LIBRARY_PATH "$bin" --help)"
gui_help="$(env -u LD_LIBRARY_PATH QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$WORK" \
            "$bin" SPEC.json --help 2>/dev/null)" || fail "usr/bin/parallax SPEC.json --help failed"
grep -q -- '--no-resume' <<<"$gui_help" || fail "the window's --help did not list its options: $gui_help"
commands="$(sed -n 's/^  parallax \([a-z][a-z]*\).*/\1/p' <<<"$cli_help" | sort -u)"
[ -n "$commands" ] || fail "parallax --help named no command: $cli_help"
for c in $commands; do
    grep -q -- "parallax $c" <<<"$man_text" || fail "parallax --help has command '$c'; the man page does not"
done
options="$(grep -oE -- '--[a-z][a-z-]*' <<<"$cli_help$gui_help" | grep -vx -- '--help-all' | sort -u)"
for o in $options; do
    grep -Eq -- "(^|[^a-z-])$o([^a-z-]|\$)" <<<"$man_text" \
        || fail "parallax --help has option '$o'; the man page does not"
done
ok "man page documents every command (${commands//$'\n'/ }) and option in --help"

# 7. Lintian, with the tags we know about and accept listed (and explained) apart.
lintian_mode="${PARALLAX_LINTIAN:-auto}"
if [ "$lintian_mode" = auto ]; then
    command -v lintian >/dev/null && lintian_mode=1 || lintian_mode=0
    [ "$lintian_mode" = 1 ] || echo "check-package: lintian is not installed; skipping it"
fi
if [ "$lintian_mode" = 1 ]; then
    command -v lintian >/dev/null || fail "PARALLAX_LINTIAN=1 but lintian is not installed"
    lintian --tag-display-limit 0 "$DEB" 2>/dev/null | grep -E '^[EWIPXNOC]: ' >"$WORK/lintian.txt" || true
    known="$(grep -v '^#' "$SRC/packaging/lintian-known.txt" | awk 'NF {print $1}')"
    new="$(awk '{print $3}' "$WORK/lintian.txt" | sort -u | grep -vxF -f <(echo "$known") || true)"
    sed 's/^/  /' "$WORK/lintian.txt"
    [ -z "$new" ] || fail "lintian reports tags not in packaging/lintian-known.txt: ${new//$'\n'/ }"
    ok "lintian: $(wc -l <"$WORK/lintian.txt") known tag(s), nothing new"
fi

ok "$(basename "$DEB") is good"
