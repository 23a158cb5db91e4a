#!/bin/sh
# mkxar as a user meets it: determinism, SOURCE_DATE_EPOCH, options, the
# header it writes, and failures that leave nothing behind.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/app/bin" "$T/app/data"
printf '#!/bin/sh\necho "hello from $0: $*"\n' > "$T/app/bin/hello"
chmod 755 "$T/app/bin/hello"
seq 1 50000 > "$T/app/data/numbers"
echo "x" > "$T/app/data/skip.tmp"
touch -d '2030-01-01 00:00:00 UTC' "$T/app/data/numbers"

# Determinism: same inputs, same bytes, for any thread count.
"$MKXAR" -o "$T/a.xar" --exec bin/hello "$T/app" &&
"$MKXAR" -o "$T/b.xar" -j 1 --exec bin/hello "$T/app" &&
"$MKXAR" -o "$T/c.xar" --exec bin/hello "$T/app" -j 2
check "two builds identical" cmp "$T/a.xar" "$T/b.xar"
check "-j1 and -j2 identical" cmp "$T/b.xar" "$T/c.xar"
python3 "$TOP/tests/tools/gen_tree.py" "$T/gen" >/dev/null
"$MKXAR" --no-exec -o "$T/g1.xar" -j 1 "$T/gen" && "$MKXAR" --no-exec -o "$T/g2.xar" -j 2 "$T/gen" &&
"$MKXAR" --no-exec -o "$T/g3.xar" -j 7 "$T/gen"
check "generated tree: -j1/-j2/-j7 identical" sh -c "cmp '$T/g1.xar' '$T/g2.xar' && cmp '$T/g1.xar' '$T/g3.xar'"

# The header.
hdr=$(head -c 4096 "$T/a.xar" | sed '/^#xar_stop$/q')
expect_eq shebang "#!/usr/bin/env xarexec" "$(echo "$hdr" | head -n 1)"
check "XAR_EXEC recorded" sh -c "echo '$hdr' | grep -qx 'XAR_EXEC=\"bin/hello\"'"
check "UUID is hex" sh -c "echo '$hdr' | grep -qE '^UUID=\"[0-9a-f]{16}\"$'"
sha=$(echo "$hdr" | sed -n 's/^XAR_SHA256="\(.*\)"$/\1/p')
expect_eq "XAR_SHA256 is the image digest" "$sha" "$(tail -c +4097 "$T/a.xar" | sha256sum | cut -d' ' -f1)"
expect_eq "--exec makes it executable" 755 "$(stat -c %a "$T/a.xar")"
"$MKXAR" --no-exec -o "$T/plain.xar" "$T/app"
expect_eq "no --exec: not executable" 644 "$(stat -c %a "$T/plain.xar")"

# SOURCE_DATE_EPOCH clamps mtimes and sets the image time.
SOURCE_DATE_EPOCH=1700000000 "$MKXAR" --no-exec -o "$T/sde.xar" "$T/app"
newest=$(unsquashfs -o 4096 -lln -d "" "$T/sde.xar" 2>/dev/null | awk '/^[-dl]/{print $4" "$5}' | sort | tail -n 1)
expect_eq "SOURCE_DATE_EPOCH clamps mtimes" "2023-11-14 22:13" "$newest"
check "SOURCE_DATE_EPOCH sets VERSION" sh -c "head -c 4096 '$T/sde.xar' | grep -qx 'VERSION=\"1700000000\"'"
check "SOURCE_DATE_EPOCH sets the image time" sh -c "TZ=UTC unsquashfs -o 4096 -stat '$T/sde.xar' | grep -q 'Tue Nov 14 22:13:20 2023'"

# Options.
"$MKXAR" --no-exec -o "$T/opts.xar" --level 3 --block-size 64K --exclude '*.tmp' \
	--header DEPENDENCIES=python3 --mount-root /tmp/mr --shebang '#!/usr/bin/env xarexec_fuse' "$T/app"
unsquashfs -o 4096 -stat "$T/opts.xar" > "$T/st" 2>&1
check "--level recorded" grep -q 'compression-level 3' "$T/st"
check "--block-size used" grep -q 'Block size 65536' "$T/st"
check "--exclude leaves the file out" sh -c "! unsquashfs -o 4096 -l -d '' '$T/opts.xar' | grep -q skip.tmp"
check "--header kept" sh -c "head -c 4096 '$T/opts.xar' | grep -qx 'DEPENDENCIES=\"python3\"'"
check "--mount-root kept" sh -c "head -c 4096 '$T/opts.xar' | grep -qx 'MOUNT_ROOT=\"/tmp/mr\"'"
check "--shebang used" sh -c "head -n 1 '$T/opts.xar' | grep -qx '#!/usr/bin/env xarexec_fuse'"
"$MKXAR" --no-exec -o "$T/dest.xar" "$T/app/data/numbers=share/nums" "$T/app/bin=tools"
check "PATH=DEST places files" sh -c "unsquashfs -o 4096 -l -d '' '$T/dest.xar' | grep -qx '/share/nums' &&
	unsquashfs -o 4096 -l -d '' '$T/dest.xar' | grep -qx '/tools/hello'"
check "--help exits 0" "$MKXAR" --help
check "--version exits 0" "$MKXAR" --version

# Usage errors exit 2; build errors exit 1; nothing is left behind.
expect_status() { # NAME STATUS CMD...
	_n=$1; _s=$2; shift 2
	"$@" > "$T/out" 2> "$T/err"; _r=$?
	if [ "$_r" = "$_s" ] && [ "$(wc -l < "$T/err")" -le 2 ] && grep -q '^mkxar: ' "$T/err"; then pass "$_n"
	else fail "$_n" "status $_r, stderr: $(cat "$T/err")"; fi
}
expect_status "usage: no output" 2 "$MKXAR" "$T/app"
expect_status "usage: bad level" 2 "$MKXAR" -o "$T/z.xar" --level 99 "$T/app"
expect_status "usage: bad block size" 2 "$MKXAR" -o "$T/z.xar" --block-size 3000 "$T/app"
expect_status "usage: unknown option" 2 "$MKXAR" -o "$T/z.xar" --frobnicate "$T/app"
expect_status "missing source" 1 "$MKXAR" --no-exec -o "$T/z.xar" "$T/nonexistent"
expect_status "--exec not in image" 1 "$MKXAR" -o "$T/z.xar" --exec bin/nope "$T/app"
expect_status "--exec not executable" 1 "$MKXAR" -o "$T/z.xar" --exec data/numbers "$T/app"
expect_status "--exec escaping the image" 1 "$MKXAR" -o "$T/z.xar" --exec ../x "$T/app"
expect_status "bad --header" 1 "$MKXAR" --no-exec -o "$T/z.xar" --header 'lower=x' "$T/app"
expect_status "reserved --header" 1 "$MKXAR" --no-exec -o "$T/z.xar" --header 'UUID=abc' "$T/app"
expect_status "output dir missing" 1 "$MKXAR" --no-exec -o "$T/no/such/dir/z.xar" "$T/app"
# A xar that runs nothing is refused unless asked for with --no-exec
# (issue 16): it would only fail later, at its first run.
expect_status "no entry point refused" 2 "$MKXAR" -o "$T/z.xar" "$T/app"
if grep -q -- '--no-exec' "$T/err"; then pass "no entry point: the error names --no-exec"
else fail "no entry point: the error names --no-exec" "$(cat "$T/err")"; fi
expect_status "--no-exec with --exec refused" 2 "$MKXAR" --no-exec -o "$T/z.xar" --exec bin/hello "$T/app"
check "an XAREXEC_TARGET header is an entry point" "$MKXAR" -q -o "$T/tgt.xar" --header XAREXEC_TARGET=bin/hello "$T/app"
check "no output left by failures" test ! -e "$T/z.xar"
check "no temporary files left" sh -c "! ls -A '$T' | grep -q '^\.'"

# An unreadable source file fails the build; the old output survives.
cp "$T/a.xar" "$T/keep.xar"
mkdir -p "$T/bad"; echo secret > "$T/bad/secret"; chmod 000 "$T/bad/secret"
if is_root && command -v setpriv >/dev/null; then
	chmod 777 "$T"; chmod -R a+rX "$T/app" 2>/dev/null
	cp "$T/keep.xar" "$T/user.xar"; chmod 666 "$T/user.xar"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MKXAR" --no-exec -o "$T/user.xar" "$T/bad" 2> "$T/err"
	r=$?
	if [ $r -eq 1 ] && grep -q "secret" "$T/err" && cmp -s "$T/user.xar" "$T/keep.xar"; then pass "unreadable file: error, old output intact"
	else fail "unreadable file: error, old output intact" "status $r: $(cat "$T/err")"; fi
	mkdir "$T/ro"; chmod 555 "$T/ro"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MKXAR" -o "$T/ro/z.xar" --exec bin/hello "$T/app" 2> "$T/err"
	r=$?
	if [ $r -eq 1 ] && [ -z "$(ls -A "$T/ro")" ]; then pass "unwritable output dir"
	else fail "unwritable output dir" "status $r: $(cat "$T/err")"; fi
	# the output's name, not the temporary one beside it
	expect_eq "unwritable output dir: the error names the output" \
	    "mkxar: error: cannot create '$T/ro/z.xar': Permission denied" "$(cat "$T/err")"
else
	skip "unreadable file" "needs root and setpriv to drop privileges"
	skip "unwritable output dir" "needs root and setpriv to drop privileges"
	skip "unwritable output dir: the error names the output" "needs root and setpriv"
fi

# Interrupted: SIGINT or SIGTERM mid-build leaves no output and no temp file.
mkdir "$T/big"
head -c 120000000 /dev/urandom > "$T/big/random"
for sig in INT TERM; do
	cp "$T/keep.xar" "$T/int.xar"
	"$MKXAR" --no-exec -o "$T/int.xar" --level 19 "$T/big" & pid=$!
	sleep 1
	kill -$sig $pid
	wait $pid; r=$?
	if [ $r -ne 0 ] && cmp -s "$T/int.xar" "$T/keep.xar" && ! ls -A "$T" | grep -q '^\.int\.xar'; then pass "SIG$sig mid-build: old output intact, no temp"
	else fail "SIG$sig mid-build: old output intact, no temp" "status $r; $(ls -A "$T" | tr '\n' ' ')"; fi
done

# A full disk: a clean error naming the output, nothing left, old output intact.
if is_root; then
	mkdir "$T/full"
	if mount -t tmpfs -o size=2m tmpfs "$T/full" 2>/dev/null; then
		T_CLEANUP_HOOK="umount '$T/full' 2>/dev/null"
		echo old > "$T/full/out.xar"
		"$MKXAR" --no-exec -o "$T/full/out.xar" "$T/big" 2> "$T/err"; r=$?
		if [ $r -eq 1 ] && grep -q "out.xar.*No space left" "$T/err" &&
		   [ "$(cat "$T/full/out.xar")" = old ] && [ "$(ls -A "$T/full")" = out.xar ]; then
			pass "disk full: error, old output intact, no temp"
		else
			fail "disk full: error, old output intact, no temp" "status $r: $(cat "$T/err"); $(ls -A "$T/full")"
		fi
		umount "$T/full"; T_CLEANUP_HOOK=""
	else
		skip "disk full" "cannot mount a tmpfs"
	fi
else
	skip "disk full" "needs root to mount a small tmpfs"
fi
