#!/bin/sh
# Hostile input. Every broken xar handed to xarexec gets a one-line
# "xarexec: error: …", a non-zero status, no crash (no signal), no hang
# (each run is bounded by timeout) and no mount or FUSE server left
# behind: xars cut at every interesting length (inside the header, at
# OFFSET, mid-superblock, mid-table), bad OFFSETs, a 1 MiB header without a
# newline, NUL bytes, a non-hex UUID, targets with '..' or absolute,
# things that are not xars (a directory, a FIFO, /dev/zero), superblocks
# with absurd counts and table offsets. Images that are well-formed on the
# outside but hostile inside (a file claiming 2^63 bytes, a directory that
# contains its parent, a name longer than SquashFS allows, an inode
# reference past its block, symlink loops and chains) end in errors, not
# in hangs or a dead server, for the app through the mount and for the
# extractor. mkxar packs
# a FIFO among its sources as a FIFO (never reads it) and refuses, cleanly,
# a file that shrinks while it is packed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup_xar
HX="python3 $TOP/tests/tools/hostile-xar.py"
INSPECT=$BUILD/tests/xarexec-inspect

# Mounts and servers of this file, cleaned away after a failed case so that
# one failure does not spill into the next.
no_servers() { [ "$(run_server_count "$T")" -eq 0 ]; }
leftovers() {
	# Without a mount, a server may still be on its way out.
	[ "$(run_mount_count "$T")" -eq 0 ] && wait_until 10 no_servers &&
		return 0
	_m=$(run_mount_count "$T"); _s=$(run_server_count "$T")
	echo "$_m mounts, $_s servers left"
	run_cleanup
	return 1
}

# one_line_error FILE PROG: FILE holds exactly one line, "PROG: error: …".
one_line_error() {
	[ "$(wc -l < "$1")" -eq 1 ] && grep -q "^$2: error: " "$1"
}

# status_ok STATUS: non-zero, and neither a timeout (124) nor a signal.
status_ok() {
	[ "$1" -ne 0 ] && [ "$1" -ne 124 ] && [ "$1" -lt 128 ]
}

# refused NAME FILE [ARG...]: xarexec FILE refuses it as described above.
refused() {
	_n=$1; shift
	timeout 20 "$XAREXEC" "$@" </dev/null >"$T/out" 2>"$T/err"
	_rc=$?
	if ! status_ok "$_rc"; then
		fail "$_n" "status $_rc: $(head -c 300 "$T/err" | tr '\n' ' ')"
		leftovers >/dev/null
	elif ! one_line_error "$T/err" xarexec; then
		fail "$_n" "stderr is not one error line: $(head -c 300 "$T/err" | tr '\n' '|')"
		leftovers >/dev/null
	elif ! _l=$(leftovers); then
		fail "$_n" "$_l after: $(head -c 200 "$T/err")"
	else
		pass "$_n"
	fi
}

# super FIELD: the superblock field of x.xar.
super() { $HX fields "$T/x.xar" | awk -v f="$1" '$1 == f { print $2 }'; }

# ---- cut short ---------------------------------------------------------------
# Inside the header, at OFFSET, in the superblock, in each table, one byte
# before the image's end.
size=$(wc -c < "$T/x.xar")
used=$(super bytes_used)
cuts="0 1 2 10 100 1000 4095 4096 4097 4136 4191 4192"
for f in inode_table dir_table frag_table export_table id_table; do
	v=$(super "$f")
	[ "$v" -lt "$used" ] && cuts="$cuts $((4096 + v + 1))"
done
cuts="$cuts $((4096 + used - 1))"
for n in $cuts; do
	head -c "$n" "$T/x.xar" > "$T/cut.xar"
	refused "cut-at-$n-of-$size" "$T/cut.xar"
done

# ---- the header ---------------------------------------------------------------
for off in 8192 65536 4097 0 18446744073709551615 99999999999999999999999 -4096 0x1000; do
	$HX header "$T/x.xar" "$T/off.xar" OFFSET "$off"
	refused "offset-$off" "$T/off.xar"
done
{ printf '#!'; head -c 1048576 /dev/zero | tr '\0' x; } > "$T/long.xar"
refused header-1mib-no-newline "$T/long.xar"
head -c 1048576 /dev/zero | tr '\0' x > "$T/long2.xar"
refused header-1mib-no-shebang "$T/long2.xar"
{ printf '#!/usr/bin/env xarexec\n'; head -c 1048576 /dev/zero | tr '\0' x; } > "$T/long3.xar"
refused header-1mib-line "$T/long3.xar"
$HX header "$T/x.xar" "$T/nul.xar" VERSION '1\0'
refused header-nul-in-value "$T/nul.xar"
$HX header "$T/x.xar" "$T/nul2.xar" 'A\0B' 1
refused header-nul-in-key "$T/nul2.xar"
cp "$T/x.xar" "$T/nul3.xar"
printf '\0' | dd of="$T/nul3.xar" bs=1 seek=3 conv=notrunc 2>/dev/null
refused header-nul-in-shebang "$T/nul3.xar"
for u in zzzzzzzzzzzzzzzz ../../../../tmp 0123456789abcdefg '' \
	 "$(head -c 65 /dev/zero | tr '\0' a)"; do
	$HX header "$T/x.xar" "$T/uuid.xar" UUID "$u"
	refused "uuid-[$u]" "$T/uuid.xar"
done
for t in ../../../bin/sh bin/../../x /bin/sh .. '' bin//app; do
	$HX header "$T/x.xar" "$T/target.xar" XAR_EXEC "$t"
	refused "xar-exec-[$t]" "$T/target.xar"
done
tail -c +4097 "$T/x.xar" > "$T/x.sqfs"
for t in ../run.sh /bin/sh a/../../b; do
	$HX wrap "$T/x.sqfs" "$T/orig.xar" XAREXEC_TARGET="$t"
	refused "xarexec-target-[$t]" "$T/orig.xar"
done
$HX wrap "$T/x.sqfs" "$T/none.xar"
refused no-target "$T/none.xar"

# ---- not a xar -----------------------------------------------------------------
mkdir "$T/dir.xar"
refused directory "$T/dir.xar"
mkfifo "$T/fifo.xar"
refused fifo "$T/fifo.xar"
refused dev-zero /dev/zero
refused dev-null /dev/null
refused missing "$T/no-such.xar"
ln -s "$T/dir.xar" "$T/link-to-dir.xar"
refused symlink-to-directory "$T/link-to-dir.xar"

# ---- absurd superblocks --------------------------------------------------------
for fv in inodes=0xffffffff ids=0xffff ids=0 fragments=0xffffffff \
	  block_size=3 block_size=0 block_log=40 bytes_used=0xffffffffffffffff \
	  bytes_used=0 root=0xffffffffffff inode_table=0 dir_table=5 \
	  id_table=0xffffffffffff frag_table=0x7fffffff export_table=100 \
	  xattr_table=96 compression=1 major=3 magic=0; do
	$HX super "$T/x.xar" "$T/sb.xar" "${fv%%=*}" "${fv#*=}"
	refused "superblock-$fv" "$T/sb.xar"
done

# ---- well-formed outside, hostile inside ----------------------------------------
# A tree with a file to make claim 2^63 bytes (its hard link gives it an
# extended inode) and a directory to point back at the root, packed with
# uncompressed metadata so that hostile-xar.py can find them.
d=$T/deep
mkdir -p "$d/bin" "$d/sub"
cp "$T/src/bin/app" "$d/bin/app"
echo "data of deep" > "$d/data.txt"
echo small > "$d/huge"
ln "$d/huge" "$d/huge.link"
echo f > "$d/sub/f"
mksquashfs "$d" "$T/deep.sqfs" -comp zstd -noI -noD -noF -noX -noappend \
	-quiet -all-root >/dev/null
$HX wrap "$T/deep.sqfs" "$T/deep.xar" XAR_EXEC=bin/app
$HX file-size "$T/deep.xar" "$T/huge.xar" huge 0x8000000000000000
$HX dir-loop "$T/deep.xar" "$T/loop.xar" sub

# bounded NAME SECONDS CMD...: CMD ends (any status but a timeout or a
# crash) within SECONDS.
bounded() {
	_n=$1; _s=$2; shift 2
	timeout "$_s" "$@" >"$T/out" 2>"$T/err" </dev/null
	_rc=$?
	if [ "$_rc" -eq 124 ] || [ "$_rc" -ge 128 ]; then
		fail "$_n" "status $_rc: $(head -c 200 "$T/err" | tr '\n' ' ')"
	else
		pass "$_n"
	fi
}

# errs NAME PROG SECONDS CMD...: CMD fails with one "PROG: error:" line.
errs() {
	_n=$1; _p=$2; _s=$3; shift 3
	timeout "$_s" "$@" >"$T/out" 2>"$T/err" </dev/null
	_rc=$?
	if status_ok "$_rc" && one_line_error "$T/err" "$_p"; then
		pass "$_n"
	else
		fail "$_n" "status $_rc: $(head -c 300 "$T/err" | tr '\n' '|')"
	fi
}

# serving NAME MOUNT: the server still answers for the rest of the tree.
serving() {
	if [ "$(timeout 10 cat "$2/data.txt" 2>&1)" = "data of deep" ]; then
		pass "$1"
	else
		fail "$1" "the mount no longer serves data.txt"
	fi
}

# 2^63 bytes: through the mount, stat/read/seek to the end end in errors
# or data, never in a hang or a dead server; the extractor refuses it.
if m=$(timeout 20 "$XAREXEC" -m "$T/huge.xar" 2>"$T/err"); then
	bounded huge-stat 20 stat "$m/huge"
	bounded huge-read 20 head -c 4096 "$m/huge.link"
	bounded huge-read-end 20 dd if="$m/huge" of=/dev/null bs=4096 count=4 \
		skip=2251799813685240
	serving huge-server-alive "$m"
	timeout 20 "$XAREXEC" -u "$T/huge.xar" >/dev/null 2>&1
else
	fail huge-mount "$(cat "$T/err")"
fi
errs huge-extract xarexec 60 "$INSPECT" --extract "$T/ex-huge" "$T/huge.xar"
used_kb=$(du -sk "$T/ex-huge" 2>/dev/null | cut -f 1)
if [ "${used_kb:-0}" -lt 65536 ]; then
	pass huge-extract-bounded
else
	fail huge-extract-bounded "extraction wrote ${used_kb} KiB"
fi
rm -rf "$T/ex-huge"
errs huge-verify xarexec 60 "$INSPECT" --verify "$T/huge.xar"

# A directory that holds its parent: the walk refuses it, and so does the
# check before a mount (the root's own listing meets it twice): nothing is
# mounted. The server's own answers to loops are fuzzed in process
# (tests/fuzz/fuzz_fuse_ops.c).
errs loop-list xarexec 20 "$INSPECT" --list "$T/loop.xar"
errs loop-extract xarexec 20 "$INSPECT" --extract "$T/ex-loop" "$T/loop.xar"
rm -rf "$T/ex-loop"
errs loop-mount-refused xarexec 20 "$XAREXEC" -m "$T/loop.xar"
expect_eq loop-mount-says-as-list "$(timeout 20 "$INSPECT" --list "$T/loop.xar" 2>&1 >/dev/null | sed 's/^[^:]*: [^:]*: [^:]*: //')" \
	"$(sed 's/^[^:]*: [^:]*: [^:]*: //' "$T/err")"
if _l=$(leftovers); then pass deep-nothing-left; else fail deep-nothing-left "$_l"; fi

# A directory entry claiming a 3000-byte name (SquashFS allows 256), and
# one pointing past the end of its inode's metadata block: libsquashfuse
# would copy the name over a 257-byte buffer and read past its block. The
# walk refuses both; through the mount, ls and stat end in errors and the
# server lives on for the rest of the tree. The victim sorts first and
# many entries follow it, so that the bytes taken for its name are there.
v=$T/victim
mkdir -p "$v/bin" "$v/many"
cp "$T/src/bin/app" "$v/bin/app"
echo "data of deep" > "$v/data.txt"
echo victim > "$v/many/0-victim"
i=0
while [ $i -lt 100 ]; do : > "$v/many/an-entry-with-a-longish-name-$i"; i=$((i + 1)); done
mksquashfs "$v" "$T/victim.sqfs" -comp zstd -noI -noD -noF -noX -noappend \
	-quiet -all-root >/dev/null
$HX wrap "$T/victim.sqfs" "$T/victim.xar" XAR_EXEC=bin/app
$HX name-size "$T/victim.xar" "$T/long-name.xar" many/0-victim 3000
$HX entry-offset "$T/victim.xar" "$T/entry-offset.xar" many/0-victim 0xfff0
for x in long-name entry-offset; do
	errs "$x-list" xarexec 20 "$INSPECT" --list "$T/$x.xar"
	if m=$(timeout 20 "$XAREXEC" -m "$T/$x.xar" 2>"$T/err"); then
		bounded "$x-ls" 20 ls "$m/many"
		bounded "$x-stat" 20 stat "$m/many/0-victim"
		serving "$x-server-alive" "$m"
		timeout 20 "$XAREXEC" -u "$T/$x.xar" >/dev/null 2>&1
	else
		pass "$x-refused-at-mount"
	fi
done
if _l=$(leftovers); then pass victim-nothing-left; else fail victim-nothing-left "$_l"; fi

# Symlink loops and chains (mkxar packs them as they are): exec through a
# loop or a chain longer than the kernel follows is ELOOP for xarexec, a
# reading app gets ELOOP; a chain of 30 still runs; the extractor writes
# the links as links.
s=$T/links
mkdir -p "$s/bin"
cp "$T/src/bin/app" "$s/bin/app"
ln -s loop2 "$s/loop1"
ln -s loop1 "$s/loop2"
ln -s self "$s/self"
i=0
while [ $i -lt 50 ]; do ln -s "c$((i + 1))" "$s/c$i"; i=$((i + 1)); done
ln -s bin/app "$s/c50"
i=0
while [ $i -lt 30 ]; do ln -s "k$((i + 1))" "$s/k$i"; i=$((i + 1)); done
ln -s bin/app "$s/k30"
"$MKXAR" -q -o "$T/links.xar" --exec bin/app "$s"
for t in loop1 self c0; do
	$HX header "$T/links.xar" "$T/l-$t.xar" XAR_EXEC "$t"
	timeout 20 "$XAREXEC" "$T/l-$t.xar" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if status_ok "$rc" && one_line_error "$T/err" xarexec &&
	   grep -q 'Too many levels of symbolic links' "$T/err"; then
		pass "exec-eloop-$t"
	else
		fail "exec-eloop-$t" "status $rc: $(head -c 300 "$T/err")"
	fi
done
$HX header "$T/links.xar" "$T/l-k0.xar" XAR_EXEC k0
out=$(timeout 20 "$XAREXEC" "$T/l-k0.xar" hello 2>&1)
expect_eq exec-chain-of-30 "[$T/l-k0.xar]
[hello]" "$out"
if m=$(timeout 20 "$XAREXEC" -m "$T/links.xar" 2>"$T/err"); then
	for t in loop1 self c0; do
		timeout 20 cat "$m/$t" >/dev/null 2>"$T/err"
		rc=$?
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ] &&
		   grep -q 'Too many levels of symbolic links' "$T/err"; then
			pass "read-eloop-$t"
		else
			fail "read-eloop-$t" "status $rc: $(head -c 200 "$T/err")"
		fi
	done
else
	fail links-mount "$(cat "$T/err")"
fi
if timeout 60 "$INSPECT" --extract "$T/ex-links" "$T/links.xar" >/dev/null 2>"$T/err" &&
   [ "$(readlink "$T/ex-links/loop1")" = loop2 ] &&
   [ "$(readlink "$T/ex-links/self")" = self ] &&
   [ "$(readlink "$T/ex-links/c50")" = bin/app ]; then
	pass extract-links-as-links
else
	fail extract-links-as-links "$(head -c 300 "$T/err")"
fi
errs extract-through-loop xarexec 20 "$INSPECT" --extract "$T/ex-l2" "$T/links.xar" loop1/x
run_cleanup
if _l=$(leftovers); then pass links-nothing-left; else fail links-nothing-left "$_l"; fi

# ---- mkxar on hostile sources -----------------------------------------------------
# A FIFO among the sources is packed as a FIFO: mkxar never opens it.
mkdir -p "$T/fsrc"
echo a > "$T/fsrc/a"
mkfifo "$T/fsrc/pipe" "$T/pipe2"
if timeout 20 "$MKXAR" -q --no-exec -o "$T/fifo-src.xar" "$T/fsrc" "$T/pipe2=more/p" 2>"$T/err" &&
   "$INSPECT" --list "$T/fifo-src.xar" > "$T/list" &&
   grep -q '^p.* pipe$' "$T/list" && grep -q '^p.* more/p$' "$T/list"; then
	pass mkxar-fifo-packed-as-fifo
else
	fail mkxar-fifo-packed-as-fifo "$(head -c 300 "$T/err") $(cat "$T/list" 2>/dev/null)"
fi

# mkxar_refuses NAME SOURCE...: a one-line error, nothing written.
mkxar_refuses() {
	_n=$1; shift
	rm -f "$T/out.xar"
	errs "$_n" mkxar 60 "$MKXAR" -q --no-exec -o "$T/out.xar" "$@"
	if [ -e "$T/out.xar" ] || ls -a "$T" | grep -q '^\.out\.xar\.'; then
		fail "$_n-nothing-written" "$(ls -a "$T" | grep out.xar)"
	else
		pass "$_n-nothing-written"
	fi
}

# A file that is shorter than stat says when read: what a file that
# shrinks while packing looks like to mkxar. Files in /sys report 4096
# bytes and hold fewer.
shrinks=$(find /sys/kernel -maxdepth 3 -type f -readable -size 4096c 2>/dev/null |
	while read -r f; do
		[ "$(wc -c < "$f" 2>/dev/null)" -lt 4096 ] && { echo "$f"; break; }
	done)
if [ -n "$shrinks" ]; then
	mkxar_refuses mkxar-file-shrinks "$T/fsrc" "$shrinks=shrunk"
else
	skip mkxar-file-shrinks "no /sys file reports more bytes than it holds"
fi
# A big file cut while mkxar reads it: either mkxar read it first (a good
# xar), or it says so in one line and writes nothing.
head -c 67108864 /dev/urandom > "$T/fsrc/big"
"$MKXAR" -q --no-exec -j 1 --level 19 -o "$T/race.xar" "$T/fsrc" 2>"$T/err" &
pid=$!
sleep 0.2
: > "$T/fsrc/big"
wait $pid
rc=$?
if [ "$rc" -eq 0 ] && "$INSPECT" --verify "$T/race.xar" >/dev/null 2>&1; then
	pass mkxar-file-cut-while-packing
elif [ "$rc" -eq 1 ] && one_line_error "$T/err" mkxar && [ ! -e "$T/race.xar" ] &&
     ! ls -a "$T" | grep -q '^\.race\.xar\.'; then
	pass mkxar-file-cut-while-packing
else
	fail mkxar-file-cut-while-packing "status $rc: $(head -c 300 "$T/err")"
fi
rm -f "$T/fsrc/big"
