#!/bin/sh
# Damaged images through mount, serve, run and unmount: 300 copies of a real
# xar (fixed seed), each with a few bytes changed in one region of its image
# (superblock, data and fragments, inode table, directory table, fragment,
# export and id tables) and a UUID of its own. For each: -m, a full read of
# the mount, a run, -u. Every image is either refused with one error line
# and nothing mounted, or mounted, served (EIO where data is bad) and
# unmounted. Afterwards no mount, no server, no mount point, stats or lock
# file remains. Plus the two defects of issue 15: a root that cannot be
# stat'ed is refused before a server starts, and -u removes a mount whose
# server answers nonsense.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
cd "$T" || exit 1
N=${HOSTILE_MOUNT_IMAGES:-300}

make_app_tree "$T/src"
mkdir -p src/a/b src/c
i=0; while [ $i -lt 40 ]; do echo "file $i $(seq 1 $i)" > "src/a/f$i"; i=$((i + 1)); done
head -c 300000 /dev/zero | tr '\0' 'x' > src/a/b/big
ln -s ../a/f3 src/c/link
SOURCE_DATE_EPOCH=1700000000 "$MKXAR" -q -o base.xar --block-size 4K \
	--exec bin/app src || { fail setup "cannot build base.xar"; exit 1; }

python3 - base.xar "$N" <<'EOF'
import random, re, struct, sys
src = open(sys.argv[1], 'rb').read()
n = int(sys.argv[2])
off = int(re.search(rb'OFFSET="(\d+)"', src).group(1))
sb = src[off:off + 96]
(inode_t, dir_t, frag_t, export_t) = struct.unpack_from('<QQQQ', sb, 64)
id_t = struct.unpack_from('<Q', sb, 48)[0]
end = len(src) - off
regions = [('superblock', 0, 96), ('data', 96, inode_t),
           ('inodes', inode_t, dir_t), ('directories', dir_t, frag_t),
           ('tables', frag_t, end)]
random.seed(15)
names = open('images.txt', 'w')
for i in range(n):
    name, lo, hi = regions[i % len(regions)]
    b = bytearray(src)
    for _ in range(random.choice((1, 2, 4, 8))):
        p = off + random.randrange(lo, max(hi, lo + 1))
        b[p] = random.randrange(256)
    uuid = b'%016x' % (0xdead000000000000 + i)
    b = re.sub(rb'UUID="[0-9a-f]+"', b'UUID="' + uuid + b'"', bytes(b), count=1)
    f = 'h%03d-%s.xar' % (i, name)
    open(f, 'wb').write(b)
    names.write(f + '\n')
EOF

mounted=0 refused=0 bad=0
start=$(date +%s)
while read -r x; do
	chmod +x "$x"
	if mp=$(timeout 20 "$XAREXEC" -m "$x" 2> err); then
		mounted=$((mounted + 1))
		timeout 20 find "$mp" -exec cat {} + > /dev/null 2>&1
		timeout 20 ls -lR "$mp" > /dev/null 2>&1
		timeout 20 "$XAREXEC" "$x" > /dev/null 2>&1
		if ! timeout 20 "$XAREXEC" -u "$x" 2> err; then
			bad=$((bad + 1)); echo "FAIL: $x: -u: $(cat err)"
		fi
		if is_mounted "$mp"; then
			bad=$((bad + 1)); echo "FAIL: $x: still mounted after -u"
		fi
	else
		refused=$((refused + 1))
		lines=$(wc -l < err)
		if [ "$lines" -ne 1 ] || ! grep -q '^xarexec: error: ' err; then
			bad=$((bad + 1)); echo "FAIL: $x: refusal is not one error line: $(head -c 300 err)"
		fi
		if [ "$(run_mount_count "$T")" -ne 0 ]; then
			bad=$((bad + 1)); echo "FAIL: $x: refused but left a mount"
			run_cleanup
		fi
	fi
done < images.txt
echo "hostile mount campaign: $N images, $mounted mounted and unmounted, $refused refused, $(( $(date +%s) - start )) s"
expect_eq "campaign: every image refused cleanly or served and unmounted" 0 "$bad"
[ "$mounted" -gt 0 ] && [ "$refused" -gt 0 ] &&
	pass "campaign: both outcomes occur ($mounted / $refused)" ||
	fail "campaign: both outcomes occur" "$mounted mounted, $refused refused"
expect_eq "campaign: no mount left" 0 "$(run_mount_count "$T")"
wait_until 10 eval '[ "$(run_server_count "$T")" -eq 0 ]' &&
	pass "campaign: no server left" || fail "campaign: no server left" \
	"$(run_server_count "$T") running"
# (a learnt start-up list, .startup, is kept on purpose)
expect_eq "campaign: no mount point, stats or lock file left" "" \
	"$(ls -A "$T/mnt/uid-$(id -u)" 2>/dev/null | grep -v '\.startup$')"

# ---- the root that cannot be stat'ed: an id table entry out of range ----
python3 - base.xar noid.xar <<'EOF'
import re, struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
off = int(re.search(rb'OFFSET="(\d+)"', b).group(1))
struct.pack_into('<H', b, off + 26, 0)      # no_ids = 0: no owner resolves
b = re.sub(rb'UUID="[0-9a-f]+"', b'UUID="0000000000000bad"', bytes(b), count=1)
open(sys.argv[2], 'wb').write(b)
EOF
chmod +x noid.xar
"$XAREXEC" --list noid.xar > /dev/null 2> list.err
"$XAREXEC" -m noid.xar > /dev/null 2> m.err
expect_eq "a root whose owner cannot be read: -m refuses as --list does" \
	"$(sed 's/^[^:]*: [^:]*: [^:]*: //' list.err)" "$(sed 's/^[^:]*: [^:]*: [^:]*: //' m.err)"
expect_eq "... and nothing is mounted or left" "0 0" \
	"$(run_mount_count "$T") $(run_server_count "$T")"

# ---- -u of a mount whose server answers nonsense (or nothing) ----
mp=$("$XAREXEC" -m base.xar)
pid=$(stats_value base.xar pid)
kill -STOP "$pid"
timeout 10 "$XAREXEC" -u base.xar 2> err
rc=$?
kill -CONT "$pid" 2>/dev/null
expect_eq "-u of a mount whose server is stopped: done, not hung" 0 "$rc"
not_mounted "$mp" && pass "... and it is gone" || fail "... and it is gone" "$(cat err)"
mp=$("$XAREXEC" -m base.xar)
pid=$(stats_value base.xar pid)
kill -9 "$pid"
wait_until 10 run_gone "$pid"
"$XAREXEC" -u base.xar 2> err
expect_eq "-u of a mount whose server died: done" "0 absent" \
	"$? $(is_mounted "$mp" || echo absent)"
expect_eq "-u leaves no mount point, stats or lock file" "" \
	"$(ls -A "$T/mnt/uid-$(id -u)" 2>/dev/null | grep -v '\.startup$')"
