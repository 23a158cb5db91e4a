#!/bin/sh
# seed.sh MKXAR OUT: seed inputs made by our mkxar from small real trees:
# OUT/image/ gets whole xars and their bare images, OUT/header/ their
# headers. Trees cover every inode type the writer makes: nested
# directories, empty, multi-block, fragment-tail, raw-stored and sparse
# files, hard links, symlinks, a FIFO, (as root) a device, set-uid bits;
# mksquashfs adds images with uncompressed metadata. The seeds are the same
# bytes on every run (fixed times, fixed pseudo-random data), so a fuzz run
# with a fixed -seed is repeatable.
set -eu
MKXAR=$1
OUT=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/xar-seed.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$OUT/image" "$OUT/header"

mkdir -p "$W/tiny/sub"
echo hello > "$W/tiny/sub/hello.txt"
ln -s sub/hello.txt "$W/tiny/link"

m=$W/mixed
mkdir -p "$m/a/b/c" "$m/empty" "$m/bin"
printf '#!/bin/sh\necho run\n' > "$m/bin/run"
chmod 4755 "$m/bin/run"
: > "$m/a/zero"
i=0; while [ $i -lt 700 ]; do echo "line $i of a compressible file"; i=$((i + 1)); done > "$m/a/b/text"
python3 -c 'import random, sys; random.seed(7); sys.stdout.buffer.write(random.randbytes(5000))' \
    > "$m/a/b/c/random"
ln "$m/a/b/text" "$m/hardlink"
ln -s ../a/b/c/random "$m/bin/rel"
ln -s /nonexistent/target "$m/dangling"
mkfifo "$m/fifo"
dd if=/dev/zero of="$m/sparse" bs=1 count=1 seek=20000 2>/dev/null
printf 'x' > "$m/$(printf 'n%.0s' $(seq 1 200))"
if [ "$(id -u)" -eq 0 ]; then mknod "$m/null" c 1 3; fi

mkdir -p "$W/emptyroot"

for t in tiny mixed emptyroot; do
	SOURCE_DATE_EPOCH=1700000000 "$MKXAR" -q --no-exec --level 3 --block-size 4K \
	    -o "$W/$t.xar" "$W/$t"
	cp "$W/$t.xar" "$OUT/image/$t.xar"
	tail -c +4097 "$W/$t.xar" > "$OUT/image/$t.sqfs"
	head -c 4096 "$W/$t.xar" > "$OUT/header/$t.header"
done
find "$W" -exec touch -h -d @1700000000 {} +
# Uncompressed tables and data (mksquashfs -noI -noD -noF -noX), with an
# export table and xattrs: mutations then reach the structures themselves
# instead of failing to decompress.
if command -v mksquashfs >/dev/null 2>&1; then
	command -v setfattr >/dev/null 2>&1 &&
	    setfattr -n user.seed -v value "$m/a/zero" 2>/dev/null || true
	for t in tiny mixed; do
		mksquashfs "$W/$t" "$OUT/image/$t-raw.sqfs" -comp zstd -noI -noD \
		    -noF -noX -b 4096 -noappend -quiet -all-root \
		    -mkfs-time 1700000000 >/dev/null
	done
fi
# An --exec build carries XAR_EXEC and XAREXEC_TARGET.
SOURCE_DATE_EPOCH=1700000000 "$MKXAR" -q --block-size 4K --exec bin/run -o "$W/exec.xar" "$m"
head -c 4096 "$W/exec.xar" > "$OUT/header/exec.header"

# The FUSE operations harness walks the same images through the server.
mkdir -p "$OUT/fuse_ops"
cp "$OUT/image/"* "$OUT/fuse_ops/"
