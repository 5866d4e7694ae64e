#!/usr/bin/env bash
# Makes a local Debian 12 base image with Node.js and git, without any container registry:
# debootstrap (minbase) from a Debian mirror, then nodejs/git/ca-certificates by chroot, then
# `docker import`. Prints the image reference on stdout (everything else goes to stderr).
#
#   tests/e2e/make-base-image.sh [--print-tag]
#
# The tag is derived from this script's content, so an edit makes a new image and an existing
# image is reused (the whole run is skipped); older tags are removed once a new one is made.
# Needs root (debootstrap, chroot) and a Docker daemon.
#
# Environment:
#   PARALLAX_DEBIAN_MIRROR  the mirror to use (default: the first bookworm mirror in
#                           /etc/apt/sources.list(.d), else http://deb.debian.org/debian)
#   PARALLAX_BASE_REPO      the image repository (default parallax-test/bookworm-node)
#   DOCKER                  the docker CLI to import with (default docker)
set -euo pipefail

SUITE=bookworm
PACKAGES=(nodejs git ca-certificates)
REPO="${PARALLAX_BASE_REPO:-parallax-test/bookworm-node}"
DOCKER="${DOCKER:-docker}"
SELF="${BASH_SOURCE[0]}"
TAG="$REPO:$(sha256sum "$SELF" | cut -c1-12)"

log() { printf 'make-base-image: %s\n' "$*" >&2; }
die() { printf 'make-base-image: error: %s\n' "$*" >&2; exit 1; }
# Exit status 3: the mirror could not be used (tests skip on it, loudly); 1: any other error.
unreachable() { printf 'make-base-image: error: %s\n' "$*" >&2; exit 3; }

if [ "${1:-}" = "--print-tag" ]; then
    echo "$TAG"
    exit 0
fi

if "$DOCKER" image inspect "$TAG" >/dev/null 2>&1; then
    log "$TAG exists; nothing to do"
    echo "$TAG"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "debootstrap and chroot need root: run as root (or with sudo)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"

# The machine's own Debian mirror: deb822 .sources files first, then one-line sources.list.
find_mirror() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # A stanza whose Suites has the bare suite name (not -security/-updates only).
        uri="$(awk -v suite="$SUITE" '
            /^[[:space:]]*$/ { if (u != "" && s) { print u; exit } u = ""; s = 0; next }
            /^URIs:/   { u = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) s = 1 }
            END { if (u != "" && s) print u }' "$f" | head -1)"
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri="$(awk -v suite="$SUITE" '$1 == "deb" {
                   i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                   if ($(i + 1) == suite) { print $i; exit } }' "$f")"
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    echo "http://deb.debian.org/debian"
}
MIRROR="${PARALLAX_DEBIAN_MIRROR:-$(find_mirror)}"

WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/parallax-base.XXXXXX")"
ROOTFS="$WORK/rootfs"
cleanup() {
    umount "$ROOTFS/proc" 2>/dev/null || true
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

start=$SECONDS
log "debootstrap --variant=minbase $SUITE from $MIRROR (into $ROOTFS)"
if ! debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
    tail -20 "$WORK/debootstrap.log" >&2
    unreachable "debootstrap failed (mirror $MIRROR); set PARALLAX_DEBIAN_MIRROR to a reachable mirror"
fi
log "debootstrap took $((SECONDS - start)) s"

# Name resolution inside the chroot, for apt; removed again before the import.
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
mount -t proc proc "$ROOTFS/proc"
# Mirrors that serve a frozen snapshot have expired Release files: tell this apt run only.
APT=(apt-get -q -o Acquire::Check-Valid-Until=false -o Acquire::Languages=none)
log "installing ${PACKAGES[*]} in the chroot"
if ! { chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive "${APT[@]}" update &&
       chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y \
           --no-install-recommends "${PACKAGES[@]}"; } >"$WORK/apt.log" 2>&1; then
    tail -20 "$WORK/apt.log" >&2
    unreachable "apt-get in the chroot failed (mirror $MIRROR)"
fi
chroot "$ROOTFS" apt-get clean
umount "$ROOTFS/proc"
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/log/apt/* \
    "$ROOTFS"/tmp/* "$ROOTFS"/root/.cache
: >"$ROOTFS/etc/resolv.conf"
log "node $(chroot "$ROOTFS" node --version), $(chroot "$ROOTFS" git --version)"

log "importing as $TAG"
tar --numeric-owner -C "$ROOTFS" -c . |
    "$DOCKER" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/bash"]' \
        - "$TAG" >/dev/null
# Older tags of this repository came from older versions of this script: untag them (images
# built on them keep their layers; one still in use by a container stays).
"$DOCKER" images --format '{{.Repository}}:{{.Tag}}' "$REPO" | grep -vxF "$TAG" |
    xargs -r "$DOCKER" rmi >/dev/null 2>&1 || true
log "done in $((SECONDS - start)) s"
echo "$TAG"
