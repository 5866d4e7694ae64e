#!/usr/bin/env bash
# Lays out a Docker build context for a Claude Code image built by hand: the RUN-less Dockerfile
# from tests/e2e/claude-code/, Parallax's claude-code entrypoint (resources/agents/) and a
# pinned @anthropic-ai/claude-code from npm, unpacked under
# rootfs/usr/local/lib/node_modules with a `claude` link in rootfs/usr/local/bin. The npm
# tarball is fetched once into a cache folder and checked against its pinned integrity.
#
#   tests/e2e/prepare-claude-code.sh CONTEXT_DIR
#   tests/e2e/prepare-claude-code.sh --tarball     only fetch, then print the tarball's path
#
# Exit status 3: the package could not be fetched (tests skip on it, loudly); 1: other errors.
# Environment: PARALLAX_E2E_CACHE (default /var/tmp/parallax-e2e), NPM (default npm).
set -euo pipefail

# The newest release whose npm package is still the JavaScript CLI (cli.js, engines node>=18):
# from 2.1.113 on the package is a native-binary launcher and later ones need node>=22, while
# Debian 12 ships node 18.
VERSION=2.1.112
INTEGRITY="sha512-9FUgJ0EOvILyhIqxFKNVliebiUjL68dwpEW3eGSSe0vkVDJ1c5qMDNWc22gW3zkD7zRAqtfQPSGv0t4vMM2DPA=="
TARBALL="anthropic-ai-claude-code-$VERSION.tgz"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${PARALLAX_E2E_CACHE:-/var/tmp/parallax-e2e}"
NPM="${NPM:-npm}"

die() { printf 'prepare-claude-code: error: %s\n' "$*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 CONTEXT_DIR | --tarball"
CONTEXT="$1"

integrity_of() { printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

mkdir -p "$CACHE"
if [ ! -f "$CACHE/$TARBALL" ] || [ "$(integrity_of "$CACHE/$TARBALL")" != "$INTEGRITY" ]; then
    command -v "$NPM" >/dev/null || die "npm is not installed (apt-get install npm)"
    rm -f "$CACHE/$TARBALL"
    (cd "$CACHE" && "$NPM" pack --silent "@anthropic-ai/claude-code@$VERSION" >/dev/null) ||
        { echo "prepare-claude-code: error: npm pack @anthropic-ai/claude-code@$VERSION failed (is the npm registry reachable?)" >&2; exit 3; }
    [ "$(integrity_of "$CACHE/$TARBALL")" = "$INTEGRITY" ] ||
        die "$CACHE/$TARBALL does not match its pinned integrity"
fi

if [ "$CONTEXT" = "--tarball" ]; then
    echo "$CACHE/$TARBALL"
    exit 0
fi

case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) die "no ripgrep in the package for $(uname -m)" ;;
esac

rm -rf "$CONTEXT"
mkdir -p "$CONTEXT/rootfs/usr/local/lib/node_modules/@anthropic-ai" "$CONTEXT/rootfs/usr/local/bin"
cp "$HERE/claude-code/Dockerfile" "$CONTEXT/Dockerfile"
# The same entrypoint as Parallax's own claude-code image (the agent contract).
install -m 755 "$HERE/../../resources/agents/common/entrypoint.sh" \
    "$CONTEXT/rootfs/usr/local/bin/parallax-agent-entrypoint"
pkg="$CONTEXT/rootfs/usr/local/lib/node_modules/@anthropic-ai/claude-code"
mkdir "$pkg"
tar -xzf "$CACHE/$TARBALL" -C "$pkg" --strip-components=1 --no-same-owner
# Only this machine's ripgrep: the others are a third of the package.
find "$pkg/vendor/ripgrep" -mindepth 1 -maxdepth 1 -type d ! -name "$arch-linux" -exec rm -rf {} +
ln -s ../lib/node_modules/@anthropic-ai/claude-code/cli.js "$CONTEXT/rootfs/usr/local/bin/claude"
echo "$VERSION"
