#!/usr/bin/env bash
# Parallax developer entry point. Safe to run again: it installs only what is missing, starts a
# Docker daemon only when none answers (and never stops one), and rebuilds incrementally.
#
#   ./dev.sh run [ARGS...]   set up, build, and start the app (ARGS go to parallax)
#   ./dev.sh test            set up, build, and run every test (unit, docker, ui, fuzz)
#   ./dev.sh bench           set up, build, and run the benchmarks (tests/bench)
#   ./dev.sh image           build the demo agent image only
#   ./dev.sh package         build the .deb (into the build folder) and check it
#   ./dev.sh setup           install packages and start Docker only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="${PARALLAX_BUILD_DIR:-$ROOT/build}"
STATE="$ROOT/.dev"
VERSION="$(sed -n 's/^project(Parallax VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")"
DEMO_IMAGE="parallax/demo-agent:$VERSION"
FUZZ_SECONDS="${PARALLAX_FUZZ_SECONDS:-60}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'dev.sh: error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "run as root or install sudo"
    SUDO="sudo"
fi

PACKAGES_BUILD=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite
                libgl-dev docker.io busybox-static ca-certificates qtkeychain-qt6-dev
                libsecret-1-0)
PACKAGES_TEST=(clang libclang-rt-14-dev dbus-daemon gnome-keyring podman docker-registry
               debootstrap openssl)
# The .deb: PNG icons, dpkg-shlibdeps, and the checks in packaging/check-package.sh.
PACKAGES_PACKAGE=(librsvg2-bin dpkg-dev desktop-file-utils appstream lintian)

install_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    if [ ! -f "$STATE/apt-updated" ]; then
        $SUDO apt-get update -qq
        mkdir -p "$STATE" && touch "$STATE/apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

docker_answers() { timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_docker() {
    if docker_answers; then
        log "Docker answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}; leaving it alone"
        return 0
    fi
    if [ -n "${DOCKER_HOST:-}" ]; then
        die "DOCKER_HOST=$DOCKER_HOST does not answer; start that daemon or unset DOCKER_HOST"
    fi
    # A freshly installed docker.io may be starting under systemd: give it a moment.
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
        $SUDO systemctl start docker 2>/dev/null || true
        for _ in $(seq 20); do docker_answers && return 0; sleep 0.5; done
    fi
    log "starting dockerd (log: $STATE/dockerd.log)"
    mkdir -p "$STATE"
    # shellcheck disable=SC2086
    $SUDO sh -c "nohup dockerd --iptables=false --bridge=none --storage-driver=vfs --live-restore \
        ${PARALLAX_DOCKERD_FLAGS:-} >'$STATE/dockerd.log' 2>&1 & echo \$! >'$STATE/dockerd.pid'"
    for _ in $(seq 60); do
        if docker_answers; then
            [ -S /var/run/docker.sock ] && [ "$(id -u)" -ne 0 ] && $SUDO chmod 666 /var/run/docker.sock
            return 0
        fi
        sleep 0.5
    done
    tail -20 "$STATE/dockerd.log" >&2 || true
    die "dockerd did not come up within 30 s (see $STATE/dockerd.log)"
}

build_image() {
    log "demo agent image $DEMO_IMAGE"
    "$ROOT/resources/demo-agent/build.sh" "$DEMO_IMAGE"
}

configure_and_build() {
    log "building in $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARALLAX_WERROR=ON >/dev/null
    cmake --build "$BUILD" -- -j"$(nproc)"
}

# The real-agent test (tests/docker/tst_realagent) needs a local Debian base image (made with
# debootstrap, cached by the script's hash) and npm on the host for the pinned Claude Code CLI.
# Both need a Debian mirror and the npm registry; without them the test skips, loudly.
prepare_e2e() {
    command -v npm >/dev/null || install_packages npm
    log "real-agent test base image"
    $SUDO "$ROOT/tests/e2e/make-base-image.sh" >/dev/null ||
        log "could not make the base image: tst_realagent will skip"
}

run_fuzz() {
    log "fuzzing the protocol reader for ${FUZZ_SECONDS}s"
    local fb="$ROOT/build-fuzz"
    CC=clang CXX=clang++ cmake -S "$ROOT" -B "$fb" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DPARALLAX_FUZZ=ON >/dev/null
    cmake --build "$fb" --target fuzz_protocol -- -j"$(nproc)"
    local corpus; corpus="$(mktemp -d)"
    cp "$ROOT"/tests/fuzz/corpus/* "$corpus"/ 2>/dev/null || true
    mkdir -p "$ROOT/fuzz-artifacts"
    "$fb/tests/fuzz/fuzz_protocol" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
        -artifact_prefix="$ROOT/fuzz-artifacts/" "$corpus" 2>&1 | tail -12
    rm -rf "$corpus"
}

cmd="${1:-run}"
shift || true
case "$cmd" in
    setup)
        install_packages "${PACKAGES_BUILD[@]}" "${PACKAGES_TEST[@]}" "${PACKAGES_PACKAGE[@]}"
        ensure_docker
        ;;
    image)
        install_packages "${PACKAGES_BUILD[@]}"
        ensure_docker
        build_image
        ;;
    run)
        install_packages "${PACKAGES_BUILD[@]}"
        ensure_docker
        build_image
        configure_and_build
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
            die "no display: start Parallax from a desktop session (or use 'parallax run SPEC.json' headless: $BUILD/app/parallax)"
        fi
        log "starting Parallax"
        exec "$BUILD/app/parallax" "$@"
        ;;
    test)
        install_packages "${PACKAGES_BUILD[@]}" "${PACKAGES_TEST[@]}" "${PACKAGES_PACKAGE[@]}"
        ensure_docker
        build_image
        prepare_e2e
        configure_and_build
        run_fuzz
        log "running the tests (unit, docker, ui, package)"
        (cd "$BUILD" && QT_QPA_PLATFORM=offscreen PARALLAX_LINTIAN=1 ctest -LE bench --output-on-failure --timeout 900)
        ;;
    bench)
        install_packages "${PACKAGES_BUILD[@]}" "${PACKAGES_TEST[@]}"
        ensure_docker
        build_image
        configure_and_build
        (cd "$BUILD" && ctest -L bench --output-on-failure -V)
        ;;
    package)
        install_packages "${PACKAGES_BUILD[@]}" "${PACKAGES_PACKAGE[@]}"
        log "building the package in $BUILD"
        cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARALLAX_WERROR=ON \
            >/dev/null
        cmake --build "$BUILD" --target parallax parallax_icons parallax_docs -- -j"$(nproc)"
        PARALLAX_LINTIAN=1 "$ROOT/packaging/check-package.sh" "$BUILD" "$BUILD"
        ;;
    *)
        die "unknown command '$cmd' (run, test, bench, image, setup, package)"
        ;;
esac
