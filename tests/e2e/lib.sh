# Shared helpers for the end-to-end tests (sourced, POSIX sh).
# Each test file reports one line per case:
#   PASS: name | FAIL: name: why | SKIP: name: reason
# and tests/run-e2e.sh counts them.
set -u
: "${BUILD:?BUILD must name the build directory}"
MKXAR="$BUILD/mkxar"
XAREXEC="$BUILD/xarexec"
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/xar-e2e.XXXXXX")
chmod 755 "$T"
trap 't_cleanup' EXIT
t_cleanup() { [ -n "${T_CLEANUP_HOOK:-}" ] && eval "$T_CLEANUP_HOOK"; rm -rf "$T"; }

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
skip() { echo "SKIP: $1: $2"; }

# check NAME CMD...: pass when CMD exits 0.
check() {
	_n=$1; shift
	if _o=$("$@" 2>&1); then pass "$_n"; else fail "$_n" "$(echo "$_o" | tail -n 3 | tr '\n' ' ')"; fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}

have_fuse() {
	[ -c /dev/fuse ] && command -v fusermount3 >/dev/null 2>&1 &&
	    [ -r /dev/fuse ] && [ -w /dev/fuse ]
}
is_root() { [ "$(id -u)" -eq 0 ]; }
have_loop() { is_root && [ -e /dev/loop-control ]; }
