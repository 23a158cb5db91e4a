#!/bin/sh
# Running without FUSE: the extraction cache (XAR_EXTRACT=1) side by side
# with the FUSE mount and with the same tree unpacked on disk (same
# interpreter, same .pyc, same bootstrap). Medians in milliseconds.
#   sh bench/fallback.sh [BUILD]     (env: RUNS=30 COLD_RUNS=10)
# hot: the mount or the cache exists; cold: a fresh mount (xarexec -u
# before each run) or a fresh extraction (the cache removed before each run).
# Target (issue 5): extract-mode hot start <= 1.02x unpacked.
set -eu
BUILD=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
RUNS=${RUNS:-30}
COLD_RUNS=${COLD_RUNS:-10}
W=$(mktemp -d /tmp/xar-bench-fallback.XXXXXX)
chmod 755 "$W"
export XAR_MOUNT_ROOT="$W/mnt" XDG_CACHE_HOME="$W/cache" PATH="$BUILD:$PATH"
mkdir -m 1777 "$XAR_MOUNT_ROOT"
unset XAR_DEBUG XAR_EXTRACT
cleanup() {
	[ -e "$W/app.xar" ] && "$BUILD/xarexec" -u "$W/app.xar" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
PY=$(python3 -c 'import sys; print(sys.executable)')

# timeit RUNS BEFORE CMD...: median wall ms of CMD, running the shell
# command BEFORE (untimed, when not empty) before each run.
timeit() {
	"$PY" - "$@" <<'PYEOF'
import statistics, subprocess, sys, time
runs, before, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
null = subprocess.DEVNULL
def once():
    if before:
        subprocess.run(before, shell=True, stdout=null, stderr=null)
    t = time.perf_counter()
    subprocess.run(cmd, stdout=null, stderr=null, check=True)
    return (time.perf_counter() - t) * 1000
for _ in range(3):
    once()
print("%.1f" % statistics.median(once() for _ in range(runs)))
PYEOF
}

DP=/usr/lib/python3/dist-packages
if [ -d "$DP/pygments" ]; then
	egg=$(cd "$DP" && ls -d Pygments-*-info | head -n 1)
	printf 'def f(x):\n    return x * 2\n' > "$W/in.py"
	name=pygmentize
	"$BUILD/mkxar" -q -o "$W/app.xar" --console-script pygmentize \
	    "$DP/pygments=pygments" "$DP/$egg=$egg"
	set -- -l python -f terminal256 "$W/in.py"
else
	name=licenses
	"$BUILD/mkxar" -q -o "$W/app.xar" --python-entry licenses \
	    "$(cd "$(dirname "$0")/.." && pwd)/samples/licenses"
	set -- list
fi
"$BUILD/xarexec" --extract "$W/tree" "$W/app.xar" >/dev/null
unpacked=$(PYTHONPATH="$W/tree" timeit "$RUNS" "" "$PY" "$W/tree/__xar__/bootstrap.py" "$@")
fuse_hot=$(timeit "$RUNS" "" "$W/app.xar" "$@")
fuse_cold=$(timeit "$COLD_RUNS" "xarexec -u '$W/app.xar'" "$W/app.xar" "$@")
export XAR_EXTRACT=1
ext_hot=$(timeit "$RUNS" "" "$W/app.xar" "$@")
ext_cold=$(timeit "$COLD_RUNS" "rm -rf '$W/cache/xar'" "$W/app.xar" "$@")
echo "app: $name; python: $PY; medians of $RUNS hot and $COLD_RUNS cold runs, ms"
awk -v u="$unpacked" -v fh="$fuse_hot" -v fc="$fuse_cold" -v eh="$ext_hot" -v ec="$ext_cold" 'BEGIN {
	printf "%-18s %8s %8s\n", "mode", "hot", "cold"
	printf "%-18s %8.1f %8s\n", "unpacked", u, "-"
	printf "%-18s %8.1f %8.1f\n", "fuse mount", fh, fc
	printf "%-18s %8.1f %8.1f\n", "extraction cache", eh, ec
	printf "extract hot/unpacked %.3f%s  fuse hot/unpacked %.3f  extract cold/fuse cold %.2f\n",
	    eh / u, (eh / u <= 1.02 ? "" : " (over 1.02)"), fh / u, ec / fc
}'
