#!/bin/sh
# Original-format xars, whose header has only XAREXEC_TARGET: xarexec does
# what the original runtime did, /bin/sh -e <mount>/<target> <xar> args...;
# the name xarexec_fuse (their shebang) works too. And the shell trampoline
# mkxar writes for the original runtime starts our app the same way.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
cd "$T" || exit 1

mkdir -p orig/lib
cat > orig/run.sh <<'SH'
echo "script=$0"
echo "xar=$1"
shift
for a in "$@"; do echo "[$a]"; done
echo "data=$(cat "$(dirname "$0")/lib/data.txt")"
[ -z "$FAIL" ] || false
echo "not reached under -e when FAIL is set"
SH
echo payload > orig/lib/data.txt
"$MKXAR" -q -o orig.xar --header XAREXEC_TARGET=run.sh orig ||
	{ fail setup "cannot build the test xar"; exit 1; }
grep -q '^XAR_EXEC=' orig.xar && { fail setup "mkxar wrote XAR_EXEC"; exit 1; }
mp=$("$XAREXEC" -n orig.xar)

nl='
'
expect_eq "XAREXEC_TARGET runs via /bin/sh with the xar path first" \
	"script=$mp/run.sh${nl}xar=orig.xar$nl[a b]$nl[]${nl}data=payload${nl}not reached under -e when FAIL is set" \
	"$("$XAREXEC" orig.xar "a b" "")"
FAIL=1 "$XAREXEC" orig.xar > out
expect_eq "the shell runs with -e" "1 0" \
	"$? $(grep -c 'not reached' out)"
expect_eq "xarexec_fuse is xarexec" "xar=$T/orig.xar" \
	"$("$BUILD/xarexec_fuse" "$T/orig.xar" | grep '^xar=')"

"$MKXAR" -q -o bad.xar --header XAREXEC_TARGET=../run.sh orig
"$XAREXEC" bad.xar 2> err
expect_eq "a target outside the image is refused" 1 "$?"
grep -q "not a relative path inside the image" err &&
	pass "... saying why" || fail "... saying why" "$(cat err)"
"$MKXAR" -q -o abs.xar --header XAREXEC_TARGET=/bin/true orig
"$XAREXEC" abs.xar 2> /dev/null
expect_eq "an absolute target is refused" 1 "$?"

# mkxar's trampoline, run as the original runtime would.
make_app_tree "$T/src" && make_raw_xar "$T/x.xar" "$T/src"
xmp=$("$XAREXEC" -m x.xar)
tramp=$(sed -n 's/^XAREXEC_TARGET="\(.*\)"$/\1/p' x.xar)
out=$(cd / && /bin/sh -e "$xmp/$tramp" "$T/x.xar" a 2>&1)
case "$out" in
"["*"/bin/app]$nl[a]") pass "mkxar's XAREXEC_TARGET trampoline starts the app" ;;
*) fail "mkxar's XAREXEC_TARGET trampoline starts the app" "$out" ;;
esac
