#!/bin/sh
# mkxar --profile and --startup-list: the start-up a profile run records
# (which files, in which order), the image laid out by it (the listed
# files' blocks and fragment tails first and in that order, read back by
# squashfs-tools-ng), deterministic output for a given list and any -j,
# and bad input.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
cd "$T" || exit 1
export SOURCE_DATE_EPOCH=1700000000

# The app reads three large files (blocks and a tail each) and three small
# ones (fragments only), each group against the name order; two files are
# never read. First it looks for a file that is not there, as an import
# system probes: the record says that name is absent.
mkdir -p src/bin src/data
cat > src/bin/run <<'EOS'
#!/bin/sh
d="$XAR_RUNTIME_FILES/data"
test -e "$d/missing.so" && exit 9
cat "$d/z.dat" "$d/m.dat" "$d/a.dat" "$d/s3.txt" "$d/s2.txt" "$d/s1.txt" |
	cksum
exit "${1:-0}"
EOS
chmod 755 src/bin/run
for f in a m z unread; do
	head -c 276480 /dev/urandom > "src/data/$f.dat"
done
for f in s1 s2 s3 b; do
	head -c 1500 /dev/urandom > "src/data/$f.txt"
done
want=$(cd src/data && cat z.dat m.dat a.dat s3.txt s2.txt s1.txt | cksum)

mkdir tmp
if TMPDIR="$T/tmp" "$MKXAR" -v -o p.xar --profile '' --exec bin/run src \
	> p.out 2> p.err; then
	pass "profile build"
else
	fail "profile build" "$(tail -n 2 p.err)"
	exit 1
fi
check "verbose output counts the list" grep -q "start-up list: 7 files laid out first" p.err
expect_eq "the profiled xar runs" "$want" "$("$XAREXEC" p.xar)"
"$XAREXEC" --extract list p.xar __xar__/startup >/dev/null 2>&1
# (the tail of a 270 KiB file is block 2 with 128 KiB blocks)
expect_eq "recorded start-up, in first-read order, with blocks" \
"bin/run	0-0
data/missing.so	absent
data/z.dat	0-2
data/m.dat	0-2
data/a.dat	0-2
data/s3.txt	0-0
data/s2.txt	0-0
data/s1.txt	0-0" "$(cat list/__xar__/startup 2>/dev/null)"
expect_eq "the app's output with -v" "$want" "$(cat p.out)"
expect_eq "no mount left by the profile run" 0 "$(run_mount_count "$T/tmp")"
expect_eq "no temporary files left" "" "$(ls -A tmp)"

# The layout, read back by squashfs-tools-ng.
off=$(sed -n 's/^OFFSET="\([0-9]*\)"$/\1/p' p.xar | head -n 1)
dd if=p.xar of=p.img bs="$off" skip=1 2>/dev/null
field() { rdsquashfs -s "$1" p.img 2>/dev/null | sed -n "s/^$2: *//p"; }
if command -v rdsquashfs >/dev/null 2>&1; then
	z=$(field data/z.dat "Blocks start") m=$(field data/m.dat "Blocks start")
	a=$(field data/a.dat "Blocks start") u=$(field data/unread.dat "Blocks start")
	check "listed blocks first, in list order" \
		test "$z" -lt "$m" -a "$m" -lt "$a" -a "$a" -lt "$u"
	f3=$(field data/s3.txt "Fragment index") f1=$(field data/s1.txt "Fragment index")
	o3=$(field data/s3.txt "Fragment offset") o2=$(field data/s2.txt "Fragment offset")
	o1=$(field data/s1.txt "Fragment offset")
	fb=$(field data/b.txt "Fragment index") ob=$(field data/b.txt "Fragment offset")
	check "listed fragments packed in list order" \
		test "$f3" = "$f1" -a "$o3" -lt "$o2" -a "$o2" -lt "$o1"
	check "unlisted fragments after them" \
		test "$((fb))" -gt "$((f1))" -o \( "$fb" = "$f1" -a "$ob" -gt "$o1" \)
else
	skip "layout" "no rdsquashfs (apt-get install squashfs-tools-ng)"
fi
if command -v unsquashfs >/dev/null 2>&1; then
	unsquashfs -q -n -d p.tree p.img >/dev/null 2>&1
	rm -f p.tree/__xar__/startup
	check "unsquashfs reads the same files" diff -r src/data p.tree/data
fi

# The same list gives the same bytes, whatever -j, and the same as the
# profile build.
"$MKXAR" -q -j1 -o l1.xar --startup-list list/__xar__/startup --exec bin/run src
"$MKXAR" -q -j3 -o l3.xar --startup-list list/__xar__/startup --exec bin/run src
check "deterministic for -j1 and -j3" cmp l1.xar l3.xar
check "same as the profile build" cmp l1.xar p.xar

# Lines naming nothing, a whole file again, a bad range or a file said
# absent are skipped and said with -v; more ranges of a file and names
# that are indeed absent are kept.
printf 'nothing/here\ndata/a.dat\t1-1\ndata\ndata/a.dat\ndata/a.dat\t0-0\ndata/m.dat\t2-1\ndata/m.dat\tx-1\ndata/m.dat\tabsent\ndata/no.so\tabsent\n' > odd.list
"$MKXAR" -v -o odd.xar --startup-list odd.list --exec bin/run src 2> odd.err
check "unknown lines skipped" grep -q "1 files laid out first, 6 lines naming no file skipped" odd.err
"$XAREXEC" --extract oddl odd.xar __xar__/startup >/dev/null 2>&1
expect_eq "kept lines" "data/a.dat	1-1
data/a.dat	0-0
data/no.so	absent" "$(cat oddl/__xar__/startup 2>/dev/null)"

# An app that fails still leaves its record; -v says how it ended.
"$MKXAR" -v -o f.xar --profile '7' --exec bin/run src > /dev/null 2> f.err
check "failing profile run still builds" grep -q "exited with status 7" f.err
check "failing profile run's list" grep -q "start-up list: 7 files" f.err

# Bad input: one line (and a usage hint for usage errors), non-zero, no
# output.
bad() {
	_name=$1 _want=$2; shift 2
	rm -f bad.xar
	"$MKXAR" -q -o bad.xar "$@" > bad.out 2>&1
	_rc=$?
	if [ "$_rc" -ne "$_want" ]; then
		fail "$_name" "exit $_rc, expected $_want: $(cat bad.out)"
	elif [ -e bad.xar ]; then
		fail "$_name" "bad.xar was written"
	elif [ "$(grep -vc "^Try 'mkxar --help'" bad.out)" -ne 1 ]; then
		fail "$_name" "not one line: $(cat bad.out)"
	else
		pass "$_name"
	fi
}
bad "--profile with --startup-list" 2 --profile '' --startup-list odd.list --exec bin/run src
bad "--profile without an entry point" 2 --profile '' --no-exec src
bad "missing --startup-list file" 1 --startup-list nowhere.list --exec bin/run src
printf 'data/a.dat\0\n' > nul.list
bad "start-up list with a NUL byte" 1 --startup-list nul.list --exec bin/run src
bad "start-up list that is a directory" 1 --startup-list src --exec bin/run src
