#!/bin/sh
# Installs an agent CLI inside `docker build` (docs/agents.md). Parallax puts the CLI into the
# build context when it is given one (offline), under /opt/parallax/cli as either
#   *.tgz              an `npm pack` tarball of a package whose dependencies are bundled
#   package/           such a tarball, unpacked
#   node_modules/      an installed tree (`npm install --prefix DIR PACKAGE@VERSION`)
# and otherwise asks the npm registry for AGENT_PACKAGE@AGENT_VERSION. Either way the installed
# version must be the pinned one, and AGENT_BIN ends up on the PATH in /usr/local/bin.
set -eu

cli=/opt/parallax/cli
lib=/opt/parallax/lib
pkg="${AGENT_PACKAGE:?AGENT_PACKAGE is not set}"
version="${AGENT_VERSION:?AGENT_VERSION is not set}"
bin="${AGENT_BIN:?AGENT_BIN is not set}"

die() {
    echo "parallax: $*" >&2
    exit 1
}

command -v node >/dev/null 2>&1 ||
    die "the base image has no node: agent images need Node.js 18 or newer (e.g. node:22-bookworm-slim, or Debian's nodejs)"
command -v git >/dev/null 2>&1 ||
    die "the base image has no git: the entrypoint needs it to clone and to write the patch (apt-get install git)"

# The file a package's "bin" field names for $bin (a string or an object).
bin_of() {
    node -e '
        const p = require(process.argv[1] + "/package.json");
        const b = typeof p.bin === "string" ? p.bin : (p.bin || {})[process.argv[2]];
        if (!b) { console.error("package " + p.name + " has no executable " + process.argv[2]); process.exit(1); }
        console.log(b);' "$1" "$bin"
}

check_version() {
    actual=$(node -p 'require(process.argv[1] + "/package.json").version' "$1")
    name=$(node -p 'require(process.argv[1] + "/package.json").name' "$1")
    [ "$name" = "$pkg" ] || die "the build context holds the package $name, the preset wants $pkg"
    [ "$actual" = "$version" ] ||
        die "the build context holds $pkg $actual, the preset pins $version: supply that version or change the preset's \"version\""
}

link_bin() {
    target="$1/$(bin_of "$1")"
    chmod 755 "$target"
    ln -sf "$target" "/usr/local/bin/$bin"
}

tarball=$(find "$cli" -maxdepth 1 -name '*.tgz' | sort | head -n 1)
if [ -n "$tarball" ]; then
    dir="$lib/node_modules/$pkg"
    mkdir -p "$dir"
    tar -xzf "$tarball" -C "$dir" --strip-components=1 --no-same-owner
    check_version "$dir"
    link_bin "$dir"
    echo "parallax: installed $pkg $version from $(basename "$tarball") (offline)"
elif [ -f "$cli/package/package.json" ]; then
    dir="$lib/node_modules/$pkg"
    mkdir -p "$(dirname "$dir")"
    cp -a "$cli/package" "$dir"
    check_version "$dir"
    link_bin "$dir"
    echo "parallax: installed $pkg $version from an unpacked package (offline)"
elif [ -d "$cli/node_modules/$pkg" ]; then
    mkdir -p "$lib"
    cp -a "$cli/node_modules" "$lib/node_modules"
    check_version "$lib/node_modules/$pkg"
    link_bin "$lib/node_modules/$pkg"
    echo "parallax: installed $pkg $version from a node_modules tree (offline)"
else
    command -v npm >/dev/null 2>&1 ||
        die "no CLI in the build context and no npm in the base image: give Parallax an npm tarball or node_modules tree of $pkg@$version (docs/agents.md, offline use)"
    npm install --global --no-audit --no-fund --loglevel=error "$pkg@$version"
    npm cache clean --force >/dev/null 2>&1 || true
    check_version "$(npm root --global)/$pkg"
    echo "parallax: installed $pkg $version from the npm registry"
fi
rm -rf "$cli"
command -v "$bin" >/dev/null 2>&1 || die "$bin is not on the PATH after installing $pkg"
