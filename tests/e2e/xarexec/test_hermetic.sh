#!/bin/sh
# Hermetic Python xars (mkxar --bundle-python): the interpreter, its
# standard library and every shared library down to the C library and the
# loader travel in the image. Checked on the host with the interpreter
# hidden and the host's Python settings set to leak, in a chroot that holds
# nothing but the xar (FUSE and the extraction fallback), and bad input.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
cd "$T"
PATH="$BUILD:$PATH"
HOME="$T/home"   # the extraction cache and a user site that must not leak
mkdir -p "$HOME"
export PATH HOME

# The interpreter to bundle: another minor version than the host's python3
# when pyenv has one (so that "the bundled one ran" is visible in
# sys.version), else Debian's.
HOSTVER=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
HP=
for p in /root/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.10*/bin/python3.10 \
	 /usr/bin/python3.11; do
	[ -x "$p" ] || continue
	v=$("$p" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
	HP=$p
	[ "$v" != "$HOSTVER" ] && break
done
if [ -z "$HP" ]; then
	skip "hermetic" "no interpreter to bundle (apt-get install python3.11)"
	exit 0
fi
HPVER=$("$HP" -c 'import sys; print(sys.version)')
HPPREFIX=$("$HP" -c 'import sys; print(sys.base_prefix)')
echo "# bundling $HP ($HPVER)"

# An app that reports where it runs, starts itself again through
# sys.executable and through multiprocessing's spawn, and asks for the CA
# store ssl finds.
mkdir -p app/happ
cat > app/happ/__init__.py <<'EOF'
EOF
cat > app/happ/work.py <<'EOF'
def child(conn):
    import sys
    conn.send("spawn:" + sys.version.split()[0])
    conn.close()
EOF
cat > app/happ/cli.py <<'EOF'
import multiprocessing, os, ssl, subprocess, sys
from happ import work

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(work.__file__)))
    print("version:", sys.version)
    print("executable-in-image:", sys.executable.startswith(root + "/__xar__/python/"))
    print("prefix-in-image:", sys.prefix.startswith(root + "/"))
    out = [p for p in sys.path if p != root and not p.startswith(root + "/")]
    print("path-outside:", out)
    print("modules-outside:", sorted(m for m, v in sys.modules.items()
          if getattr(v, "__file__", None) and not v.__file__.startswith(root + "/")))
    r = subprocess.run([sys.executable, "-c", "import sys; print(sys.version.split()[0])"],
                       capture_output=True, text=True)
    print("subprocess:", r.returncode, r.stdout.strip(), r.stderr.strip()[-200:])
    ctx = multiprocessing.get_context("spawn")
    a, b = ctx.Pipe()
    p = ctx.Process(target=work.child, args=(b,))
    p.start()
    print("multiprocessing:", a.recv())
    p.join()
    if len(sys.argv) > 1 and sys.argv[1] == "ssl":
        c = ssl.create_default_context()
        print("cafile:", ssl.get_default_verify_paths().cafile)
        print("ca-certs:", c.cert_store_stats()["x509_ca"] > 0)
EOF

V=$("$HP" -c 'import sys; print(sys.version.split()[0])')
if "$MKXAR" -v -o h.xar --python "$HP" --bundle-python --python-entry happ.cli:main \
	--python-exclude 'xmlrpc' --python-include turtledemo app > build.out 2>&1; then
	pass "mkxar --bundle-python builds"
else
	fail "mkxar --bundle-python builds" "$(tail -3 build.out)"
	exit 0
fi
grep -q '^mkxar: bundled __xar__/python/libs/libc.so.6 from /' build.out &&
	pass "-v names each bundled library and where it came from" ||
	fail "-v names the bundled libraries" "$(grep bundled build.out | head -3)"

# ---- what is in the image ----
"$XAREXEC" --list h.xar | awk '{ print $6 }' > list
for f in __xar__/python/bin/python3 __xar__/python/libexec/python \
	 __xar__/python/libexec/ld.so __xar__/python/libs/libc.so.6; do
	grep -qx "$f" list && pass "image holds $f" || fail "image holds $f" "missing"
done
LIB=$(grep -o '^__xar__/python/lib[^/]*/python3\.[0-9]*/' list | head -1)
grep -qx "${LIB}os.py" list && pass "image holds the standard library" ||
	fail "image holds the standard library" "no ${LIB}os.py"
for gone in test idlelib tkinter ensurepip lib2to3 site-packages xmlrpc; do
	grep -q "^${LIB}$gone\(/\|\$\)" list &&
		fail "the default excludes and --python-exclude leave out $gone" "present" ||
		pass "the default excludes and --python-exclude leave out $gone"
done
grep -q "^${LIB}turtledemo/" list && pass "--python-include keeps turtledemo" ||
	fail "--python-include keeps turtledemo" "missing"
TAG=$("$HP" -c 'import sys; print(sys.implementation.cache_tag)')
other=$(grep '__pycache__/.*\.pyc$' list | grep -v "\.$TAG\.pyc$" | head -1)
expect_eq "bytecode of one tag only" "" "$other"
grep -q "^${LIB}json/__pycache__/__init__.$TAG.pyc\$" list &&
	pass "the standard library is compiled" || fail "the standard library is compiled" "no json pyc"

# ---- the default start-up list: what every start of the interpreter reads
check "-v counts the interpreter's start-up list and the app's guessed one" \
	grep -q "start-up list: [0-9]* files laid out first (guessed: the bundled interpreter's, then the entry point's imports)" build.out
"$XAREXEC" --extract sl h.xar __xar__/startup > /dev/null 2>&1
expect_eq "it starts with the loader and the interpreter" \
	"__xar__/python/libexec/ld.so
__xar__/python/libexec/python" "$(head -n 2 sl/__xar__/startup 2>/dev/null)"
check "it names the C library" grep -qx __xar__/python/libs/libc.so.6 sl/__xar__/startup
check "and the encodings modules" \
	grep -qx "${LIB}encodings/__pycache__/__init__.$TAG.pyc" sl/__xar__/startup
check "then the app's entry module" \
	grep -qx "happ/__pycache__/__init__.$TAG.pyc" sl/__xar__/startup
check "and the bundled standard library's modules it imports" \
	grep -qx "${LIB}__pycache__/subprocess.$TAG.pyc" sl/__xar__/startup
check "with their extension modules" \
	grep -qx "${LIB}lib-dynload/_ssl\..*\.so" sl/__xar__/startup
if [ "$("$HP" -c 'import _imp; print(_imp.is_frozen("os"))')" = True ]; then
	check "but not the modules frozen into the interpreter (os)" \
		test -z "$(grep "^${LIB}__pycache__/os\." sl/__xar__/startup)"
fi
expect_eq "every line names a file of the image, or a name marked absent" "" \
	"$(grep -v '	absent$' sl/__xar__/startup 2>/dev/null | grep -vxF -f list)"
if command -v rdsquashfs > /dev/null 2>&1; then
	off=$(sed -n 's/^OFFSET="\([0-9]*\)"$/\1/p' h.xar | head -n 1)
	dd if=h.xar of=h.img bs="$off" skip=1 2>/dev/null
	start() { rdsquashfs -s "$1" h.img 2>/dev/null | sed -n 's/^Blocks start: *//p'; }
	# (an interpreter linked with libpython is too small for a block)
	ld=$(start __xar__/python/libexec/ld.so) libc=$(start __xar__/python/libs/libc.so.6)
	big=$(start "${LIB}pydoc_data/topics.py")
	check "laid out first, in order (loader $ld, C library $libc, then the rest: $big)" \
		test "$ld" -lt "$libc" -a "$libc" -lt "$big"
	# the files every start pages in are compressed for decompression
	# speed: larger than the same C library packed on its own, and read
	# back whole by an independent reader
	hostlibc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
	stored() { rdsquashfs -s "$1" "$2" 2>/dev/null |
		   awk '/Block #[0-9]* size/ { n += $4 } END { print n + 0 }'; }
	mkdir -p plain && cp "$hostlibc" plain/libc.so.6
	"$MKXAR" -q -o plain.xar --no-exec plain
	poff=$(sed -n 's/^OFFSET="\([0-9]*\)"$/\1/p' plain.xar | head -n 1)
	dd if=plain.xar of=plain.img bs="$poff" skip=1 2>/dev/null
	quick=$(stored __xar__/python/libs/libc.so.6 h.img) usual=$(stored libc.so.6 plain.img)
	check "the C library is stored for speed ($quick bytes against $usual)" \
		test "$usual" -gt 0 -a "$quick" -gt "$usual"
	rdsquashfs -c __xar__/python/libs/libc.so.6 h.img > libc.back 2>/dev/null
	check "and reads back as the host's" cmp -s libc.back "$hostlibc"
	rm -f h.img plain.img libc.back
else
	skip "start-up layout" "no rdsquashfs (apt-get install squashfs-tools-ng)"
fi

"$XAREXEC" --info h.xar > info
grep -q "^python: *hermetic: Python .* bundled in __xar__/python .*glibc" info &&
	pass "--info says hermetic and names the C library" ||
	fail "--info says hermetic" "$(grep python: info)"
"$XAREXEC" --info --json h.xar | grep -q '"hermetic":true' &&
	pass "--json says hermetic" || fail "--json says hermetic" "no"

# ---- on the host, with the interpreter hidden and everything set to leak ----
mkdir -p evil/bin evil/path
printf '#!/bin/sh\necho WRONG-PYTHON; exit 3\n' > evil/bin/python3
cp evil/bin/python3 "evil/bin/python${V%.*}"
chmod +x evil/bin/*
echo 'print("LEAK-PYTHONPATH")' > evil/path/sitecustomize.py
echo 'print("LEAK-PYTHONPATH")' > evil/path/usercustomize.py
mkdir -p "evil/home/.local/lib/python${V%.*}/site-packages"
echo 'import sys; print("LEAK-USER-SITE")' > "evil/home/.local/lib/python${V%.*}/site-packages/leak.pth"
# Hide the build interpreter: its whole prefix (pyenv), or for /usr its
# standard library and program.
touch "$T/evil/empty"
if [ "$HPPREFIX" = /usr ]; then
	HIDE="mount --bind $T/evil/path /usr/lib/python${V%.*} && mount --bind $T/evil/empty $HP"
else
	HIDE="mount --bind $T/evil/path $HPPREFIX"
fi
run_hidden() {
	unshare -m sh -c "$HIDE"' && exec "$@"' sh \
		env XAR_MOUNT_TIMEOUT=1 PATH="$T/evil/bin:$PATH" PYTHONPATH="$T/evil/path" \
		PYTHONHOME="$T/evil" PYTHONUSERBASE="$T/evil/home/.local" \
		HOME="$T/evil/home" "$@"
}
if is_root && have_fuse; then
	out=$(run_hidden ./h.xar 2>&1)
	[ -x "$HP" ] && ! run_hidden "$HP" -c 1 >/dev/null 2>&1 &&
		pass "the build interpreter is hidden in the test namespace" ||
		fail "the build interpreter is hidden" "it still runs"
	expect_eq "hidden interpreter: the bundled one runs" \
		"version: $HPVER" "$(echo "$out" | grep '^version:')"
	case $out in *LEAK*|*WRONG*) fail "nothing of the host's Python leaks in" "$out" ;;
		*) pass "nothing of the host's Python leaks in (PYTHONPATH, PYTHONHOME, user site, PATH)" ;; esac
	expect_eq "sys.executable and sys.prefix are in the image" \
		"executable-in-image: True prefix-in-image: True" \
		"$(echo "$out" | grep 'in-image' | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "sys.path holds nothing of the host" \
		"path-outside: []" "$(echo "$out" | grep '^path-outside:')"
	expect_eq "no module was imported from the host" \
		"modules-outside: []" "$(echo "$out" | grep '^modules-outside:')"
	expect_eq "subprocess with sys.executable runs the bundled interpreter" \
		"subprocess: 0 $V" "$(echo "$out" | grep '^subprocess:' | sed 's/ *$//')"
	expect_eq "multiprocessing spawn runs the bundled interpreter" \
		"multiprocessing: spawn:$V" "$(echo "$out" | grep '^multiprocessing:')"
	out=$(./h.xar ssl 2>&1)
	case $(echo "$out" | grep '^cafile:') in
	"cafile: /etc/ssl/certs/ca-certificates.crt") pass "ssl uses the host's CA store" ;;
	*) fail "ssl uses the host's CA store" "$out" ;;
	esac
	expect_eq "ssl loads the host's CA certificates" "ca-certs: True" \
		"$(echo "$out" | grep '^ca-certs:')"
	"$XAREXEC" -u h.xar >/dev/null 2>&1
else
	skip "hermetic on the host" "needs root (mount namespace) and FUSE"
fi
out=$(XAR_EXTRACT=1 ./h.xar 2>&1 | grep -v '^xarexec:')
expect_eq "the extraction fallback runs the bundled interpreter" \
	"version: $HPVER" "$(echo "$out" | grep '^version:')"
expect_eq "... and its children" "multiprocessing: spawn:$V" \
	"$(echo "$out" | grep '^multiprocessing:')"

# ---- bad input: one error line, no output ----
bad() { # NAME PATTERN mkxar-args...
	_n=$1 _p=$2; shift 2
	rm -f bad.xar
	"$MKXAR" -q -o bad.xar "$@" > err 2>&1
	_rc=$?
	# one line (a usage error adds the --help hint)
	if [ $_rc -ne 0 ] && [ ! -e bad.xar ] && grep -q "$_p" err &&
	   [ "$(grep -vc "^Try 'mkxar --help'" err)" -eq 1 ]; then
		pass "$_n"
	else
		fail "$_n" "rc=$_rc $(cat err | head -3 | tr '\n' ' ') $(ls bad.xar 2>/dev/null)"
	fi
}
bad "an INTERP that is not a Python: refused" "did not answer as a Python\|failed" \
	--python /bin/true --bundle-python --python-entry happ.cli:main app
mkdir -p other/happ
cp app/happ/*.py other/happ/
# an extension module for another machine (aarch64)
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\003\000\267\000\001\000\000\000' > other/happ/_fast.cpython-312-aarch64-linux-gnu.so
head -c 200 /dev/zero >> other/happ/_fast.cpython-312-aarch64-linux-gnu.so
bad "an extension of another architecture: refused" "another architecture" \
	--python "$HP" --bundle-python --python-entry happ.cli:main other
if command -v cc >/dev/null 2>&1; then
	mkdir -p missing/happ gone
	cp app/happ/*.py missing/happ/
	echo 'int gone(void) { return 1; }' > gone/gone.c
	cc -shared -fPIC -o gone/libxargone.so.1 -Wl,-soname,libxargone.so.1 gone/gone.c &&
	echo 'int gone(void); int use(void) { return gone(); }' > gone/use.c &&
	cc -shared -fPIC -o missing/happ/_use.so gone/use.c gone/libxargone.so.1 &&
	rm gone/libxargone.so.1
	bad "a needed library that is nowhere: refused" "libxargone.so.1.*is not found" \
		--python "$HP" --bundle-python --python-entry happ.cli:main missing
else
	skip "a needed library that is nowhere" "no C compiler"
fi
bad "--python-exclude without --bundle-python: refused" "go with --bundle-python" \
	--python "$HP" --python-exclude x --python-entry happ.cli:main app

# ---- nothing installed: an empty chroot (self-contained + hermetic) ----
if ! is_root || ! have_fuse; then
	skip "hermetic in an empty chroot" "needs root for chroot and mounts, and FUSE"
	exit 0
fi
S="$T/samples"
if ! SAMPLES_OUT="$S" SAMPLE_FLAGS="--bundle-python --self-contained" \
	PYTHON="$HP" sh "$TOP/samples/build.sh" "$BUILD" licenses crc32c > "$T/sout" 2>&1; then
	fail "hermetic self-contained samples build" "$(tail -3 "$T/sout")"
	exit 0
fi
"$MKXAR" -q -o hs.xar --self-contained --python "$HP" --bundle-python \
	--python-entry happ.cli:main app
R="$T/root"
mkdir -p "$R/proc" "$R/dev" "$R/mnt" "$R/home/u" "$R/etc/pki/tls/certs"
chmod 1777 "$R/mnt"
touch "$R/dev/fuse" "$R/dev/null"
cp hs.xar "$R/app.xar"
cp "$S/crc32c.xar" "$S/licenses.xar" "$R/"
# a RHEL-style CA store only
cp /etc/ssl/certs/ca-certificates.crt "$R/etc/pki/tls/certs/ca-bundle.crt"
CHROOT=$(command -v chroot)
in_chroot() {
	unshare -m sh -c 'mount --bind /dev/fuse "$0/dev/fuse" &&
		mount --bind /dev/null "$0/dev/null" &&
		mount -t proc proc "$0/proc" && exec "$@"' "$R" \
		env -i XAR_MOUNT_ROOT=/mnt XAR_MOUNT_TIMEOUT=1 HOME=/home/u \
		${CHROOT_ENV:-} "$CHROOT" "$R" "$@"
}
for mode in fuse extract; do
	[ $mode = extract ] && CHROOT_ENV=XAR_EXTRACT=1 || CHROOT_ENV=
	out=$(in_chroot /app.xar ssl 2>&1 | grep -v '^xarexec:')
	expect_eq "chroot ($mode): the bundled interpreter runs" \
		"version: $HPVER" "$(echo "$out" | grep '^version:')"
	expect_eq "chroot ($mode): subprocess and spawn with sys.executable" \
		"subprocess: 0 $V|multiprocessing: spawn:$V" \
		"$(echo "$out" | grep '^subprocess:\|^multiprocessing:' | sed 's/ *$//' | tr '\n' '|' | sed 's/|$//')"
	expect_eq "chroot ($mode): ssl finds a RHEL-style CA store" \
		"cafile: /etc/pki/tls/certs/ca-bundle.crt|ca-certs: True" \
		"$(echo "$out" | grep '^cafile:\|^ca-certs:' | tr '\n' '|' | sed 's/|$//')"
	expect_eq "chroot ($mode): crc32c (a native extension) as on the host" \
		"$(printf 123456789 | "$S/crc32c.xar")" \
		"$(printf 123456789 | in_chroot /crc32c.xar 2>&1 | grep -v '^xarexec:')"
	expect_eq "chroot ($mode): licenses as on the host" \
		"$("$S/licenses.xar" list)" "$(in_chroot /licenses.xar list 2>&1 | grep -v '^xarexec:')"
done
CHROOT_ENV=
# the host's own mounts (the comparison runs) go now; the chroot's servers
# must go by themselves (a 1 s idle timeout)
for x in h.xar "$S/crc32c.xar" "$S/licenses.xar"; do "$XAREXEC" -u "$x" >/dev/null 2>&1; done
wait_until 10 eval '[ "$(run_server_count "$T")" -eq 0 ]' &&
	pass "chroot: the servers exit when idle" ||
	fail "chroot: the servers exit when idle" "still running: $(for p in $(run_servers_under "$T"); do ls -l /proc/$p/fd | grep -o "$T/[^ ]*xar"; done | tr '\n' ' ')"
