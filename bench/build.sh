#!/bin/sh
# Build speed, size and memory: mkxar vs mksquashfs vs gensquashfs on a real
# Python tree, same zstd level, block size and thread count, side by side.
# usage: bench/build.sh [BUILD_DIR]   (env: RUNS=5 JOBS=<cpus> LEVEL=16)
set -eu
BUILD=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-5}
JOBS=${JOBS:-$(nproc)}
LEVEL=${LEVEL:-16}
W=$(mktemp -d /tmp/xar-bench-build.XXXXXX)
trap 'rm -rf "$W"' EXIT

mkdir "$W/tree"
cp -a /usr/lib/python3.11 "$W/tree/"
[ -d /usr/lib/python3/dist-packages ] && cp -a /usr/lib/python3/dist-packages "$W/tree/"
files=$(find "$W/tree" -type f | wc -l)
bytes=$(du -sb "$W/tree" | cut -f1)
find "$W/tree" -type f -exec cat {} + > /dev/null  # warm the page cache

# The three tools take turns, run by run (measure.py).
# shellcheck disable=SC2046
set -- $(python3 "$HERE/measure.py" "$RUNS" \
	"$BUILD/mkxar" -q --no-exec -o "$W/out.xar" --level "$LEVEL" --block-size 128K -j "$JOBS" "$W/tree" \
	--- mksquashfs "$W/tree" "$W/ms.img" -noappend -quiet -no-progress -comp zstd \
	-Xcompression-level "$LEVEL" -b 128K -processors "$JOBS" \
	--- gensquashfs -q -f -D "$W/tree" -k -c zstd -X level="$LEVEL" -b 131072 -j "$JOBS" "$W/ng.img")
xt=$1 xm=$2 mt=$3 mm=$4 gt=$5 gm=$6
xs=$(($(stat -c %s "$W/out.xar") - 4096))
ms=$(stat -c %s "$W/ms.img")
gs=$(stat -c %s "$W/ng.img")

echo "tree: $files files, $bytes bytes; zstd level $LEVEL, 128K blocks, $JOBS threads, median of $RUNS"
awk -v xt="$xt" -v xs="$xs" -v xm="$xm" -v mt="$mt" -v ms="$ms" -v mm="$mm" \
    -v gt="$gt" -v gs="$gs" -v gm="$gm" 'BEGIN {
	printf "%-12s %9s %12s %12s\n", "tool", "wall_s", "image_bytes", "peak_rss_MiB"
	printf "%-12s %9.3f %12d %12.1f\n", "mkxar", xt, xs, xm / 1024
	printf "%-12s %9.3f %12d %12.1f\n", "mksquashfs", mt, ms, mm / 1024
	printf "%-12s %9.3f %12d %12.1f\n", "gensquashfs", gt, gs, gm / 1024
	printf "mkxar/mksquashfs:  wall %.2fx  size %.3fx  memory %.2fx\n", xt / mt, xs / ms, xm / mm
	printf "mkxar/gensquashfs: wall %.2fx  size %.3fx  memory %.2fx\n", xt / gt, xs / gs, xm / gm
}'
