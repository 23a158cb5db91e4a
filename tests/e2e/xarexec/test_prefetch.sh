#!/bin/sh
# The server's prefetcher: a new mount decompresses the target and the
# image's start-up list on a second thread. Checked: a cold run reads the
# right bytes and the server says it answered from prefetched blocks;
# concurrent first launches; a server killed while it prefetches (nothing
# hangs, the next run recovers); a start-up list naming odd things.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
T_CLEANUP_HOOK='kill -9 $bg 2>/dev/null; run_cleanup'
bg=
cd "$T" || exit 1

# The app prints a checksum of the files it reads: 12 MiB of compressible
# data (many blocks to decompress) and small files (fragments).
mkdir -p src/bin src/data
cat > src/bin/run <<'EOS'
#!/bin/sh
cd "$XAR_RUNTIME_FILES/data" && cat big.dat s1.txt s2.txt | cksum
EOS
chmod 755 src/bin/run
seq 1 1500000 > src/data/big.dat
head -c 12582912 src/data/big.dat > src/data/big.tmp && mv src/data/big.tmp src/data/big.dat
echo one > src/data/s1.txt
echo two > src/data/s2.txt
want=$(cd src/data && cat big.dat s1.txt s2.txt | cksum)
printf 'bin/run\ndata/big.dat\ndata/s1.txt\ndata/s2.txt\n' > start.list
"$MKXAR" -q -o p.xar --startup-list start.list --exec bin/run src ||
	{ fail setup "cannot build the test xar"; exit 1; }

expect_eq "cold run output" "$want" "$("$XAREXEC" p.xar)"
# the counts are written once requests pause
wait_until 5 eval '[ -n "$(stats_value p.xar prefetch_hits | grep -v "^0$")" ]'
pf=$(stats_value p.xar prefetched) hits=$(stats_value p.xar prefetch_hits)
check "blocks were prefetched ($pf)" test "${pf:-0}" -gt 0
check "reads were answered from them" test "${hits:-0}" -gt 0
expect_eq "hot run output" "$want" "$("$XAREXEC" p.xar)"

# Eight first launches at once: one mount, the same bytes for all.
"$XAREXEC" -u p.xar
i=0
while [ $i -lt 8 ]; do
	"$XAREXEC" p.xar > "out.$i" 2>&1 &
	i=$((i + 1))
done
wait
bad=0
i=0
while [ $i -lt 8 ]; do
	[ "$(cat "out.$i")" = "$want" ] || bad=$((bad + 1))
	i=$((i + 1))
done
expect_eq "concurrent first launches all read right" 0 "$bad"
expect_eq "one mount for them" 1 "$(run_mount_count "$XAR_MOUNT_ROOT")"

# Killed while it prefetches: a reader gets an error, not a hang, and the
# next run mounts again.
"$XAREXEC" -u p.xar
mp=$("$XAREXEC" -m p.xar)
srv=$(awk '$1 == "pid" { print $2 }' "$mp.stats")
kill -9 "$srv"
timeout 20 cat "$mp/data/big.dat" > /dev/null 2>&1
rc=$?
check "a read from the killed mount fails, does not hang" test "$rc" -ne 0 -a "$rc" -ne 124
expect_eq "next run recovers" "$want" "$(timeout 30 "$XAREXEC" p.xar)"

# The server stopped (SIGSTOP) while the app reads: SIGCONT lets it finish.
"$XAREXEC" -u p.xar
"$XAREXEC" p.xar > stop.out 2>&1 &
bg=$!
sleep 0.05
srv=$(awk '$1 == "pid" { print $2 }' "$("$XAREXEC" -n p.xar).stats" 2>/dev/null)
[ -n "$srv" ] && kill -STOP "$srv" 2>/dev/null
sleep 0.3
[ -n "$srv" ] && kill -CONT "$srv" 2>/dev/null
wait_until 20 run_gone "$bg"
expect_eq "stopped and continued server, app finishes" "$want" "$(cat stop.out)"
bg=

# A start-up list naming missing files, directories, a symlink, "..", a
# huge line and block ranges past the end is harmless: the run is right.
mkdir -p odd/bin
cp src/bin/run odd/bin/run
cp -R src/data odd/data
ln -s data/s1.txt odd/link
python3 -c 'print("x" * 70000)' > odd/long
{ printf 'nothing\ndata\nlink\n../../etc/passwd\n'; cat odd/long
  printf 'data/big.dat\t40-60\ndata/big.dat\t0-99999\ndata/s1.txt\t5-9\n'
  cat start.list; } > odd.list
"$MKXAR" -q -o odd.xar --startup-list odd.list --exec bin/run odd ||
	fail "odd list" "build failed"
expect_eq "odd start-up list, cold run" "$want" "$("$XAREXEC" odd.xar)"

# Listings carry attributes (READDIRPLUS): after a bare listing (no stat),
# stat()ing what it listed sends no LOOKUP, and the attributes are the
# image's.
"$XAREXEC" -u p.xar
mp=$("$XAREXEC" -m p.xar)
python3 -c 'import os, sys; os.listdir(sys.argv[1])' "$mp/data" # no stat
sleep 0.4 # the counts are written once requests pause
before=$(awk '$1 == "LOOKUP" { print $2 }' "$mp.stats")
stat -c '%n %s %a' "$mp"/data/* > stat.out
sleep 0.4
after=$(awk '$1 == "LOOKUP" { print $2 }' "$mp.stats")
expect_eq "no LOOKUP for listed entries" "${before:-x}" "${after:-y}"
check "a READDIRPLUS was sent" test "$(awk '$1 == "READDIRPLUS" { print $2 }' "$mp.stats")" -gt 0
expect_eq "listed sizes are the files'" "$(cd src/data && stat -c '%s' big.dat s1.txt s2.txt)" \
	"$(awk '{ print $2 }' stat.out)"
"$XAREXEC" -u p.xar

# The thread looks each listed file up through the mount before it
# decompresses it: the kernel knows the file early, so its pages are
# stored ahead of any reader. A listed file nobody has opened yet then
# reads (mostly) from the page cache; an unlisted one of the same size
# takes READs. (Not "no READ at all": this machine's DAMON pages out
# page cache that nothing maps or touches, which stored pages are until
# read, so the files are read as soon as the stores are done.)
reads() { awk '$1 == "READ" { n = $2 } END { print n + 0 }' "$1.stats"; }
seq 2 1500001 | head -c "$(wc -c < src/data/big.dat)" > src/data/other.dat
"$MKXAR" -q -o q.xar --startup-list start.list --exec bin/run src ||
	fail setup "cannot build the second test xar"
mp=$("$XAREXEC" -m q.xar)
# until the prefetcher is through: big.dat alone is 84 pieces
wait_until 20 eval '[ "$(stats_value q.xar prefetch_pushed)" -ge 85 ] 2>/dev/null'
r0=$(reads "$mp")
expect_eq "first read of the listed files" "$want" \
	"$(cd "$mp/data" && cat big.dat s1.txt s2.txt | cksum)"
sleep 0.4 # the counts are written once requests pause
r1=$(reads "$mp")
cat "$mp/data/other.dat" > /dev/null
sleep 0.4
r2=$(reads "$mp")
check "listed: $((r1 - r0)) READs, unlisted: $((r2 - r1))" \
	test $((2 * (r1 - r0))) -lt $((r2 - r1))
"$XAREXEC" -u q.xar

# Its lookups keep the mount busy a moment each: an unmount right after a
# mount waits them out instead of failing as "in use".
mkdir -p many/bin many/f
cp src/bin/run many/bin/run
i=0
while [ $i -lt 300 ]; do echo "$i" > "many/f/$i"; echo "f/$i"; i=$((i + 1)); done > many.list
"$MKXAR" -q -o many.xar --startup-list many.list --exec bin/run many ||
	fail setup "cannot build the many-files xar"
bad=0
i=0
while [ $i -lt 5 ]; do
	"$XAREXEC" -m many.xar > /dev/null && "$XAREXEC" -u many.xar 2>> u.err ||
		bad=$((bad + 1))
	i=$((i + 1))
done
expect_eq "-m then -u at once, 5 times: all unmounted" "0" \
	"$bad"
