#!/bin/sh
# A start-up list learnt on this machine (lib/server/learn.h): the first
# mount of an image without a list records what its start-up read and
# writes it beside the mount point; later mounts prefetch it. Checked: the
# list is written (ours, 0600, naming what the app read), not by a bare
# mount that read nothing; a later mount prefetches from it; a link, a
# FIFO, a file of another user or garbage in its place is left alone and
# the app still reads the right bytes. A new build of the app at the same
# path starts from the list learnt for the old one (carry_path): its first
# mount prefetches that list, writes it with what it read besides, and
# a build at another path or a link in the path list's place carries
# nothing; a deploy that flips a link to a release directory carries.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
cd "$T" || exit 1

# write_run FILE...: the entry point, which cats the files. It fills
# whole blocks (128 KiB), so it shares no fragment block with the small
# files: the server prefetches the entry point's blocks and stores those
# of any file the app looks up, which would hide their reads.
write_run() {
	printf '#!/bin/sh\ncd "$XAR_RUNTIME_FILES/data" && ! test -e nothing.so && cat %s | cksum\nexit\n' \
		"$*" > src/bin/run
	n=$((131072 - $(wc -c < src/bin/run) - 2))
	{ printf '#'; head -c "$n" /dev/zero | tr '\0' x; echo; } >> src/bin/run
	chmod 755 src/bin/run
}
mkdir -p src/bin src/data
write_run big.dat s1.txt
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
carry=$(ls "$(dirname "$list")"/path-*.startup 2>/dev/null)
expect_eq "one list for the xar's path" 1 "$(echo "$carry" | grep -c .)"
check "the same list" cmp -s "$list" "$carry"
expect_eq "ours, 0600 too" "$(id -u) 600" "$(stat -c '%u %a' "$carry")"

# A mount unmounted before requests paused writes its list on the way out.
cp "$list" saved.list
rm -f "$list" "$carry"
"$XAREXEC" -u l.xar
"$XAREXEC" l.xar > /dev/null && "$XAREXEC" -u l.xar
wait_until 5 test -e "$list" # the server writes it as it ends, after that
# (whether the entry point's own reads reach the server depends on the
# race between its exec and the prefetcher's stores: compare the data)
check "a mount ended at once still wrote its list" \
	test "$(grep ^data/ saved.list)" = "$(grep ^data/ "$list" 2>/dev/null)"

# bare mounts: with the list the prefetcher decompresses big.dat's blocks
prefetched() { "$XAREXEC" -u l.xar; first_prefetch l.xar; }
with=$(prefetched)
rm -f "$list" "$carry"
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

# A new build at the same path: its first mount follows the old list.
rm -f "$list" "$carry"
expect_eq "the old build learns again" "$want" "$("$XAREXEC" l.xar)"
wait_until 5 test -e "$carry"
cp "$carry" v1.list
"$XAREXEC" -u l.xar
echo two > src/data/s2.txt
write_run big.dat s1.txt s2.txt
want2=$(cd src/data && cat big.dat s1.txt s2.txt | cksum)
"$MKXAR" -q -o new.xar --exec bin/run src && mv new.xar l.xar ||
	fail "new build" "cannot build it"
list2="$("$XAREXEC" -n l.xar).startup"
check "the new build is another image" test "$list2" != "$list"
n=$(first_prefetch l.xar)
check "its first mount prefetches the old list ($n blocks, $without without)" \
	test "${n:-0}" -gt $((${without:-0} + 40))
wait_until 5 test -e "$list2"
check "a bare one passes it on as it is" cmp -s v1.list "$list2"
rm -f "$list2"
expect_eq "the new build: run" "$want2" "$("$XAREXEC" l.xar)"
wait_until 5 test -e "$list2"
check "its list starts with the old one" \
	cmp -s -n "$(wc -c < v1.list)" v1.list "$list2"
check "and adds what only it read" grep -q '^data/s2\.txt	' "$list2"
wait_until 5 cmp -s "$list2" "$carry"
check "the path's list is the new one" cmp -s "$list2" "$carry"
"$XAREXEC" -u l.xar

# Elsewhere, or through a link, nothing is carried.
echo three > src/data/s3.txt
"$MKXAR" -q -o m.xar --exec bin/run src || fail "third build" "cannot build it"
expect_eq "a new build at another path carries nothing" "$without" \
	"$(first_prefetch m.xar)"
rm -f "$("$XAREXEC" -n m.xar).startup"
cp "$carry" carried.list
rm -f "$carry"
ln -s "$T/carried.list" "$carry"
mv m.xar l.xar
expect_eq "a link in the path list's place is not followed" "$without" \
	"$(first_prefetch l.xar)"
check "nor written through" cmp -s carried.list "$list2"
rm -f "$carry"

# Releases behind a link flipped at each deploy: the name stays.
mkdir r1 r2
"$MKXAR" -q -o r1/app.xar --exec bin/run src && ln -s r1 current ||
	fail "release 1" "cannot build it"
expect_eq "release 1: run by the link" "$want2" "$("$XAREXEC" current/app.xar)"
wait_until 5 eval 'ls "$(dirname "$list")"/path-*.startup > /dev/null 2>&1'
"$XAREXEC" -u current/app.xar
echo four > src/data/s4.txt
"$MKXAR" -q -o r2/app.xar --exec bin/run src && ln -sfn r2 current ||
	fail "release 2" "cannot build it"
n=$(first_prefetch ./current//app.xar)
check "release 2's first mount follows release 1's list ($n blocks)" \
	test "${n:-0}" -gt $((${without:-0} + 40))
