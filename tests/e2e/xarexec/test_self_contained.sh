#!/bin/sh
# Self-contained xars (mkxar --self-contained): a fully static runtime of at
# most 1.5 MiB in front of the header. ./app.xar runs with nothing
# installed (an empty chroot: no xarexec, no shell, no C library, no
# /etc/passwd), as root through a FUSE mount and as a user from the
# extraction cache; shares one mount with xarexec on the same image;
# answers its --xar-* options; and the installed xarexec reads it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
. "$(dirname "$0")/../lib_users.sh"
run_setup
RT="$BUILD/xar-runtime"
MiB15=1572864

# ---- the runtime itself ----
size=$(stat -c %s "$RT")
[ "$size" -le "$MiB15" ] && pass "runtime: $size bytes, at most 1.5 MiB" ||
	fail "runtime: at most 1.5 MiB" "$size bytes"
if readelf -lW "$RT" | grep -q 'INTERP\|DYNAMIC'; then
	fail "runtime: fully static" "$(readelf -lW "$RT" | grep 'INTERP\|DYNAMIC')"
else
	pass "runtime: fully static (no program interpreter, no dynamic section)"
fi
if nm -D "$RT" 2>/dev/null | grep -q .; then
	fail "runtime: no dynamic symbols" "$(nm -D "$RT" | head -3)"
else
	pass "runtime: no dynamic symbols"
fi
if strings "$RT" | grep -q 'libnss_\|nsswitch.conf'; then
	fail "runtime: no NSS" "it names NSS modules"
else
	pass "runtime: no NSS"
fi

# ---- building ----
mkdir -p "$T/src/bin"
run_app_source > "$T/app.c"
if ! ${CC:-cc} -static -O2 -o "$T/src/bin/app" "$T/app.c" 2>"$T/err"; then
	fail "static app" "$(head -c 300 "$T/err")"
	exit 0
fi
echo "data" > "$T/src/data.txt"
cd "$T" || exit 1
SOURCE_DATE_EPOCH=1700000000 "$MKXAR" -q -o sc.xar --self-contained \
	--exec bin/app src
expect_eq "mkxar --self-contained: status 0" 0 "$?"
SOURCE_DATE_EPOCH=1700000000 "$MKXAR" -q -o sc2.xar --runtime "$RT" \
	--exec bin/app src
cmp -s sc.xar sc2.xar && pass "--runtime FILE: the same bytes" ||
	fail "--runtime FILE: the same bytes" "differ"
SOURCE_DATE_EPOCH=1700000000 "$MKXAR" -q -o plain.xar --exec bin/app src
expect_eq "starts with the runtime's bytes" 0 \
	"$(cmp -s -n "$size" "$RT" sc.xar; echo $?)"
rtsize=$(( (size + 4095) / 4096 * 4096 ))
off=$(sed -n 's/^OFFSET="\(.*\)"$/\1/p' sc.xar | head -n 1)
expect_eq "OFFSET counts from the file's start" $((rtsize + 4096)) "$off"
expect_eq "the same image as the shebang layout" \
	"$(tail -c +4097 plain.xar | sha256sum)" \
	"$(tail -c +$((off + 1)) sc.xar | sha256sum)"
expect_eq "the same UUID as the shebang layout" \
	"$(grep -a -m1 '^UUID=' plain.xar)" "$(grep -a -m1 '^UUID=' sc.xar)"
[ -x sc.xar ] && pass "output is executable" || fail "output is executable" "mode"

for bad in "$T/app.c" /bin/true; do
	"$MKXAR" -q -o bad.xar --runtime "$bad" --exec bin/app src 2> err
	rc=$?
	expect_eq "--runtime $(basename "$bad"): refused" 1 "$rc"
	[ ! -e bad.xar ] && [ "$(wc -l < err)" -eq 1 ] &&
		pass "--runtime $(basename "$bad"): one line, nothing written" ||
		fail "--runtime $(basename "$bad"): one line" "$(cat err)"
done
grep -q 'not fully static' err && pass "a dynamic runtime is named as such" ||
	fail "a dynamic runtime is named as such" "$(cat err)"

# ---- running, here ----
out=$(./sc.xar one "two words")
expect_eq "./sc.xar: the app's argv" "$(printf '[./sc.xar]\n[one]\n[two words]')" "$out"
./sc.xar exit 7
expect_eq "./sc.xar: the app's exit status" 7 "$?"
expect_eq "app options are the app's" "$(printf '[./sc.xar]\n[--help]')" \
	"$(./sc.xar --help)"
mp=$(./sc.xar --xar-print-path)
expect_eq "one mount point for both layouts" "$("$XAREXEC" -n plain.xar)" "$mp"
./sc.xar env > /dev/null
"$XAREXEC" plain.xar env > /dev/null
expect_eq "xarexec sc.xar, ./sc.xar, xarexec plain.xar: one mount" 1 \
	"$(run_mount_count "$T")"
expect_eq "... and one server" 1 "$(run_server_count "$T")"
expect_eq "xarexec runs it too" "[sc.xar]" "$("$XAREXEC" sc.xar | head -n 1)"
cp sc.xar "$T/bin-sc"
expect_eq "found on PATH: invoked as the file's path" "invoked=$T/bin-sc" \
	"$(PATH="$T:$PATH" bin-sc env | grep invoked=)"

# ---- its own options ----
expect_eq "--xar-version" "$("$XAREXEC" --version | cut -d' ' -f2)" \
	"$(./sc.xar --xar-version)"
./sc.xar --xar-info > info
grep -q "^layout: *self-contained (runtime $(./sc.xar --xar-version), $rtsize bytes)" info &&
	pass "--xar-info: layout and runtime version" ||
	fail "--xar-info: layout and runtime version" "$(head -4 info)"
"$XAREXEC" --info plain.xar | grep -q '^layout: *shebang$' &&
	pass "--info of the shebang layout" || fail "--info of the shebang layout" "no"
json=$("$XAREXEC" --info --json sc.xar)
expect_eq "--info --json: layout, runtime_version, runtime_size" \
	"self-contained $(./sc.xar --xar-version) $rtsize" \
	"$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["layout"], d["runtime_version"], d["runtime_size"])')"
./sc.xar --xar-verify > /dev/null
expect_eq "--xar-verify: status 0" 0 "$?"
./sc.xar --xar-list | grep -q ' bin/app$' && pass "--xar-list" ||
	fail "--xar-list" "no bin/app"
./sc.xar --xar-extract out data.txt && [ "$(cat out/data.txt)" = data ] &&
	pass "--xar-extract DIR PATH" || fail "--xar-extract DIR PATH" "missing"
./sc.xar --xar-unmount
expect_eq "--xar-unmount: unmounted" 0 "$(run_mount_count "$T")"
expect_eq "--xar-mount: the mount point" "$mp" "$(./sc.xar --xar-mount)"
"$XAREXEC" -u sc.xar
expect_eq "xarexec -u unmounts it" 0 "$(run_mount_count "$T")"
expect_eq "-- --xar-info after the first argument is the app's" \
	"$(printf '[./sc.xar]\n[--]\n[--xar-info]')" "$(./sc.xar -- --xar-info)"
expect_eq "so is a later --xar-mount" "$(printf '[./sc.xar]\n[x]\n[--xar-mount]')" \
	"$(./sc.xar x --xar-mount)"
./sc.xar --xar-nonsense 2> err
expect_eq "unknown --xar- option: status 2" 2 "$?"
grep -q 'unknown runtime option: --xar-nonsense' err &&
	pass "unknown --xar- option: named" || fail "unknown --xar- option" "$(cat err)"

# ---- the same answers on both layouts ----
expect_eq "--list: the same on both layouts" "$("$XAREXEC" --list plain.xar)" \
	"$(./sc.xar --xar-list)"
expect_eq "--verify: the same on both layouts" \
	"$("$XAREXEC" --verify plain.xar | sed 's/^[^:]*: //')" \
	"$(./sc.xar --xar-verify | sed 's/^[^:]*: //')"
strip_layout() { grep -v '^file:\|^layout:\|OFFSET=\|XAR_RUNTIME_SHA256='; }
expect_eq "--info: the same on both layouts, but for layout and OFFSET" \
	"$("$XAREXEC" --info plain.xar | strip_layout)" \
	"$(./sc.xar --xar-info | strip_layout)"
mkdir -p ex1 ex2
"$XAREXEC" --extract ex1 plain.xar && ./sc.xar --xar-extract ex2 &&
	diff -r ex1 ex2 > /dev/null && pass "--extract: the same on both layouts" ||
	fail "--extract: the same on both layouts" "differ"

# ---- another runtime's mount of the same image ----
# The original XAR runtime (and any runtime of another mount format) mounts
# at another name: ours leaves it alone, mounts its own, and says why.
ns=$(stat -L -c %i /proc/self/ns/mnt)
other="$(dirname "$mp")/$(grep -a -m1 '^UUID=' sc.xar | cut -d'"' -f2)-ns-$ns"
mkdir -p "$other"
if command -v squashfuse > /dev/null &&
    squashfuse -o offset=4096 plain.xar "$other" 2> err; then
	./sc.xar --xar-unmount
	XAR_DEBUG=1 ./sc.xar > /dev/null 2> err
	grep -q "$other: a mount point of this image from another runtime" err &&
		pass "another runtime's mount: XAR_DEBUG names it" ||
		fail "another runtime's mount: XAR_DEBUG names it" "$(cat err)"
	is_mounted "$mp" && pass "another runtime's mount: ours is separate" ||
		fail "another runtime's mount: ours is separate" "not mounted"
	grep -q '^format 1$' "$mp.stats" && pass "the stats file says its format" ||
		fail "the stats file says its format" "$(head -3 "$mp.stats")"
	./sc.xar --xar-unmount
	is_mounted "$other" && pass "another runtime's mount: left alone" ||
		fail "another runtime's mount: left alone" "it was unmounted"
	fusermount3 -u "$other"
else
	skip "another runtime's mount" "squashfuse cannot mount here: $(cat err)"
fi
rmdir "$other" 2>/dev/null

# ---- a dead server, replaced by the runtime ----
./sc.xar env > /dev/null
pid=$(stats_value sc.xar pid)
kill -9 "$pid" 2>/dev/null
wait_until 10 run_gone "$pid"
expect_eq "after its server was killed, the next run works" "[./sc.xar]" \
	"$(./sc.xar | head -n 1)"
[ "$(stats_value sc.xar pid)" != "$pid" ] && pass "... with a new server" ||
	fail "... with a new server" "same pid"
./sc.xar --xar-unmount

# ---- a user, with no xarexec anywhere on PATH ----
if can_add_user; then
	user_setup
	expect_eq "user: no xarexec on PATH" "" \
		"$(as_user env PATH=/usr/bin:/bin sh -c 'command -v xarexec')"
	expect_eq "user: runs through fusermount3" \
		"$(printf 'new=1\n[./sc.xar]')" \
		"$(as_user env PATH=/usr/bin:/bin ./sc.xar env | grep new=
		   as_user env PATH=/usr/bin:/bin ./sc.xar)"
	expect_eq "user: the mount is the user's" \
		"$T/mnt/uid-$uid" "$(dirname "$(as_user ./sc.xar --xar-print-path)")"
	as_user ./sc.xar --xar-unmount
	expect_eq "user: --xar-unmount" 0 "$(run_mount_count "$T")"
else
	skip "user runs" "needs root, useradd and setpriv"
fi

# ---- a self-contained Python app, without xarexec ----
mkdir -p py
printf 'import sys\nprint("py", sys.argv[1:], __name__)\n' > py/hello.py
if "$MKXAR" -q -o py.xar --self-contained --python-entry hello py 2> err; then
	expect_eq "a self-contained Python app runs without xarexec" \
		"py ['a', '--xar-x'] __main__" \
		"$(env PATH=/usr/bin:/bin ./py.xar a --xar-x)"
	./py.xar --xar-unmount
else
	fail "a self-contained Python app builds" "$(cat err)"
fi

# ---- damaged ----
cp sc.xar bad.xar
printf 'X' | dd of=bad.xar bs=1 seek=$((off + 5000)) conv=notrunc 2>/dev/null
./bad.xar --xar-verify > /dev/null 2> err
expect_eq "--xar-verify of a damaged image: status 1" 1 "$?"
head -c $((rtsize + 100)) sc.xar > cut.xar
chmod +x cut.xar
"$XAREXEC" --info cut.xar > /dev/null 2> err
expect_eq "a cut-off xar: one error line" "1 1" "$? $(wc -l < err)"
cp sc.xar flip.xar
printf '\001' | dd of=flip.xar bs=1 seek=70000 conv=notrunc 2>/dev/null
"$XAREXEC" --verify flip.xar > /dev/null 2> err
expect_eq "a flipped bit in the runtime: --verify fails" 1 "$?"
grep -q "runtime's SHA-256 does not match" err &&
	pass "... naming the runtime" || fail "... naming the runtime" "$(cat err)"
# hostile_case NAME FILE WANT: xarexec -m refuses FILE with one line
# holding WANT, and nothing is mounted.
hostile_case() {
	chmod +x "$2"
	"$XAREXEC" -m "$2" > /dev/null 2> err
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q "$3" err &&
	    [ "$(run_mount_count "$T")" -eq 0 ]; then
		pass "hostile: $1"
	else
		fail "hostile: $1" "status $rc, $(cat err)"
	fi
}
head -c 3000 sc.xar > trunc.xar
hostile_case "a truncated runtime" trunc.xar "cut off\|no XAR header"
cp "$RT" only.xar
hostile_case "a file that is only a runtime" only.xar "no XAR header after it"
sed "s/^OFFSET=\"$off\"/OFFSET=\"$((off - rtsize))\"/" sc.xar > inside.xar
hostile_case "OFFSET inside the runtime" inside.xar "inside the runtime"
cp sc.xar notelf.xar
printf 'XELF' | dd of=notelf.xar bs=1 count=4 conv=notrunc 2>/dev/null
hostile_case "a runtime part that is not ELF" notelf.xar "shebang\|#!"
python3 - sc.xar huge.xar <<'EOF'
import sys, struct
b = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<Q', b, 0x28, 1 << 62)   # e_shoff far past the file
open(sys.argv[2], 'wb').write(b)
EOF
"$XAREXEC" --info huge.xar > /dev/null 2> err
expect_eq "a runtime claiming 2^62 bytes: refused" 1 "$?"
grep -q 'claims more than' err && pass "... and said so" ||
	fail "... and said so" "$(cat err)"

# ---- nothing installed: an empty chroot ----
if ! is_root; then
	skip "empty chroot" "needs root for chroot and mounts"
	exit 0
fi
R="$T/root"
mkdir -p "$R/proc" "$R/dev" "$R/mnt" "$R/home/u"
chmod 1777 "$R/mnt"
chown 65534:65534 "$R/home/u"
touch "$R/dev/fuse" "$R/dev/null"
cp sc.xar "$R/app.xar"
CHROOT=$(command -v chroot)
# in_chroot SPEC CMD...: run CMD in the chroot with only the runtime's
# variables (and $CHROOT_ENV), as SPEC (uid:gid) or root; /dev/fuse,
# /dev/null, /proc there.
in_chroot() {
	_spec=$1; shift
	unshare -m sh -c 'mount --bind /dev/fuse "$0/dev/fuse" &&
		mount --bind /dev/null "$0/dev/null" &&
		mount -t proc proc "$0/proc" && exec "$@"' "$R" \
		env -i XAR_MOUNT_ROOT=/mnt XAR_MOUNT_TIMEOUT=1 HOME=/home/u \
		${CHROOT_ENV:-} "$CHROOT" ${_spec:+--userspec=$_spec} "$R" "$@"
}
[ -z "$(ls "$R" | grep -v 'app.xar\|dev\|home\|mnt\|proc')" ] &&
	pass "chroot: holds nothing but the xar" || fail "chroot: empty" "$(ls "$R")"
expect_eq "chroot, root: runs through a FUSE mount" \
	"$(printf '[/app.xar]\n[x]\nfiles=/mnt/uid-0/')" \
	"$(in_chroot "" /app.xar x; in_chroot "" /app.xar env | grep files= | sed 's/[^/]*-ns-.*//')"
expect_eq "chroot, root, XAR_EXTRACT=1: runs from the extraction cache" \
	"files=/home/u/.cache/xar/$(grep -a -m1 '^UUID=' sc.xar | cut -d'"' -f2)" \
	"$(CHROOT_ENV=XAR_EXTRACT=1 in_chroot "" /app.xar env | grep files=)"
rm -rf "$R/home/u/.cache"
out=$(in_chroot 65534:65534 /app.xar env)
expect_eq "chroot, a user without fusermount3: runs from the extraction cache" \
	"files=/home/u/.cache/xar/$(grep -a -m1 '^UUID=' sc.xar | cut -d'"' -f2)" \
	"$(echo "$out" | grep files=)"
[ -d "$R/home/u/.cache/xar" ] && pass "chroot: the cache is the user's" ||
	fail "chroot: the cache is the user's" "no cache"
wait_until 10 eval '[ "$(run_server_count "$T")" -eq 0 ]' &&
	pass "chroot: the server exits when idle" ||
	fail "chroot: the server exits when idle" "still running"
