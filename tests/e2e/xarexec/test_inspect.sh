#!/bin/sh
# Looking inside a xar without running it: xarexec --info [--json], --list,
# --extract (exactly the packed tree; never outside DIR, whatever a crafted
# image holds) and --verify (good xars pass; one flipped bit in the data, a
# table or the header fails, naming the problem).
#
# Until xarexec's option parser has these options, the same code runs
# behind build/tests/xarexec-inspect, which takes the same command lines.
. "$(dirname "$0")/../lib.sh"
TREEM="python3 $TOP/tests/tools/tree-manifest.py"
SQM="$BUILD/tests/sqfs-manifest"
CRAFT="python3 $TOP/tests/tools/craft-xar.py"
export TZ=UTC

if "$XAREXEC" --help 2>/dev/null | grep -q -- '--extract'; then
	XI=$XAREXEC
else
	XI="$BUILD/tests/xarexec-inspect"
	echo "note: xarexec has no --extract yet; testing $XI"
fi
if [ ! -x "${XI%% *}" ]; then
	fail inspect "$XI is not built (make check builds it)"
	exit 0
fi

# ---- a tree with every kind of entry, varied modes and mtimes -------------
umask 022
s="$T/src"
mkdir -p "$s/dir/sub" "$s/empty dir" "$s/ro" "$s/sticky"
printf 'hello\n' > "$s/hello"
head -c 300000 /dev/urandom > "$s/dir/blocks"
seq 1 50000 > "$s/dir/sub/numbers"
: > "$s/empty"
printf '#!/bin/sh\necho hi\n' > "$s/run"; chmod 755 "$s/run"
printf 'sp\n' > "$s/with space"
printf 'bs\n' > "$s/back\\slash	tab"
printf 'ro\n' > "$s/ro/inside"
ln "$s/hello" "$s/dir/hello-link"
ln "$s/hello" "$s/dir/sub/hello-link2"
ln -s ../hello "$s/dir/rel"
ln -s /nonexistent/target "$s/dangling"
mkfifo -m 0640 "$s/dir/fifo"
chmod 600 "$s/hello"; chmod 1777 "$s/sticky"; chmod 750 "$s/dir/sub"
touch -h -d @1500000000 "$s/dir/rel" "$s/hello"
touch -d @1600000000 "$s/dir/blocks"
chmod 555 "$s/ro"
touch -d @1700000000 "$s/ro" "$s/dir" "$s"
if ! "$MKXAR" -q --no-exec -o "$T/app.xar" "$s" 2>"$T/err"; then
	fail build "$(cat "$T/err")"
	exit 0
fi

# The expected --list of a tree on disk: image order (each directory before
# its contents, names sorted as bytes), owners 0/0 as mkxar packs them.
list_tree() {
	python3 - "$1" <<'EOF'
import os, stat, sys, time
def esc(b):
    return "".join("\\%03o" % c if c < 0x20 or c in (0x5c, 0x7f) else chr(c)
                   for c in b)
def line(path, rel):
    st = os.lstat(path)
    size = 0 if stat.S_ISDIR(st.st_mode) or stat.S_ISFIFO(st.st_mode) else st.st_size
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(st.st_mtime))
    out = "%s %-11s %10d %s %s" % (stat.filemode(st.st_mode), "0/0", size,
                                   when, esc(rel) if rel else ".")
    if stat.S_ISLNK(st.st_mode):
        out += " -> " + esc(os.readlink(path))
    print(out)
def walk(path, rel):
    line(path, rel)
    if os.path.isdir(path) and not os.path.islink(path):
        for name in sorted(os.listdir(path)):
            walk(os.path.join(path, name), rel + b"/" + name if rel else name)
walk(os.fsencode(sys.argv[1]), b"")
EOF
}

# ---- --info, --json --------------------------------------------------------
n_files=$(find "$s" -type f | wc -l)
n_dirs=$(find "$s" -mindepth 1 -type d | wc -l)
n_links=$(find "$s" -type l | wc -l)
n_all=$(find "$s" -mindepth 1 | wc -l)
uuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' "$T/app.xar")
if $XI --info "$T/app.xar" > "$T/info" 2>"$T/err"; then
	expect_eq info-files "$n_files" "$(sed -n 's/^files: *//p' "$T/info")"
	expect_eq info-dirs "$n_dirs" "$(sed -n 's/^directories: *//p' "$T/info")"
	expect_eq info-symlinks "$n_links" "$(sed -n 's/^symlinks: *//p' "$T/info")"
	expect_eq info-entries "$n_all" "$(sed -n 's/^entries: *//p' "$T/info")"
	expect_eq info-compression zstd "$(sed -n 's/^compression: *//p' "$T/info")"
	expect_eq info-block-size 131072 "$(sed -n 's/^block size: *//p' "$T/info")"
	expect_eq info-uuid "  UUID=\"$uuid\"" "$(grep '^  UUID=' "$T/info")"
else
	fail info "$(cat "$T/err")"
fi

# JSON: parsed by Python, compared with the header and the tree; a file
# name and header value that need escaping.
cp "$T/app.xar" "$T/we\"ird\\na me.xar"
"$MKXAR" -q --no-exec -o "$T/note.xar" --header 'NOTE=caf\303\251 \342\230\203' "$s" 2>/dev/null ||
	"$MKXAR" -q --no-exec -o "$T/note.xar" --header "NOTE=$(printf 'caf\303\251 \342\230\203')" "$s"
check_json() { # NAME XAR PYTHON-ASSERTIONS
	if $XI --info --json "$2" > "$T/json" 2>"$T/err"; then
		check "$1" python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
$3" "$T/json" "$2"
	else
		fail "$1" "$(cat "$T/err")"
	fi
}
check_json json-tree "$T/app.xar" "
hdr = {}
for raw in open(sys.argv[2], 'rb').read(4096).split(b'\n')[1:]:
    if raw == b'#xar_stop': break
    k, v = raw.decode().split('=', 1); hdr[k] = v.strip('\"')
assert j['header'] == hdr, (j['header'], hdr)
assert list(j['header']) == list(hdr)
assert (j['files'], j['directories'], j['symlinks'], j['entries']) == ($n_files, $n_dirs, $n_links, $n_all), j
assert j['compression'] == 'zstd' and j['block_size'] == 131072 and j['offset'] == 4096
assert j['python'] is None and j['entry_point'] is None
assert j['image_size'] > 0 and j['shebang'] == '#!/usr/bin/env xarexec'"
check_json json-escaped-file-name "$T/we\"ird\\na me.xar" "
assert j['file'] == sys.argv[2], (j['file'], sys.argv[2])"
check_json json-utf8-header "$T/note.xar" "
assert j['header']['NOTE'] == 'caf\u00e9 \u2603', j['header']"

# A Python xar names its interpreter and entry point.
mkdir -p "$T/py/app"
printf 'def main():\n    print("hi")\n' > "$T/py/app/__init__.py"
if "$MKXAR" -q -o "$T/py.xar" --python-entry app:main "$T/py" 2>"$T/err"; then
	$XI --info "$T/py.xar" > "$T/info" 2>&1
	expect_eq info-python-entry "entry point:  app:main" "$(grep '^entry point:' "$T/info")"
	pyline=$(grep '^python:' "$T/info")
	case $pyline in
	"python:       /"*" (3."*")") pass info-python ;;
	*) fail info-python "got [$pyline]" ;;
	esac
	check_json json-python "$T/py.xar" "
p = j['python']
assert p['entry_point'] == 'app:main' and p['interpreter'].startswith('/'), p
assert p['version'].startswith('3.') and j['entry_point'] == 'app:main', j"
else
	skip info-python "mkxar cannot build a Python xar here: $(head -n 1 "$T/err")"
fi

# ---- --list -----------------------------------------------------------------
list_tree "$s" > "$T/want"
if $XI --list "$T/app.xar" > "$T/got" 2>"$T/err"; then
	if cmp -s "$T/want" "$T/got"; then pass list-tree
	else fail list-tree "$(diff "$T/want" "$T/got" | head -n 6 | tr '\n' ' ')"; fi
else
	fail list-tree "$(cat "$T/err")"
fi
grep -e ' dir/sub' -e ' dir/sub/' -e ' hello$' "$T/want" > "$T/want.part"
$XI --list "$T/app.xar" /dir/sub/ hello > "$T/got.part" 2>&1
if cmp -s "$T/want.part" "$T/got.part"; then pass list-paths
else fail list-paths "$(diff "$T/want.part" "$T/got.part" | head -n 6 | tr '\n' ' ')"; fi
$XI --list "$T/app.xar" hello nope > "$T/out" 2>"$T/err"
expect_eq list-missing-status 1 $?
expect_eq list-missing-message "xarexec: error: $T/app.xar: no such file in the image: 'nope'" "$(cat "$T/err")"

# ---- --extract ----------------------------------------------------------------
$TREEM --root-owner "$s" > "$T/m.src"
"$SQM" "$T/app.xar" 4096 > "$T/m.img" 2>/dev/null
expect_eq image-is-tree "" "$(diff "$T/m.src" "$T/m.img" | head -n 4)"
if $XI --extract "$T/ex" "$T/app.xar" 2>"$T/err"; then
	$TREEM "$T/ex" > "$T/m.out"
	if cmp -s "$T/m.src" "$T/m.out"; then pass extract-tree
	else fail extract-tree "$(diff "$T/m.src" "$T/m.out" | head -n 6 | tr '\n' ' ')"; fi
	expect_eq extract-root-mtime "$(stat -c %Y "$s")" "$(stat -c %Y "$T/ex")"
else
	fail extract-tree "$(cat "$T/err")"
fi
if $XI --extract "$T/part" "$T/app.xar" dir/sub ./dangling 2>"$T/err"; then
	grep -e '^dir	' -e '^dir/sub[/	]' -e '^dangling	' "$T/m.src" |
	    sed 's/	dir\/hello-link$/	-/' > "$T/m.want"
	$TREEM "$T/part" > "$T/m.part"
	if cmp -s "$T/m.want" "$T/m.part"; then pass extract-paths
	else fail extract-paths "$(diff "$T/m.want" "$T/m.part" | head -n 6 | tr '\n' ' ')"; fi
else
	fail extract-paths "$(cat "$T/err")"
fi
$XI --extract "$T/ex" "$T/app.xar" 2>"$T/err"
expect_eq extract-not-empty-status 1 $?
case $(cat "$T/err") in
*"is not empty"*--force*) pass extract-not-empty-message ;;
*) fail extract-not-empty-message "$(cat "$T/err")" ;;
esac
echo changed > "$T/ex/hello"
check extract-force $XI --extract "$T/ex" --force "$T/app.xar"
expect_eq extract-force-restores "hello" "$(cat "$T/ex/hello")"

# setuid and setgid bits are not extracted
mkdir -p "$T/suid"
printf 'x\n' > "$T/suid/tool"; chmod 6755 "$T/suid/tool"
"$MKXAR" -q --no-exec -o "$T/suid.xar" "$T/suid" &&
	$XI --extract "$T/suid.out" "$T/suid.xar" 2>/dev/null
expect_eq extract-drops-setid 755 "$(stat -c %a "$T/suid.out/tool" 2>&1)"

# ---- crafted images: nothing is written outside DIR -------------------------
# Each: NAME, shell to make the tree in $h (OUT is $T/outside), the
# placeholder and the name it becomes (same length).
mkdir -p "$T/outside"
outside=$T/outside
placeholder() { printf '%s' "$1" | tr -c '' 'Q'; } # as long as $1
crafted() { # NAME TREE-SHELL FROM TO [EXTRACT-OPTION]
	h="$T/h-$1"; mkdir -p "$h"
	(cd "$h" && eval "$2") || { fail "crafted-$1" "cannot make the tree"; return; }
	mksquashfs "$h" "$h.img" -comp zstd -noI -noappend -quiet -no-progress \
	    >/dev/null 2>&1 || { fail "crafted-$1" "mksquashfs failed"; return; }
	$CRAFT --rename "$3=$4" "$h.img" "$h.xar" 2>"$T/err" ||
	    { fail "crafted-$1" "$(cat "$T/err")"; return; }
	mkdir -p "$T/x-$1"
	$XI --extract "$T/x-$1" ${5:-} "$h.xar" >/dev/null 2>"$T/err.$1"
	rc=$?
	if [ -n "$(ls -A "$outside")" ] || [ -e "$T/pwned" ] || [ -e "$T/x-pwned" ]; then
		fail "crafted-$1" "wrote outside DIR: $(ls -A "$outside" "$T" | tr '\n' ' ')"
	elif [ -z "${5:-}" ] && [ "$rc" -ne 1 ]; then
		fail "crafted-$1" "exit status $rc, not 1"
	elif [ -n "${5:-}" ] && [ "$rc" -ne 0 ]; then
		fail "crafted-$1" "$5 did not replace the symlink: $(cat "$T/err.$1")"
	elif [ -n "${5:-}" ]; then
		pass "crafted-$1 (the symlink replaced, inside DIR)"
	else
		pass "crafted-$1 ($(head -n 1 "$T/err.$1" | sed 's/.*: error: [^:]*: //'))"
	fi
	rm -rf "$outside"/* "$outside"/.[!.]* 2>/dev/null
}
crafted dotdot-dir 'mkdir zz && echo x > zz/pwned' zz ..
crafted dotdot-file 'echo x > zz' zz ..
abs="$outside/abs"
crafted absolute "echo x > $(placeholder "$abs")" "$(placeholder "$abs")" "$abs"
crafted slash 'mkdir -p x-Q && echo x > x-Q/f' 'x-Q' 'x/.'
crafted symlinked-parent "ln -s '$outside' lin0 && mkdir link && echo x > link/pwned" lin0 link
crafted relative-symlinked-parent "ln -s ../outside lin0 && mkdir link && echo x > link/pwned" lin0 link
crafted symlinked-parent-force "ln -s '$outside' lin0 && mkdir link && echo x > link/pwned" lin0 link --force
crafted file-through-symlink "ln -s '$outside/target' fil0 && echo x > file" fil0 file
crafted file-through-symlink-force "ln -s '$outside/target' fil0 && echo x > file" fil0 file --force
expect_eq crafted-refusal-named "cannot create 'link': File exists" \
	"$(sed 's/.*: error: [^:]*: //' "$T/err.symlinked-parent")"
expect_eq crafted-dotdot-named "corrupt image: bad name '..' in '/'" \
	"$(sed 's/.*: error: [^:]*: //' "$T/err.dotdot-dir")"

# ---- --verify -------------------------------------------------------------------
out=$($XI --verify "$T/app.xar" 2>&1)
expect_eq verify-good-status 0 $?
case $(echo "$out" | head -n 1) in
*": OK: "*"matches the header") pass verify-good-message ;;
*) fail verify-good-message "$out" ;;
esac
expect_eq verify-says-unsigned "$T/app.xar: not signed" "$(echo "$out" | sed -n 2p)"
le64() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }
flip() { # XAR OFFSET: xor one bit of the byte there
	python3 -c 'import sys
f = open(sys.argv[1], "r+b"); off = int(sys.argv[2]); f.seek(off)
b = f.read(1)[0]; f.seek(off); f.write(bytes([b ^ 0x10]))' "$1" "$2"
}
broken() { # NAME OFFSET EXPECTED-TEXT
	cp "$T/app.xar" "$T/b-$1.xar"
	flip "$T/b-$1.xar" "$2"
	$XI --verify "$T/b-$1.xar" > "$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne 1 ]; then fail "verify-$1" "exit status $rc: $(cat "$T/out")"
	elif ! grep -q "^xarexec: error: $T/b-$1.xar: .*$3" "$T/err"; then
		fail "verify-$1" "$(cat "$T/err") lacks [$3]"
	else pass "verify-$1 ($(sed 's/.*: error: [^:]*: //' "$T/err" | cut -c 1-70))"; fi
}
inodes=$(le64 "$T/app.xar" $((4096 + 64)))
at() { grep -bao "$2" "$1" | head -n 1 | cut -d: -f1; } # XAR TEXT: its offset
uuid_at=$(at "$T/app.xar" 'UUID="')
broken data $((4096 + 96 + 1000)) "SHA-256 does not match XAR_SHA256"
broken inode-table $((4096 + inodes + 20)) "SHA-256 does not match XAR_SHA256"
broken header-uuid $((uuid_at + 8)) "bad header"
broken header-key $(($(at "$T/app.xar" 'OFFSET="') + 3)) "bad header"
$CRAFT --no-digest "$T/h-dotdot-file.img" "$T/plain.xar" 2>/dev/null
out=$($XI --verify "$T/plain.xar" 2>&1)
case $out in
*"OK: "*"no XAR_SHA256"*) pass verify-original-format ;;
*) fail verify-original-format "$out" ;;
esac
