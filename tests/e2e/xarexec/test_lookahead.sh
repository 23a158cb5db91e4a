#!/bin/sh
# The prefetcher's looker (lib/server/looker.h) takes a start-up's lookups
# ahead of the app: each listed file is looked up through the mount, the
# directories above a listed module are read through (the kernel then
# knows all their entries, as Python's import system would list them),
# and names the list says are absent are looked up (the kernel keeps the
# negative answer). Seen on a bare mount, which nothing else touches:
# afterwards a stat of each sends no LOOKUP and a listing of a module's
# directory no READDIRPLUS, while an unlisted name, a data file's
# directory and a __pycache__ directory (never listed by Python) still
# take theirs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
cd "$T" || exit 1

mkdir -p src/bin src/pkg/__pycache__ src/pkg/sub src/data
printf '#!/bin/sh\necho ran\n' > src/bin/run
chmod 755 src/bin/run
echo 'x = 1' > src/pkg/__init__.py
echo 'y = 2' > src/pkg/mod.py
echo 'bytecode' > src/pkg/__pycache__/mod.cpython-311.pyc
echo 'z = 3' > src/pkg/sub/deep.py
echo one > src/data/x.txt
echo two > src/data/y.txt
printf '%s\n' 'pkg/__pycache__/mod.cpython-311.pyc' \
	'pkg/__init__.abi3.so	absent' 'pkg/sub/deep.py' 'data/x.txt' > start.list
"$MKXAR" -q -o a.xar --startup-list start.list --exec bin/run src ||
	{ fail setup "cannot build the test xar"; exit 1; }

mp=$("$XAREXEC" -m a.xar)
# count KEY: the mount's count of KEY requests, once they paused (the
# counts are written then)
count() {
	sleep 0.4
	awk -v k="$1" '$1 == k { n = $2 } END { print n + 0 }' "$mp.stats"
}
# the root, pkg and pkg/sub are read through; data/x.txt is no module;
# the .pyc (in __pycache__), data/x.txt and the absent name are looked up
wait_until 10 eval '[ "$(count READDIRPLUS)" -ge 3 ]'
l0=$(count LOOKUP) d0=$(count READDIRPLUS)
check "the looker looked names up ($l0) and read directories ($d0)" \
	test "$l0" -ge 3 -a "$d0" -ge 3

stat "$mp/pkg/__pycache__/mod.cpython-311.pyc" "$mp/pkg/sub/deep.py" \
	"$mp/data/x.txt" "$mp/pkg/mod.py" "$mp/pkg/__init__.py" > /dev/null
expect_eq "listed files, and the entries of read directories: no LOOKUP" \
	"$l0" "$(count LOOKUP)"
check "an absent name is absent" test ! -e "$mp/pkg/__init__.abi3.so"
expect_eq "and its answer was kept: no LOOKUP" "$l0" "$(count LOOKUP)"
ls "$mp" "$mp/pkg" "$mp/pkg/sub" > /dev/null
expect_eq "module directories listed: no READDIRPLUS" "$d0" "$(count READDIRPLUS)"

test -e "$mp/pkg/other.so"
check "an unlisted absent name takes a LOOKUP" test "$(count LOOKUP)" -gt "$l0"
ls "$mp/data" > /dev/null
d1=$(count READDIRPLUS)
check "a data file's directory was not read ahead" test "$d1" -gt "$d0"
ls "$mp/pkg/__pycache__" > /dev/null
check "nor a __pycache__ directory" test "$(count READDIRPLUS)" -gt "$d1"
expect_eq "the app runs" "ran" "$("$XAREXEC" a.xar)"
"$XAREXEC" -u a.xar

# The looker never leaves the mount: a list naming ".." or names through
# a symlink out of the image is not followed (the directories above them
# would be read through it).
mkdir -p out/esc
ln -s "$T/out" src/link
printf '%s\n' '../out/esc/x.py' 'link/esc/y.py' 'link/esc/z.so	absent' > odd.list
"$MKXAR" -q -o b.xar --startup-list odd.list --exec bin/run src ||
	fail setup "cannot build the odd-list xar"
before=$(stat -c %x "$T/out/esc")
mp=$("$XAREXEC" -m b.xar)
sleep 0.5
expect_eq "the app runs with an odd list" "ran" "$("$XAREXEC" b.xar)"
expect_eq "nothing outside the image was read" "$before" "$(stat -c %x "$T/out/esc")"
"$XAREXEC" -u b.xar
