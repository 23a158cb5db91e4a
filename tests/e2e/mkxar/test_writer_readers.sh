#!/bin/sh
# The SquashFS writer against independent readers: a generated tree packed
# by mkxar is read back by unsquashfs, squashfs-tools-ng (rdsquashfs and
# sqfs2tar), libsquashfuse (sqfs-manifest) and the kernel, and each
# read-back tree must equal the source exactly (tests/tools manifests:
# bytes, modes, owners, mtimes, link targets, hard-link sets).
. "$(dirname "$0")/../lib.sh"
SQM="$BUILD/tests/sqfs-manifest"
TREEM="python3 $TOP/tests/tools/tree-manifest.py"

devopt=""
is_root && devopt="--devices"
huge=""
[ "${XAR_TEST_HUGE:-1}" = 1 ] && huge="--huge"
python3 "$TOP/tests/tools/gen_tree.py" "$T/src" $devopt $huge || { fail gen "cannot generate the tree"; exit 0; }
$TREEM --root-owner "$T/src" > "$T/want" || { fail gen "tree-manifest failed"; exit 0; }

if ! "$MKXAR" --no-exec -o "$T/x.xar" "$T/src" 2> "$T/err"; then
	fail mkxar "$(cat "$T/err")"
	exit 0
fi
pass mkxar
off=$(sed -n 's/^OFFSET="\([0-9]*\)"$/\1/p' "$T/x.xar" | head -n 1)
expect_eq offset 4096 "$off"
tail -c +$((off + 1)) "$T/x.xar" > "$T/img"

# unsquashfs: extract (as root it restores owners and modes) and list.
if unsquashfs -q -n -o "$off" -d "$T/u" "$T/x.xar" >/dev/null 2>"$T/err"; then
	$TREEM "$T/u" > "$T/got.unsquashfs"
	if cmp -s "$T/want" "$T/got.unsquashfs"; then pass unsquashfs-extract
	else fail unsquashfs-extract "$(diff "$T/want" "$T/got.unsquashfs" | head -n 5 | tr '\n' ' ')"; fi
else
	fail unsquashfs-extract "$(cat "$T/err")"
fi
n_src=$(($(wc -l < "$T/want") + 1)) # -lls lists the root too
n_lls=$(unsquashfs -o "$off" -lls -d "" "$T/x.xar" 2>/dev/null | grep -c '^[-dlpscb][-rwxsStT]\{9\} ')
expect_eq unsquashfs-lls-count "$n_src" "$n_lls"
unsquashfs -o "$off" -stat "$T/x.xar" > "$T/stat" 2>&1
if grep -q 'Compression zstd' "$T/stat" && grep -q 'compression-level 16' "$T/stat" &&
   grep -q 'Block size 131072' "$T/stat"; then pass unsquashfs-stat
else fail unsquashfs-stat "$(head -n 8 "$T/stat" | tr '\n' ' ')"; fi

# squashfs-tools-ng. Its rdsquashfs (1.2) unpacks hard links as separate
# copies, also from mksquashfs's images, so the hard-link column (checked
# by every other reader) is left out here.
if rdsquashfs -q -u / -p "$T/ng" -T -C -O "$T/img" >/dev/null 2>"$T/err"; then
	$TREEM "$T/ng" | cut -f1-8 > "$T/got.ng"
	cut -f1-8 "$T/want" > "$T/want.ng"
	if cmp -s "$T/want.ng" "$T/got.ng"; then pass rdsquashfs
	else fail rdsquashfs "$(diff "$T/want.ng" "$T/got.ng" | head -n 5 | tr '\n' ' ')"; fi
else
	fail rdsquashfs "$(cat "$T/err")"
fi
if sqfs2tar "$T/img" > "$T/img.tar" 2>"$T/err" && tar -tf "$T/img.tar" > /dev/null 2>&1; then
	pass sqfs2tar
else
	fail sqfs2tar "$(cat "$T/err")"
fi

# libsquashfuse, in-process, straight from the xar at its offset.
if "$SQM" "$T/x.xar" "$off" > "$T/got.sqfuse" 2>"$T/err"; then
	if cmp -s "$T/want" "$T/got.sqfuse"; then pass libsquashfuse
	else fail libsquashfuse "$(diff "$T/want" "$T/got.sqfuse" | head -n 5 | tr '\n' ' ')"; fi
else
	fail libsquashfuse "$(cat "$T/err")"
fi

# The kernel.
if have_loop && { grep -qw squashfs /proc/filesystems || modprobe squashfs; } 2>/dev/null; then
	mkdir "$T/k"
	if mount -t squashfs -o loop,ro,offset="$off" "$T/x.xar" "$T/k" 2>"$T/err"; then
		T_CLEANUP_HOOK="umount '$T/k' 2>/dev/null"
		$TREEM "$T/k" > "$T/got.kernel"
		umount "$T/k"
		T_CLEANUP_HOOK=""
		if cmp -s "$T/want" "$T/got.kernel"; then pass kernel
		else fail kernel "$(diff "$T/want" "$T/got.kernel" | head -n 5 | tr '\n' ' ')"; fi
	else
		fail kernel "$(cat "$T/err")"
	fi
else
	skip kernel "needs root, loop devices and squashfs support"
fi

# Data order (as mksquashfs writes it, so that neighbours share fragment
# blocks alike): a depth-first walk in name order, a subdirectory's files
# where its name comes among its parent's; hard links once, where first met.
# The files fit one fragment block: their offsets give the order.
mkdir -p "$T/o/a" "$T/o/c/d"
for f in a/x b.txt c/d/y c/z e.txt; do
	head -c 3000 /dev/urandom > "$T/o/$f"
done
ln "$T/o/b.txt" "$T/o/c/b-link"
"$MKXAR" -q --no-exec -o "$T/o.xar" "$T/o"
tail -c +4097 "$T/o.xar" > "$T/o.img"
frag() { rdsquashfs -s "$1" "$T/o.img" 2>/dev/null |
	awk '/^Fragment index:/ { i = $3 } /^Fragment offset:/ { o = $3 }
	     END { printf "%d %d\n", i, o }'; }
if command -v rdsquashfs > /dev/null 2>&1; then
	order=$(for f in a/x b.txt c/b-link c/d/y c/z e.txt; do
		echo "$(frag "$f") $f"; done | sort -n -k1,1 -k2,2 | awk '{ print $3 }' | tr '\n' ' ')
	expect_eq "fragments in depth-first name order" \
		"a/x b.txt c/b-link c/d/y c/z e.txt " "$order"
else
	skip "data order" "no rdsquashfs (apt-get install squashfs-tools-ng)"
fi
