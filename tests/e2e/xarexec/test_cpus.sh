#!/bin/sh
# Where a new mount's threads run (lib/server/cpus.h): the launcher and the
# server's serving thread are held on one core while the mount is made, the
# prefetcher runs on the other cores. Checked: the app gets the launcher's
# whole mask back, not the held one; while the prefetcher lives the
# serving thread is on one core and the prefetcher on the rest, unless the
# prefetcher's looker asks ahead of the app, when the serving thread joins
# it on the rest; once the start-up is over the server has the whole mask
# again; a launcher allowed a single core is left as it is.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
cd "$T" || exit 1

# cores LIST: a Cpus_allowed_list ("0-2,5") as "0 1 2 5".
cores() {
	echo "$1" | awk -F, '{
		for (i = 1; i <= NF; i++) {
			n = split($i, r, "-")
			for (c = r[1]; c <= r[n]; c++)
				printf "%s%d", (out++ ? " " : ""), c
		}
		print ""
	}'
}
mask_of() { awk '$1 == "Cpus_allowed_list:" { print $2 }' "$1" 2>/dev/null; }

all=$(cores "$(mask_of /proc/self/status)")
set -- $all
if [ $# -lt 2 ]; then
	skip "$(basename "$0" .sh)" "one core allowed here ($all): nothing to place"
	exit 0
fi

# The app reports its own mask, then each server thread's: "tid cores".
mkdir -p src/bin src/data
cat > src/bin/run <<'EOS'
#!/bin/sh
srv=$(awk '$1 == "pid" { print $2 }' "$XAR_RUNTIME_FILES.stats")
echo "app $(awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/self/status)"
for t in /proc/"$srv"/task/*; do
	echo "task ${t##*/} $(awk '$1 == "Cpus_allowed_list:" { print $2 }' "$t/status")"
done
echo "server $srv"
EOS
chmod 755 src/bin/run
seq 1 300000 > src/data/big.dat
seq 2 300001 > src/data/other.dat
# the launch looks its own target up: nothing for the looker to do
printf 'bin/run\n' > start.list
"$MKXAR" -q -o c.xar --startup-list start.list --exec bin/run src ||
	{ fail setup "cannot build the test xar"; exit 1; }
printf 'bin/run\ndata/big.dat\n' > look.list
"$MKXAR" -q -o l.xar --startup-list look.list --exec bin/run src ||
	{ fail setup "cannot build the second test xar"; exit 1; }

# A cold run in which the app saw the prefetcher alive (two server
# threads); the start-up ends at the first 200 ms pause, so a slow moment
# can miss it: a few tries.
tries=0
while [ $tries -lt 5 ]; do
	"$XAREXEC" -u c.xar 2>/dev/null
	"$XAREXEC" c.xar > run.out 2>&1
	[ "$(grep -c '^task ' run.out)" -eq 2 ] && break
	tries=$((tries + 1))
done
srv=$(awk '$1 == "server" { print $2 }' run.out)
expect_eq "the app has the launcher's mask" "$all" \
	"$(cores "$(awk '$1 == "app" { print $2 }' run.out)")"
if [ "$(grep -c '^task ' run.out)" -eq 2 ]; then
	main=$(cores "$(awk -v s="$srv" '$1 == "task" && $2 == s { print $3 }' run.out)")
	pf=$(cores "$(awk -v s="$srv" '$1 == "task" && $2 != s { print $3 }' run.out)")
	rest=$(for c in $all; do [ "$c" = "$main" ] || printf '%s ' "$c"; done)
	check "the serving thread is held on one core ($main)" \
		test "$(echo "$main" | wc -w)" -eq 1
	expect_eq "the prefetcher has the other cores" "${rest% }" "$pf"
else
	fail "prefetcher seen by the app" "only one server thread in 5 cold runs: $(cat run.out)"
fi
back() {
	[ "$(ls /proc/"$srv"/task | wc -l)" -eq 1 ] &&
		[ "$(cores "$(mask_of /proc/"$srv"/status)")" = "$all" ]
}
check "after the start-up the server has the whole mask" wait_until 10 back

# A list the looker follows (data/big.dat is not the launch's): once it
# has asked, the serving thread answers from the other cores too. Seen
# from outside, on a bare mount kept busy (a new name looked up each
# time), while the prefetcher lives. A READ (of a file nobody stored)
# takes it back to the launch's core, and lookups once READs paused away
# again: the stats count the moves.
joined() {
	_t=$(ls /proc/"$srv"/task 2>/dev/null | grep -vx "$srv")
	[ "$(echo "$_t" | grep -c .)" -eq 1 ] || return 1
	_m=$(cores "$(mask_of /proc/"$srv"/status)")
	[ "$_m" != "$all" ] &&
		[ "$_m" = "$(cores "$(mask_of /proc/"$srv"/task/"$_t"/status)")" ]
}
mp=$("$XAREXEC" -m l.xar)
srv=$(awk '$1 == "pid" { print $2 }' "$mp.stats")
seen=0
i=0
while [ $i -lt 400 ] && [ -d /proc/"$srv"/task ]; do
	joined && { seen=1; break; }
	test -e "$mp/none.$i"
	sleep 0.005
	i=$((i + 1))
done
check "with the looker, the serving thread has the prefetcher's cores" \
	test "$seen" -eq 1
cat "$mp/data/other.dat" > /dev/null
i=0
while [ $i -lt 5 ]; do test -e "$mp/later.$i"; sleep 0.005; i=$((i + 1)); done
sleep 0.4 # the stats are written once requests pause
expect_eq "a READ took it home, lookups away again (away home)" "2 1" \
	"$(awk '$1 == "serving_moved_away" { a = $2 } $1 == "serving_moved_home" { h = $2 }
		END { print a, h }' "$mp.stats")"
check "and the whole mask after the start-up" wait_until 10 back
"$XAREXEC" -u l.xar 2>/dev/null

# A launcher allowed one core: everything stays there.
if command -v taskset > /dev/null; then
	one=${all##* }
	"$XAREXEC" -u c.xar 2>/dev/null
	taskset -c "$one" "$XAREXEC" c.xar > one.out 2>&1
	expect_eq "one core: the app keeps it" "$one" \
		"$(awk '$1 == "app" { print $2 }' one.out)"
	expect_eq "one core: so do the server's threads" "" \
		"$(awk -v c="$one" '$1 == "task" && $3 != c' one.out)"
else
	skip "one core" "no taskset"
fi
"$XAREXEC" -u c.xar 2>/dev/null
