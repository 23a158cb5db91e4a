#!/bin/sh
# The manifest tools that other tests use as oracles: sqfs-manifest (an
# image through libsquashfuse) and tree-manifest.py (a tree on disk) must
# print the same manifest for an image that mksquashfs made of a tree, and
# must tell a changed tree from the original.
. "$(dirname "$0")/../lib.sh"
SQM="$BUILD/tests/sqfs-manifest"
TREEM="python3 $TOP/tests/tools/tree-manifest.py"

if ! command -v mksquashfs >/dev/null 2>&1; then
	skip manifest-tools "mksquashfs is not installed"
	exit 0
fi
if [ ! -x "$SQM" ]; then
	fail manifest-tools "$SQM is not built (make $SQM)"
	exit 0
fi

# The tree: files, symlinks, hard links, a fifo, setuid/setgid/sticky
# modes, awkward names; varied mtimes.
umask 022
s="$T/src"
mkdir -p "$s/dir/sub" "$s/sticky" "$s/empty dir"
printf 'hello\n' > "$s/hello"
head -c 300000 /dev/urandom > "$s/dir/blocks"
: > "$s/empty"
printf '#!/bin/sh\n' > "$s/setuid"; chmod 4755 "$s/setuid"
printf 'g\n' > "$s/dir/setgid"; chmod 2711 "$s/dir/setgid"
chmod 1777 "$s/sticky"
printf 'nl\n' > "$s/new
line"
printf 'sp\n' > "$s/with space"
printf 'bs\n' > "$s/back\\slash	tab"
python3 -c 'import sys; open(sys.argv[1].encode() + b"/bytes\xff\x80", "w").write("x\n")' "$s"
ln "$s/hello" "$s/dir/hello-link"
ln "$s/hello" "$s/dir/sub/hello-link2"
ln -s ../hello "$s/dir/rel"
ln -s /nonexistent/target "$s/dangling"
mkfifo -m 0644 "$s/dir/fifo"
chmod 600 "$s/hello"
touch -h -d @1500000000 "$s/dir/rel" "$s/hello"
touch -d @1700000000 "$s/dir/blocks" "$s/dir"
n_src=$(find "$s" -mindepth 1 -printf x | wc -c)

image_at_4096() { # IMG XAR
	head -c 4096 /dev/zero > "$2" && cat "$1" >> "$2"
}

# 1. Same manifests, real owners (one file owned by someone else).
if is_root; then chown 1234:5678 "$s/with space"; fi
mksquashfs "$s" "$T/img" -comp zstd -noappend -quiet >/dev/null 2>"$T/err" ||
	{ fail mksquashfs "$(cat "$T/err")"; exit 0; }
$TREEM "$s" > "$T/want"
if "$SQM" "$T/img" > "$T/got" 2>"$T/err"; then
	if cmp -s "$T/want" "$T/got"; then pass "manifests equal"
	else fail "manifests equal" "$(diff "$T/want" "$T/got" | head -n 6 | tr '\n' ' ')"; fi
else
	fail "manifests equal" "$(cat "$T/err")"
fi
expect_eq "one line per entry" "$n_src" "$(wc -l < "$T/want")"
expect_eq "newline name escaped" 1 "$(grep -c '^new\\012line	file	' "$T/want")"
expect_eq "non-UTF-8 name escaped" 1 "$(grep -c '^bytes\\377\\200	' "$T/want")"
expect_eq "space, backslash and tab escaped" 2 \
	"$(grep -c -e '^with\\040space	' -e '^back\\134slash\\011tab	' "$T/want")"
expect_eq "hard-link group" 3 "$(grep -c '	dir/hello-link$' "$T/want")"
expect_eq "setuid mode" 1 "$(grep -c '^setuid	file	4755	' "$T/want")"
expect_eq "sticky dir" 1 "$(grep -c '^sticky	dir	1777	[0-9]*	[0-9]*	[0-9]*	-	-	-$' "$T/want")"
expect_eq "symlink" 1 "$(grep -c '^dir/rel	symlink	0777	[0-9]*	[0-9]*	1500000000	8	' "$T/want")"
expect_eq "fifo" 1 "$(grep -c '^dir/fifo	fifo	0644	.*	-	-	-$' "$T/want")"

# 2. At an offset inside a file, as in a .xar.
image_at_4096 "$T/img" "$T/x.xar"
if "$SQM" "$T/x.xar" 4096 > "$T/got.off" 2>"$T/err" && cmp -s "$T/want" "$T/got.off"; then
	pass "image at offset 4096"
else
	fail "image at offset 4096" "$(cat "$T/err")"
fi

# 3. --root-owner against an -all-root image.
mksquashfs "$s" "$T/root.img" -comp zstd -noappend -quiet -all-root >/dev/null 2>&1
$TREEM --root-owner "$s" > "$T/want.root"
"$SQM" "$T/root.img" > "$T/got.root" 2>&1
if cmp -s "$T/want.root" "$T/got.root"; then pass "--root-owner"
else fail "--root-owner" "$(diff "$T/want.root" "$T/got.root" | head -n 4 | tr '\n' ' ')"; fi

# 4. --mtime-clamp against mksquashfs's SOURCE_DATE_EPOCH clamping.
SOURCE_DATE_EPOCH=1600000000 mksquashfs "$s" "$T/clamp.img" -comp zstd \
	-noappend -quiet >/dev/null 2>&1
$TREEM --mtime-clamp 1600000000 "$s" > "$T/want.clamp"
"$SQM" "$T/clamp.img" > "$T/got.clamp" 2>&1
if cmp -s "$T/want.clamp" "$T/got.clamp" && grep -q '	1500000000	' "$T/want.clamp" &&
   ! grep -q '	1700000000	' "$T/want.clamp"; then pass "--mtime-clamp"
else fail "--mtime-clamp" "$(diff "$T/want.clamp" "$T/got.clamp" | head -n 4 | tr '\n' ' ')"; fi

# 5. The pair tells differences apart. A copy is equal; each change to it
# (with the directories' mtimes put back) makes a difference.
copy() { cp -a "$s" "$T/c"; }
copy
if $TREEM "$T/c" | cmp -s - "$T/got"; then pass "copy equal"
else fail "copy equal" "cp -a changed the manifest"; fi
rm -rf "$T/c"
changed() { # NAME COMMAND...: change a copy, then the manifests must differ
	_n=$1; shift
	copy
	( cd "$T/c" && "$@" && touch -r "$s/dir" dir && touch -r "$s" . )
	if $TREEM "$T/c" | cmp -s - "$T/got"; then fail "detects $_n" "manifests still equal"
	else pass "detects $_n"; fi
	rm -rf "$T/c"
}
changed content sh -c 'printf x >> dir/blocks'
changed mode chmod 0644 setuid
changed "link target" sh -c 'rm dir/rel && ln -s ../hellO dir/rel && touch -h -d @1500000000 dir/rel'
changed "broken hard link" sh -c 'rm dir/hello-link && cp -p hello dir/hello-link'
changed mtime touch -d @1400000000 empty
changed "missing file" rm "new
line"

# 6. Errors: exit 2 and one line naming the problem.
head -c 65536 /dev/urandom > "$T/garbage"
"$SQM" "$T/garbage" > /dev/null 2>"$T/err"; rc=$?
expect_eq "garbage: exit 2" 2 "$rc"
expect_eq "garbage: message" "sqfs-manifest: $T/garbage: no SquashFS image at offset 0 (bad magic)" \
	"$(cat "$T/err")"
head -c 8192 "$T/x.xar" > "$T/cut.xar"
"$SQM" "$T/cut.xar" 4096 > /dev/null 2>"$T/err"; rc=$?
if [ "$rc" = 2 ] && grep -q 'image is truncated' "$T/err"; then pass "truncated image"
else fail "truncated image" "rc $rc: $(cat "$T/err")"; fi
mksquashfs "$s" "$T/gz.img" -comp gzip -noappend -quiet >/dev/null 2>&1
"$SQM" "$T/gz.img" > /dev/null 2>"$T/err"; rc=$?
if [ "$rc" = 2 ] && grep -q 'compressed with gzip; xar images use zstd' "$T/err" &&
   "$SQM" --any-compression "$T/gz.img" | cmp -s - "$T/got"; then pass "other compression"
else fail "other compression" "rc $rc: $(cat "$T/err")"; fi
