#!/bin/sh
# Running without FUSE: with XAR_EXTRACT=1, and where /dev/fuse is hidden
# (a private mount namespace), xars run from the per-user extraction cache
# (the samples too: a Python package, a native extension, a shell tool);
# later runs reuse it; the cache directory is marked as the top of
# directory trees where the filesystem has that flag; 20 simultaneous
# first runs all succeed from one extraction; a run killed while
# extracting leaves no usable-looking cache; a noexec cache and a damaged
# xar under XAR_VERIFY=1 are refused with the reason; --status shows
# caches and --clean removes unused ones only.
. "$(dirname "$0")/../lib.sh"

if ! "$XAREXEC" --help 2>&1 | grep -q XAR_EXTRACT; then
	skip fallback "xarexec does not know XAR_EXTRACT yet (issue 5 wiring)"
	exit 0
fi
export PATH="$BUILD:$PATH" # "#!/usr/bin/env xarexec" finds ours
export XDG_CACHE_HOME="$T/cache" XAR_MOUNT_ROOT="$T/mnt"
mkdir -m 1777 "$XAR_MOUNT_ROOT"
T_CLEANUP_HOOK='kill $app_pid 2>/dev/null; for m in $(awk -v t="$T/" "index(\$2, t) == 1 { print \$2 }" /proc/mounts); do fusermount3 -u -z "$m" 2>/dev/null; done'
app_pid=

# A raw app: where it runs from, a data file, its arguments; "wait FILE"
# keeps it running until FILE disappears.
mkdir -p "$T/app/bin"
cat > "$T/app/bin/tool" <<'EOF'
#!/bin/sh
if [ "${1:-}" = wait ]; then echo started > "$2.started"; while [ -e "$2" ]; do sleep 0.1; done; exit 0; fi
echo "root=$XAR_RUNTIME_FILES"
cat "$XAR_RUNTIME_FILES/data.txt"
echo "args=$*"
EOF
chmod 755 "$T/app/bin/tool"
echo data > "$T/app/data.txt"
"$MKXAR" -q -o "$T/tool.xar" --exec bin/tool "$T/app" || { fail build "mkxar"; exit 0; }
uuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' "$T/tool.xar")
C="$XDG_CACHE_HOME/xar"
no_mount() { ! grep -q " $T/" /proc/mounts; }

# ---- XAR_EXTRACT=1 ------------------------------------------------------------
out=$(XAR_EXTRACT=1 "$T/tool.xar" a "b c" 2>&1)
expect_eq extract-runs "root=$C/$uuid
data
args=a b c" "$out"
if no_mount; then pass extract-mounts-nothing; else fail extract-mounts-nothing "$(grep " $T/" /proc/mounts)"; fi
expect_eq cache-dir-private 700 "$(stat -c %a "$C")"
# ext2/3/4: each extraction is placed as a tree of its own (chattr +T on
# the cache directory), away from the inodes of a cache just removed
if command -v lsattr >/dev/null 2>&1 && mkdir "$T/flagtest" &&
    chattr +T "$T/flagtest" 2>/dev/null; then
	case $(lsattr -d "$C" 2>&1 | cut -d ' ' -f 1) in
	*T*) pass cache-dir-top-of-trees ;;
	*) fail cache-dir-top-of-trees "$(lsattr -d "$C" 2>&1)" ;;
	esac
else
	skip cache-dir-top-of-trees "no chattr +T on the filesystem of $T"
fi
check cachedir-tag grep -q '^Signature: 8a477f597d28d172789f06886806bc55' "$C/CACHEDIR.TAG"
ino=$(stat -c %i "$C/$uuid")
out=$(XAR_EXTRACT=1 "$T/tool.xar" again 2>&1)
expect_eq extract-reused "args=again $ino" "$(echo "$out" | tail -n 1) $(stat -c %i "$C/$uuid")"

# ---- the samples, from the cache ---------------------------------------------------
S="$T/samples"
if SAMPLES_OUT="$S" sh "$TOP/samples/build.sh" "$BUILD" licenses crc32c cheat >"$T/out" 2>&1; then
	expect_eq sample-licenses "0BSD BSD-2-Clause ISC MIT" \
	    "$(XAR_EXTRACT=1 "$S/licenses.xar" list | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')"
	expect_eq sample-crc32c-native "e3069283  -" "$(printf 123456789 | XAR_EXTRACT=1 "$S/crc32c.xar")"
	so=$(XAR_EXTRACT=1 "$S/crc32c.xar" --where | sed -n 's/^extension: //p')
	case $so in "$C"/*.so) pass sample-crc32c-so-from-cache ;; *) fail sample-crc32c-so-from-cache "[$so]" ;; esac
	expect_eq sample-cheat "find git tar" "$(XAR_EXTRACT=1 "$S/cheat.xar" | awk 'NR > 1 {print $1}' | tr '\n' ' ' | sed 's/ $//')"
else
	fail samples-build "$(tail -n 3 "$T/out" | tr '\n' ' ')"
fi

# ---- FUSE hidden: no /dev/fuse in a private mount namespace ------------------------
if is_root && command -v unshare >/dev/null 2>&1; then
	out=$(XDG_CACHE_HOME="$T/nofuse" unshare -m sh -c '
		mount --make-rprivate / && mount -t tmpfs -o mode=755 tmpfs /dev &&
		mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/urandom c 1 9 &&
		[ ! -e /dev/fuse ] && exec "$1" hidden' sh "$T/tool.xar" 2>&1)
	expect_eq no-fuse-runs-from-cache "root=$T/nofuse/xar/$uuid
data
args=hidden" "$out"
	if SAMPLES_OUT="$S" sh -c 'test -e "$SAMPLES_OUT/crc32c.xar"'; then
		out=$(XDG_CACHE_HOME="$T/nofuse" unshare -m sh -c '
			mount --make-rprivate / && mount -t tmpfs -o mode=755 tmpfs /dev &&
			mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/urandom c 1 9 &&
			printf 123456789 | exec "$1"' sh "$S/crc32c.xar" 2>&1)
		expect_eq no-fuse-sample-runs "e3069283  -" "$out"
	fi
else
	skip no-fuse "needs root and unshare to hide /dev/fuse"
fi

# ---- 20 simultaneous first runs -------------------------------------------------------
i=0
while [ $i -lt 20 ]; do
	XDG_CACHE_HOME="$T/race" XAR_EXTRACT=1 "$T/tool.xar" "$i" > "$T/race.$i" 2>&1 &
	i=$((i + 1))
done
wait
ok=0; i=0
while [ $i -lt 20 ]; do
	[ "$(tail -n 1 "$T/race.$i")" = "args=$i" ] && ok=$((ok + 1))
	i=$((i + 1))
done
expect_eq race-all-succeed 20 "$ok"
expect_eq race-one-extraction "$uuid" "$(ls "$T/race/xar" | grep -v -e '\.lock$' -e '\.inuse$' -e '^CACHEDIR.TAG$')"
expect_eq race-no-partial "" "$(ls -A "$T/race/xar" | grep '\.part-')"

# ---- a run killed while extracting --------------------------------------------------
mkdir -p "$T/bigapp/bin"
cp "$T/app/bin/tool" "$T/bigapp/bin/tool"; cp "$T/app/data.txt" "$T/bigapp/"
head -c 4000000 /dev/urandom > "$T/bigapp/big"
"$MKXAR" -q -o "$T/big.xar" --exec bin/tool "$T/bigapp"
buuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' "$T/big.xar")
(XDG_CACHE_HOME="$T/killed" XAR_EXTRACT=1 sh -c 'ulimit -f 2048; "$0"; echo $? > "$0.rc"' \
    "$T/big.xar") >/dev/null 2>&1 # sh reports the signal: keep it quiet
rc=$(cat "$T/big.xar.rc")
expect_eq killed-by-file-size-limit 153 "$rc" # 128 + SIGXFSZ
if [ -e "$T/killed/xar/$buuid" ]; then
	fail killed-leaves-no-cache "$T/killed/xar/$buuid exists"
elif ls -A "$T/killed/xar" | grep -q "^\.$buuid\.part-"; then
	pass killed-leaves-no-cache
else
	fail killed-leaves-no-cache "no partial extraction either: $(ls -A "$T/killed/xar")"
fi
out=$(XDG_CACHE_HOME="$T/killed" XAR_EXTRACT=1 "$T/big.xar" after 2>&1)
expect_eq killed-next-run-works "args=after" "$(echo "$out" | tail -n 1)"
expect_eq killed-partial-removed "" "$(ls -A "$T/killed/xar" | grep '\.part-')"
check killed-cache-complete cmp "$T/bigapp/big" "$T/killed/xar/$buuid/big"

# ---- refusals -------------------------------------------------------------------------
if is_root && command -v unshare >/dev/null 2>&1; then
	mkdir -p "$T/noexec"
	XDG_CACHE_HOME="$T/noexec" XAR_EXTRACT=1 unshare -m sh -c '
		mount --make-rprivate / && mount -t tmpfs -o noexec tmpfs "$1" &&
		exec "$2"' sh "$T/noexec" "$T/tool.xar" >/dev/null 2>"$T/err"
	rc=$?
	case $rc:$(cat "$T/err") in
	1:*noexec*XDG_CACHE_HOME*) pass noexec-refused ;;
	*) fail noexec-refused "status $rc: $(cat "$T/err")" ;;
	esac
else
	skip noexec-refused "needs root and unshare to mount a noexec filesystem"
fi
cp "$T/tool.xar" "$T/bad.xar"
python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(4096 + 200); b = f.read(1)[0]
f.seek(4096 + 200); f.write(bytes([b ^ 1]))' "$T/bad.xar"
XDG_CACHE_HOME="$T/verify" XAR_EXTRACT=1 XAR_VERIFY=1 "$T/bad.xar" >/dev/null 2>"$T/err"
rc=$?
case $rc:$(cat "$T/err") in
1:*SHA-256*) pass verify-refuses-damaged ;;
*) fail verify-refuses-damaged "status $rc: $(cat "$T/err")" ;;
esac
expect_eq verify-extracts-nothing "" "$(ls "$T/verify/xar" 2>/dev/null | grep -v -e '\.lock$' -e '\.inuse$' -e '^CACHEDIR.TAG$')"

# ---- --status and --clean -----------------------------------------------------------------
if ! "$XAREXEC" --help 2>&1 | grep -q -- --clean; then
	skip status-clean "xarexec has no --clean yet"
	exit 0
fi
out=$("$XAREXEC" --status 2>&1)
case $out in
*"$uuid"*) pass status-lists-cache ;;
*) fail status-lists-cache "$out" ;;
esac
# three caches: one in use, one used 40 days ago, one just now
touch "$T/running"
XAR_EXTRACT=1 "$T/tool.xar" wait "$T/running" &
app_pid=$!
while [ ! -e "$T/running.started" ] && kill -0 "$app_pid" 2>/dev/null; do
	sleep 0.1
done
XAR_EXTRACT=1 "$T/big.xar" >/dev/null 2>&1
mkdir -p "$T/old"; echo old > "$T/old/data.txt"; cp -R "$T/app/bin" "$T/old/"
"$MKXAR" -q -o "$T/old.xar" --exec bin/tool "$T/old"
ouuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' "$T/old.xar")
XAR_EXTRACT=1 "$T/old.xar" >/dev/null 2>&1
touch -d '40 days ago' "$C/$ouuid.inuse"
"$XAREXEC" --clean >/dev/null 2>"$T/err"
expect_eq clean-removes-old "no" "$([ -e "$C/$ouuid" ] && echo yes || echo no)"
expect_eq clean-keeps-recent "yes" "$([ -e "$C/$buuid" ] && echo yes || echo no)"
"$XAREXEC" --clean --older-than 0 >/dev/null 2>"$T/err"
expect_eq clean-0-removes-unused "no" "$([ -e "$C/$buuid" ] && echo yes || echo no)"
expect_eq clean-keeps-in-use "yes" "$([ -e "$C/$uuid/bin/tool" ] && echo yes || echo no)"
rm -f "$T/running"
wait "$app_pid"
app_pid=
"$XAREXEC" --clean --older-than 0 >/dev/null 2>"$T/err"
expect_eq clean-after-exit "no" "$([ -e "$C/$uuid" ] && echo yes || echo no)"
