#!/bin/sh
# A start-up list learnt on this machine (lib/server/learn.h): the first
# mount of an image without a list records what its start-up read and
# writes it beside the mount point; later mounts prefetch it. Checked: the
# list is written (ours, 0600, naming what the app read), not by a bare
# mount that read nothing; a later mount prefetches from it; a link, a
# FIFO, a file of another user or garbage in its place is left alone and
# the app still reads the right bytes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
cd "$T" || exit 1

mkdir -p src/bin src/data
cat > src/bin/run <<'EOS'
#!/bin/sh
cd "$XAR_RUNTIME_FILES/data" && ! test -e nothing.so && cat big.dat s1.txt | cksum
EOS
chmod 755 src/bin/run
seq 1 1500000 > src/data/big.dat
echo one > src/data/s1.txt
want=$(cd src/data && cat big.dat s1.txt | cksum)
"$MKXAR" -q -o l.xar --exec bin/run src ||
	{ fail setup "cannot build the test xar"; exit 1; }
list="$("$XAREXEC" -n l.xar).startup"

# A bare mount that reads nothing learns nothing.
"$XAREXEC" -m l.xar > /dev/null
sleep 0.5 # written once requests pause
check "a bare mount writes no list" test ! -e "$list"
"$XAREXEC" -u l.xar

expect_eq "first run" "$want" "$("$XAREXEC" l.xar)"
wait_until 5 test -e "$list"
check "the first run wrote a list" test -f "$list"
expect_eq "the list is ours, 0600" "$(id -u) 600" "$(stat -c '%u %a' "$list")"
check "it names what the app read" grep -q '^data/big\.dat	0-' "$list"
check "and the small file" grep -q '^data/s1\.txt	' "$list"
check "and the name it looked for in vain" grep -qx 'data/nothing\.so	absent' "$list"

# A mount unmounted before requests paused writes its list on the way out.
cp "$list" saved.list
rm -f "$list"
"$XAREXEC" -u l.xar
"$XAREXEC" l.xar > /dev/null && "$XAREXEC" -u l.xar
# (whether the entry point's own reads reach the server depends on the
# race between its exec and the prefetcher's stores: compare the data)
check "a mount ended at once still wrote its list" \
	test "$(grep ^data/ saved.list)" = "$(grep ^data/ "$list" 2>/dev/null)"

# bare mounts: with the list the prefetcher decompresses big.dat's blocks
prefetched() {
	"$XAREXEC" -u l.xar
	"$XAREXEC" -m l.xar > /dev/null
	wait_until 5 eval '[ -n "$(stats_value l.xar prefetched | grep -v "^0$")" ]'
	sleep 0.5
	stats_value l.xar prefetched
}
with=$(prefetched)
rm -f "$list"
without=$(prefetched)
check "a later mount prefetches the list ($with blocks, $without without)" \
	test "${with:-0}" -gt $((${without:-0} + 40))
"$XAREXEC" -u l.xar

# What is in its place is left alone and only costs speed.
odd() { # odd NAME: not followed, the run is right, the thing unchanged
	before=$(ls -ld "$list" | awk '{ print $1, $3, $5 }')
	expect_eq "$1: not followed" "$without" "$(prefetched)"
	"$XAREXEC" -u l.xar
	expect_eq "$1: run" "$want" "$("$XAREXEC" l.xar)"
	sleep 0.5
	expect_eq "$1: left alone" "$before" \
		"$(ls -ld "$list" | awk '{ print $1, $3, $5 }')"
	rm -f "$list"
}
ln -s "$T/saved.list" "$list"
odd "a symbolic link"
mkfifo "$list"
odd "a FIFO"
cp saved.list "$list"
chown nobody "$list" 2>/dev/null && odd "another user's list"
{ printf 'data/big.dat\t0-99999999\n../../etc/passwd\n\n\t\t\ndata\n'
  head -c 100000 /dev/urandom; printf '\n'; } > "$list" 2>/dev/null
"$XAREXEC" -u l.xar
expect_eq "garbage in the list: run" "$want" "$("$XAREXEC" l.xar)"
"$XAREXEC" -u l.xar
