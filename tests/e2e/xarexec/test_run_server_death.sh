#!/bin/sh
# The server SIGKILLed while an app reads a large file from the mount: the
# app gets an I/O error, not a hang; a process whose working directory is
# in the dead mount gets an error from ls, not a hang; the next launch
# recovers with a new server and one mount.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
app= sitter=
T_CLEANUP_HOOK='kill -9 $app $sitter 2>/dev/null; run_cleanup'

# The app reads big.bin 64 KiB at a time through one open descriptor,
# counting the chunks in the file named by $1, pausing $2 seconds after each.
mkdir -p "$T/src/bin"
cat > "$T/src/bin/reader" <<'EOF'
#!/bin/sh
exec 3< "$XAR_RUNTIME_FILES/big.bin" || exit 9
n=0
while [ "$n" -lt 512 ]; do
	dd bs=64k count=1 iflag=fullblock status=none of=/dev/null <&3 || exit 1
	n=$((n + 1))
	echo "$n" > "$1"
	sleep "$2"
done
EOF
chmod 755 "$T/src/bin/reader"
head -c 33554432 /dev/urandom > "$T/src/big.bin"
"$MKXAR" -q -o "$T/r.xar" --exec bin/reader "$T/src" ||
	{ fail setup "cannot build the test xar"; exit 1; }
cd "$T" || exit 1
mp=$("$XAREXEC" -n r.xar)
chunks() { [ "$(cat progress 2>/dev/null)" -ge "$1" ] 2>/dev/null; }

timeout 30 "$XAREXEC" r.xar "$T/progress" 0.02 > app.out 2> app.err &
app=$!
if ! wait_until 20 chunks 16; then
	fail setup "the app read no 16 chunks: $(cat app.err)"
	exit 1
fi
# A process sitting in the mount; it runs ls once the file "go" appears.
timeout 30 sh -c 'cd "$1" || exit 9; : > "$3"; while [ ! -e "$2" ]; do
	sleep 0.05; done; exec ls' sh "$mp/bin" "$T/go" "$T/in" > ls.out 2> ls.err &
sitter=$!
wait_until 10 test -e in
pid=$(stats_value r.xar pid)
kill -9 "$pid"
if wait_until 10 run_gone "$app"; then
	wait "$app"
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] &&
		pass "a reading app fails once its server is killed" ||
		fail "a reading app fails once its server is killed" "status $rc"
else
	fail "a reading app fails once its server is killed" "hung"
	kill -9 "$app" 2>/dev/null
fi
[ "$(cat progress)" -lt 512 ] && pass "... before the end of the file" ||
	fail "... before the end of the file" "read it all"
io_error='Transport endpoint is not connected\|Software caused connection abort\|Input/output error'
grep -q "$io_error" app.err && pass "... with an I/O error" ||
	fail "... with an I/O error" "$(cat app.err)"

touch go
if wait_until 10 run_gone "$sitter"; then
	wait "$sitter"
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 9 ] &&
		pass "ls in the dead mount fails" || fail "ls in the dead mount fails" "status $rc"
else
	fail "ls in the dead mount fails" "hung"
	kill -9 "$sitter" 2>/dev/null
fi
grep -q "$io_error" ls.err && pass "... with an I/O error" ||
	fail "... with an I/O error" "$(cat ls.err)"

rm -f progress
timeout 30 "$XAREXEC" r.xar "$T/progress" 0 > app.out 2> app.err
rc=$?
expect_eq "the next launch reads the whole file" "0 512" "$rc $(cat progress)"
expect_eq "... with one server" 1 "$(run_server_count "$T")"
[ "$(stats_value r.xar pid)" != "$pid" ] && pass "... not the dead one" ||
	fail "... not the dead one" "same pid"
expect_eq "... and one mount" 1 "$(run_mount_count "$T")"
