#!/bin/sh
# parallax-demo-agent — the Parallax built-in demo agent.
#
# POSIX sh (written for busybox ash).  Behaviour is selected by DEMO_MODE:
#   session (default)  scripted, streaming coding-agent session that really
#                      edits files in the working directory and writes
#                      .parallax/changes.patch
#   count              "Count: 1" ... "Count: N", one per DEMO_INTERVAL seconds
#   flood              DEMO_LINES fixed-width numbered lines, as fast as possible
#   longline           one DEMO_LINE_BYTES-byte line (optionally no newline)
#   exit               "exiting with code N", then exit N
#   stderr             numbered lines interleaved on stdout and stderr
#   clock              DEMO_LINES lines, one per DEMO_INTERVAL seconds, each
#                      carrying the kernel's wall-clock reading (latency)
#   rate               flood-format lines at DEMO_RATE lines/s for DEMO_SECONDS
# Every mode exits with DEMO_EXIT_CODE (default 0); bad settings exit 2.
# Output is deterministic for a given environment and workspace content (no
# dates, PIDs or random numbers); only the timing varies.
# Full reference: docs/demo-agent.md.

PROG=parallax-demo-agent
set -f   # never glob: the prompt and other inputs are data

die() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 2
}

# is_uint VALUE [MAXDIGITS] — non-empty string of digits, at most MAXDIGITS long.
is_uint() {
    case $1 in '' | *[!0-9]*) return 1 ;; esac
    [ "${#1}" -le "${2:-15}" ]
}

# strip_zeros VALUE — "007" -> "7" (ash arithmetic would read "010" as octal).
strip_zeros() {
    _v=$1
    while :; do
        case $_v in 0?*) _v=${_v#0} ;; *) break ;; esac
    done
    printf '%s' "$_v"
}

# uint_var NAME DEFAULT — print the validated value of environment variable NAME.
uint_var() {
    eval "_v=\${$1-}"
    [ -n "$_v" ] || _v=$2
    is_uint "$_v" || die "$1 must be a non-negative integer (got '$_v')"
    strip_zeros "$_v"
}

# num_var NAME DEFAULT — non-negative decimal number such as 0, 1, 0.25, .5, 2.
num_var() {
    eval "_v=\${$1-}"
    [ -n "$_v" ] || _v=$2
    case $_v in
        '' | . | *[!0-9.]* | *.*.*) die "$1 must be a non-negative number (got '$_v')" ;;
    esac
    case $_v in .*) _v=0$_v ;; esac
    case $_v in *.) _v=${_v}0 ;; esac
    printf '%s' "$_v"
}

# is_zero NUMBER — true for 0, 0.0, .000, 00 ...
is_zero() {
    case $1 in *[1-9]*) return 1 ;; esac
    return 0
}

# sleep_for SECONDS — interruptible sleep (the TERM/INT traps fire at once).
sleep_for() {
    is_zero "$1" && return 0
    sleep "$1" &
    wait $!
}

# nap BASE — sleep BASE * DEMO_SPEED seconds (nothing at all when DEMO_SPEED=0).
nap() {
    [ "$SPEED_ZERO" = 1 ] && return 0
    sleep_for "$(awk -v b="$1" -v s="$SPEED" 'BEGIN { printf "%.3f", b * s }')"
}

# repeat_char CHAR COUNT — CHAR repeated COUNT times, no newline.
repeat_char() {
    [ "$2" -gt 0 ] || return 0
    head -c "$2" /dev/zero | tr '\0' "$1"
}

# shellcheck disable=SC2317 # invoked from the traps below
on_signal() {
    printf '\n%s: interrupted by SIG%s\n' "$PROG" "$1" >&2
    exit "$2"
}
trap 'on_signal TERM 143' TERM
trap 'on_signal INT 130' INT
trap 'on_signal HUP 129' HUP

# --- global settings --------------------------------------------------------

MODE=${DEMO_MODE:-session}
EXIT_CODE=${DEMO_EXIT_CODE:-0}
is_uint "$EXIT_CODE" 3 || die "DEMO_EXIT_CODE must be an integer 0-255 (got '$EXIT_CODE')"
EXIT_CODE=$(strip_zeros "$EXIT_CODE")
[ "$EXIT_CODE" -le 255 ] || die "DEMO_EXIT_CODE must be an integer 0-255 (got '$EXIT_CODE')"

if [ -n "${NO_COLOR:-}" ]; then
    RED='' GRN='' CYN='' YEL='' MAG='' BLD='' DIM='' RST=''
else
    ESC=$(printf '\033')
    RED="${ESC}[31m" GRN="${ESC}[32m" CYN="${ESC}[36m" YEL="${ESC}[33m"
    MAG="${ESC}[35m" BLD="${ESC}[1m" DIM="${ESC}[2m" RST="${ESC}[0m"
fi
CR=$(printf '\r')

# --- session ----------------------------------------------------------------

# stream_words TEXT — print TEXT word by word, like tokens arriving.
stream_words() {
    _first=1
    for _w in $1; do
        if [ "$_first" = 1 ]; then
            printf '%s' "$_w"
            _first=0
        else
            printf ' %s' "$_w"
        fi
        nap 0.04
    done
    printf '\n'
}

tool() {  # tool NAME ARG
    nap 0.3
    printf '\n%s●%s %s%s%s(%s)\n' "$GRN" "$RST" "$BLD" "$1" "$RST" "$2"
    nap 0.2
}

result() {  # result TEXT
    printf '  %s└%s  %s\n' "$DIM" "$RST" "$1"
}

# colour_diff — colour a unified diff read from stdin, indented, line by line.
colour_diff() {
    while IFS= read -r _l || [ -n "$_l" ]; do
        case $_l in
            '---'* | '+++'*) printf '    %s%s%s\n' "$BLD" "$_l" "$RST" ;;
            '@@'*) printf '    %s%s%s\n' "$CYN" "$_l" "$RST" ;;
            '-'*) printf '    %s%s%s\n' "$RED" "$_l" "$RST" ;;
            '+'*) printf '    %s%s%s\n' "$GRN" "$_l" "$RST" ;;
            *) printf '    %s\n' "$_l" ;;
        esac
        nap 0.05
    done
}

# diff_counts FILE — "ADDED REMOVED" for a unified diff (headers excluded).
diff_counts() {
    awk '/^\+\+\+ / || /^--- / { next }
         /^\+/ { a++ } /^-/ { d++ }
         END { printf "%d %d", a, d }' "$1"
}

plural() {  # plural N WORD
    if [ "$1" = 1 ]; then printf '%s %s' "$1" "$2"; else printf '%s %ss' "$1" "$2"; fi
}

write_app_scaffold() {
    cat >"$1" <<'EOF'
"""Tiny demo application edited by the Parallax demo agent."""

import sys


def main() -> int:
    print("Hello, world!")
    return 0


if __name__ == "__main__":
    sys.exit(main())
EOF
}

write_greeting() {
    cat >"$1" <<'EOF'
"""Greeting helpers."""


def greet(name: str) -> str:
    """Return a friendly greeting for *name* (defaults to "world")."""
    name = name.strip() or "world"
    return f"Hello, {name}!"
EOF
}

write_tests() {
    cat >"$1" <<'EOF'
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from greeting import greet  # noqa: E402


class GreetTest(unittest.TestCase):
    def test_named(self):
        self.assertEqual(greet("Ada"), "Hello, Ada!")

    def test_blank_defaults_to_world(self):
        self.assertEqual(greet("   "), "Hello, world!")


if __name__ == "__main__":
    unittest.main()
EOF
}

# edit_app IN OUT — import the helper and use it; works on any file content
# (the import goes after the first block of imports, else after a one-line
# docstring, else at the top) and is a no-op when both changes are present.
edit_app() {
    _has=0 _imports=0
    grep -qx 'from greeting import greet' "$1" && _has=1
    grep -qE '^(import|from) ' "$1" && _imports=1
    awk -v has="$_has" -v imports="$_imports" '
        function imp() { print "from greeting import greet"; has = 1 }
        !has && imports && /^(import|from) / { inblock = 1; print; next }
        !has && inblock { imp() }
        !has && !imports && NR == 1 && /^""".*"""$/ && length($0) > 6 {
            print; print ""; imp(); next
        }
        !has && !imports && NR == 1 { imp(); print "" }
        {
            sub(/print\("Hello, world!"\)/, "print(greet(\"world\"))")
            print
        }
        END { if (!has) imp() }
    ' "$1" >"$2"
}

mode_session() {
    SPEED=$(num_var DEMO_SPEED 1) || exit 2
    SPEED_ZERO=0
    is_zero "$SPEED" && SPEED_ZERO=1

    ws=$(pwd)
    app=src/app.py
    helper=src/greeting.py
    tests=tests/test_greeting.py
    patch=.parallax/changes.patch

    tmp=$(mktemp -d "${TMPDIR:-/tmp}/parallax-demo.XXXXXX") ||
        die "cannot create a temporary directory"
    trap 'rm -rf "$tmp"' EXIT

    # Snapshot what the workspace looked like before we touched anything, so
    # the final patch is exactly "our changes".
    for f in "$app" "$helper" "$tests"; do
        if [ -f "$f" ]; then
            mkdir -p "$tmp/base/${f%/*}" && cp "$f" "$tmp/base/$f"
        fi
    done

    # Header ------------------------------------------------------------------
    printf '%s╭──────────────────────────────────────────╮%s\n' "$MAG" "$RST"
    printf '%s│%s %sParallax demo agent%s                      %s│%s\n' \
        "$MAG" "$RST" "$BLD" "$RST" "$MAG" "$RST"
    printf '%s│%s %sscripted session, no model is contacted%s  %s│%s\n' \
        "$MAG" "$RST" "$DIM" "$RST" "$MAG" "$RST"
    printf '%s╰──────────────────────────────────────────╯%s\n' "$MAG" "$RST"
    if [ -n "${MODEL:-}" ]; then
        printf 'Using model: %s\n' "$MODEL"
    else
        printf 'Using model: %s\n' "demo (set MODEL to change)"
    fi
    printf 'Variation:   %s\n' "${PARALLAX_VARIATION:-(none)}"
    printf 'Workspace:   %s\n' "$ws"
    printf '\n%sPrompt%s\n' "$BLD" "$RST"
    if [ -n "${PARALLAX_PROMPT:-}" ]; then
        printf '%s\n' "$PARALLAX_PROMPT" | sed 's/^/  > /'
    else
        printf '  > %s\n' "(empty prompt)"
    fi
    nap 0.5

    # Thinking ------------------------------------------------------------------
    printf '\n'
    frames='⠋ ⠙ ⠹ ⠸ ⠼ ⠴ ⠦ ⠧ ⠇ ⠏'
    i=0
    while [ "$i" -lt 2 ]; do
        for fr in $frames; do
            printf '%s%s%s%s Thinking…' "$CR" "$YEL" "$fr" "$RST"
            nap 0.08
        done
        i=$((i + 1))
    done
    printf '%s%s✓%s Thought it through: 6 steps\n' "$CR" "$GRN" "$RST"
    nap 0.3

    printf '\n'
    stream_words "I'll add a small greeting helper, use it from the app, cover it with tests and hand the change set back to Parallax."

    # Plan --------------------------------------------------------------------
    printf '\n%sPlan%s\n' "$BLD" "$RST"
    n=0
    for step in \
        "Inspect $app" \
        "Add a greeting helper in $helper" \
        "Use the helper from $app" \
        "Add tests in $tests" \
        "Run the test suite" \
        "Write the change set to $patch"; do
        n=$((n + 1))
        printf '  %d. %s\n' "$n" "$step"
        nap 0.1
    done

    # 1. Read -------------------------------------------------------------------
    tool Read "$app"
    if [ -f "$app" ]; then
        result "Read $(plural "$(awk 'END { print NR }' "$app")" line)"
    else
        result "File not found; scaffolding a minimal app first"
        printf 'warning: %s does not exist yet, creating it\n' "$app" >&2
        tool Write "$app"
        mkdir -p src
        write_app_scaffold "$app"
        result "Wrote $(plural "$(awk 'END { print NR }' "$app")" line) to $app"
    fi

    # 2. Write helper ---------------------------------------------------------------
    tool Write "$helper"
    mkdir -p "${helper%/*}"
    write_greeting "$helper"
    result "Wrote $(plural "$(awk 'END { print NR }' "$helper")" line) to $helper"

    # 3. Edit app -------------------------------------------------------------------
    tool Edit "$app"
    cp "$app" "$tmp/before"
    edit_app "$tmp/before" "$tmp/after"
    cat "$tmp/after" >"$app"
    diff -u -L "a/$app" -L "b/$app" "$tmp/before" "$app" >"$tmp/edit.diff"
    if [ -s "$tmp/edit.diff" ]; then
        # shellcheck disable=SC2046 # two numbers, split on purpose
        set -- $(diff_counts "$tmp/edit.diff")
        result "Updated $app with $(plural "$1" addition) and $(plural "$2" removal)"
        colour_diff <"$tmp/edit.diff"
    else
        result "$app already uses the helper; no changes needed"
    fi

    # 4. Write tests ----------------------------------------------------------------
    tool Write "$tests"
    mkdir -p "${tests%/*}"
    write_tests "$tests"
    result "Wrote $(plural "$(awk 'END { print NR }' "$tests")" line) to $tests"

    # 5. Run tests ------------------------------------------------------------------
    tool Bash "make test"
    printf 'warning: no Makefile found; falling back to "python -m unittest"\n' >&2
    printf 'warning: the demo image has no Python, so the test run is simulated\n' >&2
    pct=0
    while [ "$pct" -le 100 ]; do
        filled=$((pct / 10))
        printf '%s  Running tests [%s%s%s%s] %3d%%' "$CR" "$GRN" \
            "$(repeat_char '#' "$filled")" "$RST" "$(repeat_char ' ' $((10 - filled)))" "$pct"
        nap 0.15
        pct=$((pct + 10))
    done
    printf '\n'
    result "tests/test_greeting.py::GreetTest::test_named ${GRN}PASSED${RST}"
    result "tests/test_greeting.py::GreetTest::test_blank_defaults_to_world ${GRN}PASSED${RST}"
    result "Ran 2 tests: ${GRN}OK${RST}"

    # 6. Patch ----------------------------------------------------------------------
    tool Write "$patch"
    mkdir -p "${patch%/*}"
    : >"$tmp/changes.patch"
    changed=''
    for f in "$app" "$helper" "$tests"; do
        if [ -f "$tmp/base/$f" ]; then
            diff -u -L "a/$f" -L "b/$f" "$tmp/base/$f" "$f" >"$tmp/one.diff"
            status=M
        else
            diff -u -L /dev/null -L "b/$f" /dev/null "$f" >"$tmp/one.diff"
            status=A
        fi
        if [ -s "$tmp/one.diff" ]; then
            cat "$tmp/one.diff" >>"$tmp/changes.patch"
            changed="$changed $status:$f"
        fi
    done
    cat "$tmp/changes.patch" >"$patch"
    result "Wrote $(plural "$(awk 'END { print NR }' "$patch")" line) to $patch"

    # Summary -----------------------------------------------------------------------
    # shellcheck disable=SC2046 # two numbers, split on purpose
    set -- $(diff_counts "$patch")
    nfiles=0
    for c in $changed; do nfiles=$((nfiles + 1)); done
    nap 0.4
    printf '\n%sSummary%s\n' "$BLD" "$RST"
    printf '  %s changed, %s(+), %s(-)\n' "$(plural "$nfiles" file)" \
        "$(plural "$1" insertion)" "$(plural "$2" deletion)"
    for c in $changed; do
        case $c in
            A:*) printf '  %sA%s %s\n' "$GRN" "$RST" "${c#A:}" ;;
            *) printf '  %sM%s %s\n' "$YEL" "$RST" "${c#M:}" ;;
        esac
    done
    printf '  Patch: %s\n' "$patch"
    if [ "$EXIT_CODE" -eq 0 ]; then
        printf '%s✓ Done.%s\n' "$GRN" "$RST"
    else
        printf '%s✗ Finished with exit code %d (DEMO_EXIT_CODE).%s\n' "$RED" "$EXIT_CODE" "$RST"
        printf 'error: session ended with exit code %d as requested by DEMO_EXIT_CODE\n' \
            "$EXIT_CODE" >&2
    fi
    rm -rf "$tmp"
    trap - EXIT
}

# --- stress / protocol modes ---------------------------------------------------

mode_count() {
    count=$(uint_var DEMO_COUNT 5) || exit 2
    interval=$(num_var DEMO_INTERVAL 1) || exit 2
    i=1
    while [ "$i" -le "$count" ]; do
        [ "$i" -gt 1 ] && sleep_for "$interval"
        printf 'Count: %d\n' "$i"
        i=$((i + 1))
    done
}

# Lines are "line <n> " + 'x' padding + "\n", DEMO_LINE_BYTES bytes in total
# (never truncated: if the width is too small the line is just longer).  One
# "seq | sed" pipeline per number of digits keeps it fast (busybox awk issues
# one write() per printf and is ~3x slower).
mode_flood() {
    lines=$(uint_var DEMO_LINES 100000) || exit 2
    width=$(uint_var DEMO_LINE_BYTES 80) || exit 2
    lo=1 hi=9 digits=1
    while [ "$lo" -le "$lines" ]; do
        top=$hi
        [ "$top" -gt "$lines" ] && top=$lines
        pad=$(repeat_char x $((width - 7 - digits)))
        # The sed script comes from a here-document (a pipe in ash) so that
        # very wide lines do not hit the per-argument length limit.
        seq "$lo" "$top" | sed -f /dev/fd/3 3<<EOF
s/.*/line & $pad/
EOF
        lo=$((hi + 1)) hi=$((hi * 10 + 9)) digits=$((digits + 1))
    done
}

# The line is the 64-character base64 alphabet repeated and cut to length, so
# byte k (0-based) is ALPHABET[k % 64]: gaps and duplications are detectable.
mode_longline() {
    bytes=$(uint_var DEMO_LINE_BYTES 1048576) || exit 2
    a=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/
    a=$a$a$a$a$a$a$a$a a=$a$a$a$a$a$a$a$a   # 4096 bytes per yes(1) line
    yes "$a" 2>/dev/null | tr -d '\n' 2>/dev/null | head -c "$bytes"
    case ${DEMO_NO_NEWLINE:-0} in
        '' | 0) printf '\n' ;;
    esac
}

mode_exit() {
    printf 'exiting with code %d\n' "$EXIT_CODE"
}

mode_stderr() {
    lines=$(uint_var DEMO_LINES 10) || exit 2
    interval=$(num_var DEMO_INTERVAL 0) || exit 2
    i=1
    while [ "$i" -le "$lines" ]; do
        [ "$i" -gt 1 ] && sleep_for "$interval"
        printf 'stdout line %d\n' "$i"
        printf 'stderr line %d\n' "$i" >&2
        i=$((i + 1))
    done
}

# "clock <n> <seconds>.<microseconds>": the reading comes from adjtimex(2) (the
# busybox applet; busybox date has no %N), the same CLOCK_REALTIME the host
# reads, since a container shares the host's kernel.
mode_clock() {
    lines=$(uint_var DEMO_LINES 100) || exit 2
    interval=$(num_var DEMO_INTERVAL 0.01) || exit 2
    i=1
    while [ "$i" -le "$lines" ]; do
        [ "$i" -gt 1 ] && sleep_for "$interval"
        t=$(adjtimex 2>/dev/null)
        s=${t#*time.tv_sec:} s=${s%%time.tv_usec*}
        u=${t#*time.tv_usec:} u=${u%%return*}
        printf 'clock %d %d.%06d\n' "$i" $((s)) $((u))
        i=$((i + 1))
    done
}

# emit_lines LO HI WIDTH — flood-format lines LO..HI (see mode_flood).
emit_lines() {
    _lo=$1 _digits=${#1}
    while [ "$_lo" -le "$2" ]; do
        _top=1 _k=0
        while [ "$_k" -lt "$_digits" ]; do _top=$((_top * 10)) _k=$((_k + 1)); done
        _top=$((_top - 1))
        [ "$_top" -gt "$2" ] && _top=$2
        _pad=$(repeat_char x $(($3 - 7 - _digits)))
        seq "$_lo" "$_top" | sed -f /dev/fd/3 3<<EOF
s/.*/line & $_pad/
EOF
        _lo=$((_top + 1)) _digits=$((_digits + 1))
    done
}

# Flood-format lines (line n is "line <n> " padded to DEMO_LINE_BYTES) at about
# DEMO_RATE lines per second for DEMO_SECONDS seconds: DEMO_TICKS bursts per
# second, each followed by a sleep of one tick (so the real rate is a little
# lower when a burst takes long; the total is always DEMO_RATE × DEMO_SECONDS).
# Each second's lines are made in one go into a file in which line n starts at
# byte (n - 1) × width, and each burst is one dd of its range: a tick costs two
# processes (dd, sleep) instead of a seq | sed pipeline and its padding (seven).
# With 32 variations on 2 CPUs the generator must not be what loads the machine.
mode_rate() {
    rate=$(uint_var DEMO_RATE 2000) || exit 2
    seconds=$(uint_var DEMO_SECONDS 30) || exit 2
    ticks=$(uint_var DEMO_TICKS 10) || exit 2
    width=$(uint_var DEMO_LINE_BYTES 80) || exit 2
    [ "$ticks" -ge 1 ] || die "DEMO_TICKS must be at least 1 (got '$ticks')"
    total=$((rate * seconds)) n=$((ticks * seconds)) k=1 done_=0 made=0
    [ "$width" -ge $((8 + ${#total})) ] \
        || die "DEMO_LINE_BYTES must be at least $((8 + ${#total})) for $total numbered lines (got $width)"
    lines_file=/tmp/parallax-demo-rate.$$
    : >"$lines_file" || die "cannot write $lines_file"
    tick=$(awk -v t="$ticks" 'BEGIN { printf "%.4f", 1 / t }')
    while [ "$k" -le "$n" ]; do
        upto=$((total * k / n))
        if [ "$upto" -gt "$made" ]; then # the lines of the next second
            next=$((made + rate))
            [ "$next" -lt "$upto" ] && next=$upto
            [ "$next" -gt "$total" ] && next=$total
            emit_lines $((made + 1)) "$next" "$width" >>"$lines_file"
            made=$next
        fi
        [ "$upto" -gt "$done_" ] && dd if="$lines_file" bs=65536 iflag=skip_bytes,count_bytes \
            skip=$((done_ * width)) count=$(((upto - done_) * width)) 2>/dev/null
        done_=$upto
        [ "$k" -lt "$n" ] && sleep_for "$tick"
        k=$((k + 1))
    done
    rm -f "$lines_file"
}

case $MODE in
    session) mode_session ;;
    count) mode_count ;;
    flood) mode_flood ;;
    longline) mode_longline ;;
    exit) mode_exit ;;
    stderr) mode_stderr ;;
    clock) mode_clock ;;
    rate) mode_rate ;;
    *) die "unknown DEMO_MODE '$MODE' (expected one of: session, count, flood, longline, exit, stderr, clock, rate)" ;;
esac
exit "$EXIT_CODE"
