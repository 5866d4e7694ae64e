#!/bin/bash
# Runs an agent CLI in /workspace under Parallax's agent contract (docs/agent-contract.md):
# clone $PARALLAX_REPO_URL (at $PARALLAX_REPO_REF) when set, else make whatever the image put in
# the working directory a git repository; run the command with $PARALLAX_PROMPT as its last
# argument (never through a shell); write what changed to .parallax/changes.patch; exit with the
# command's status. The command's stdout and stderr are the container's own, untouched.
set -u

git_quiet() { git -c user.name=parallax -c user.email=parallax@localhost "$@" >/dev/null 2>&1; }

if [ -n "${PARALLAX_REPO_URL:-}" ]; then
    git clone -q "$PARALLAX_REPO_URL" . >&2 || { echo "entrypoint: cannot clone $PARALLAX_REPO_URL" >&2; exit 125; }
    if [ -n "${PARALLAX_REPO_REF:-}" ]; then
        git checkout -q "$PARALLAX_REPO_REF" >&2 || { echo "entrypoint: no ref $PARALLAX_REPO_REF" >&2; exit 125; }
    fi
elif [ ! -d .git ]; then
    git_quiet init -q && git_quiet add -A && git_quiet commit -q --allow-empty -m "workspace"
fi

[ $# -gt 0 ] || set -- claude -p
if [ -n "${PARALLAX_PROMPT:-}" ]; then
    set -- "$@" "$PARALLAX_PROMPT"
fi

"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
status=0
wait "$child" || status=$?
# A trapped signal interrupts wait: wait again for the real status.
while kill -0 "$child" 2>/dev/null; do
    status=0
    wait "$child" || status=$?
done

mkdir -p .parallax
git_quiet add -A -- . ':!.parallax'
git diff --cached >.parallax/changes.patch 2>/dev/null
exit "$status"
