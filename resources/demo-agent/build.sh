#!/bin/sh
# Build the Parallax demo-agent image:   build.sh TAG
#
# Idempotent: if image TAG already exists and its label parallax.demo.hash
# equals the sha256 of (Dockerfile bytes followed by agent.sh bytes), nothing
# is built.  Otherwise a temporary build context (Dockerfile, agent.sh and a
# copy of the host's static busybox) is assembled and built with the legacy
# builder (no registry access is needed: the image is FROM scratch).
#
# Environment:
#   BUSYBOX      static busybox binary to embed (default /bin/busybox)
#   DOCKER       docker CLI to use (default: docker from PATH)
#   DOCKER_HOST  honoured by the docker CLI as usual
#   TMPDIR       where the temporary build context is created (default /tmp)
# Exit status: 0 built or up to date; 1 build failed; 2 usage or missing tool.
set -eu

PROG=build.sh
die() {
    code=$1
    shift
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit "$code"
}

{ [ $# -eq 1 ] && [ -n "$1" ]; } || die 2 "usage: $0 TAG   (e.g. $0 parallax/demo-agent:0.1.0)"
TAG=$1

case $0 in */*) HERE=${0%/*} ;; *) HERE=. ;; esac
HERE=$(CDPATH='' cd -- "$HERE" && pwd)
BUSYBOX=${BUSYBOX:-/bin/busybox}
DOCKER=${DOCKER:-docker}

for f in Dockerfile agent.sh; do
    [ -f "$HERE/$f" ] || die 2 "missing $HERE/$f"
done
{ [ -f "$BUSYBOX" ] && [ -x "$BUSYBOX" ]; } ||
    die 2 "busybox not found at $BUSYBOX (install the busybox-static package or set BUSYBOX=/path/to/static/busybox)"
"$BUSYBOX" sh -c 'exit 0' 2>/dev/null ||
    die 2 "$BUSYBOX does not run as a busybox binary"
# A dynamically linked binary names its ELF interpreter near the start of the
# file; it would not run in a FROM-scratch image.
if head -c 4096 "$BUSYBOX" | grep -aq '/ld-[a-z0-9_.-]*\.so'; then
    die 2 "$BUSYBOX is dynamically linked; a static busybox is needed (package busybox-static)"
fi
command -v "$DOCKER" >/dev/null 2>&1 ||
    die 2 "docker CLI not found (looked for '$DOCKER' in PATH)"
"$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
    die 2 "cannot reach the Docker daemon (DOCKER_HOST=${DOCKER_HOST:-unset}); is dockerd running?"

if command -v sha256sum >/dev/null 2>&1; then
    HASH=$(cat "$HERE/Dockerfile" "$HERE/agent.sh" | sha256sum | cut -d' ' -f1)
else
    HASH=$(cat "$HERE/Dockerfile" "$HERE/agent.sh" | "$BUSYBOX" sha256sum | cut -d' ' -f1)
fi

current=$("$DOCKER" image inspect --format '{{ index .Config.Labels "parallax.demo.hash" }}' \
    "$TAG" 2>/dev/null || true)
old_id=$("$DOCKER" image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)
if [ "$current" = "$HASH" ]; then
    printf '%s: %s is up to date (parallax.demo.hash=%s)\n' "$PROG" "$TAG" "$HASH"
    exit 0
fi

CTX=$(mktemp -d "${TMPDIR:-/tmp}/parallax-demo-agent.XXXXXX")
trap 'rm -rf "$CTX"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cp "$HERE/Dockerfile" "$CTX/Dockerfile"
cp "$HERE/agent.sh" "$CTX/agent.sh"
cp -L "$BUSYBOX" "$CTX/busybox"
chmod 0755 "$CTX/agent.sh" "$CTX/busybox"

printf '%s: building %s (parallax.demo.hash=%s)\n' "$PROG" "$TAG" "$HASH"
if ! id=$(DOCKER_BUILDKIT=0 "$DOCKER" build -q --force-rm --label "parallax.demo.hash=$HASH" \
    -t "$TAG" "$CTX"); then
    die 1 "docker build of $TAG failed"
fi
printf '%s: built %s (%s)\n' "$PROG" "$TAG" "$id"
# Drop the image this tag used to point at, unless something still uses it
# (another tag, a container): then docker refuses and we leave it alone.
if [ -n "$old_id" ] && [ "$old_id" != "$id" ]; then
    "$DOCKER" image rm "$old_id" >/dev/null 2>&1 || true
fi
