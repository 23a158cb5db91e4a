#!/bin/sh
# Simultaneous first launches: 50 of one xar make exactly one mount and one
# server and all succeed; launches of two xars make two mounts.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup_xar
mkdir -p "$T/src2" && cp -r "$T/src/." "$T/src2/" && echo two > "$T/src2/data.txt"
make_raw_xar "$T/y.xar" "$T/src2"
mkdir out

# launch N XAR: start N runs at once; each leaves out/<XAR>.<i> (its output)
# and out/<XAR>.<i>.rc (its status).
launch() {
	_i=1
	while [ "$_i" -le "$1" ]; do
		(timeout 60 "$XAREXEC" "$2" env > "out/$2.$_i" 2>&1
		 echo $? > "out/$2.$_i.rc") &
		_i=$((_i + 1))
	done
}
count_ok() { cat out/"$1".*.rc | grep -c '^0$'; }
count_new() { cat out/"$1".[0-9] out/"$1".[0-9][0-9] 2>/dev/null | grep -c '^new=1$'; }

launch 50 x.xar
wait
expect_eq "50 simultaneous first launches all succeed" 50 "$(count_ok x.xar)"
expect_eq "... exactly one mount" 1 "$(run_mount_count "$T")"
expect_eq "... exactly one server" 1 "$(run_server_count "$T")"
expect_eq "... exactly one of them mounted" 1 "$(count_new x.xar)"

"$XAREXEC" -u x.xar
wait_until 10 no_mounts_under "$T"
rm -f out/*
launch 20 x.xar
launch 20 y.xar
wait
expect_eq "two xars at once: all succeed" 40 \
	"$(($(count_ok x.xar) + $(count_ok y.xar)))"
expect_eq "two xars at once: two mounts" 2 "$(run_mount_count "$T")"
expect_eq "two xars at once: two servers" 2 "$(run_server_count "$T")"
expect_eq "two xars at once: one mounting run each" "1 1" \
	"$(count_new x.xar) $(count_new y.xar)"
