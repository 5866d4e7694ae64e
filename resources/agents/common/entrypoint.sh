#!/bin/sh
# Every agent image's entrypoint (claude-code, codex-cli, gemini-cli): Parallax's agent contract
# (docs/agent-contract.md).
#  1. /workspace: a shallow clone of $PARALLAX_REPO_URL (at $PARALLAX_REPO_REF when set), or else
#     whatever the image holds there, committed as the starting tree so that `git diff` works.
#  2. The command (the spec's "command", else the image's CMD, e.g. `claude -p ...`) runs with
#     $PARALLAX_PROMPT as its last argument: one argv entry, never through eval or a shell line.
#  3. Everything the agent changed, new files included, goes to .parallax/changes.patch.
#  4. The container exits with the agent's exit code (125 when the workspace cannot be set up).
# SIGTERM and SIGINT (a stop or a timeout) are passed on to the agent, and the patch is still
# written.
set -u

workspace=/workspace

say() {
    echo "parallax-agent: $*" >&2
}
git_quiet() {
    git -c user.name=parallax -c user.email=parallax@localhost -c init.defaultBranch=main \
        -c advice.detachedHead=false "$@" >/dev/null 2>&1
}

if ! mkdir -p "$workspace" || ! cd "$workspace"; then
    say "cannot use $workspace"
    exit 125
fi

if [ -n "${PARALLAX_REPO_URL:-}" ]; then
    if [ -n "$(ls -A . 2>/dev/null)" ]; then
        say "$workspace is not empty: cannot clone $PARALLAX_REPO_URL into it"
        exit 125
    fi
    if [ -n "${PARALLAX_REPO_REF:-}" ]; then
        # A branch or tag clones directly; a commit needs a fetch of that commit.
        if ! git_quiet clone --depth 1 --branch "$PARALLAX_REPO_REF" -- "$PARALLAX_REPO_URL" .; then
            rm -rf .git
            if ! { git_quiet init -q . && git_quiet remote add origin "$PARALLAX_REPO_URL" &&
                git_quiet fetch --depth 1 origin "$PARALLAX_REPO_REF" &&
                git_quiet checkout -q FETCH_HEAD; }; then
                say "cannot clone $PARALLAX_REPO_URL at $PARALLAX_REPO_REF"
                exit 125
            fi
        fi
    elif ! git_quiet clone --depth 1 -- "$PARALLAX_REPO_URL" .; then
        say "cannot clone $PARALLAX_REPO_URL"
        exit 125
    fi
elif ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    if ! { git_quiet init -q . && git_quiet add -A &&
        git_quiet commit -q --allow-empty -m "starting tree"; }; then
        say "cannot make $workspace a git repository"
        exit 125
    fi
fi

mkdir -p .parallax
# Keep Parallax's own folder out of the agent's `git status` and out of the patch.
git_dir=$(git rev-parse --git-dir 2>/dev/null) && mkdir -p "$git_dir/info" &&
    echo ".parallax/" >>"$git_dir/info/exclude"

if [ $# -eq 0 ]; then
    say "no command to run (the spec has none and the image no CMD)"
    exit 125
fi
if [ -n "${PARALLAX_PROMPT+set}" ]; then
    set -- "$@" "$PARALLAX_PROMPT"
fi

"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
status=0
wait "$child" || status=$?
# A trapped signal interrupts wait: wait again for the agent's own status.
while kill -0 "$child" 2>/dev/null; do
    status=0
    wait "$child" || status=$?
done

git_quiet add -A -- . ':(exclude).parallax'
git diff --cached >.parallax/changes.patch 2>/dev/null || say "cannot write the patch"
exit "$status"
