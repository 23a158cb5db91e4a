#!/bin/sh
# Start-up time and size of Python apps packed as xars, side by side with
# the same tree unpacked on disk (same interpreter, same .pyc files, same
# bootstrap) and with `python3 -m zipapp` of that tree (deflated).
#   sh bench/python.sh [BUILD]     (env: RUNS=30 COLD_RUNS=10)
# hot: the mount exists; cold: a fresh mount each run (xarexec -u between
# runs; the page cache stays warm), which prefetches the start-up list the
# mount before learnt; first: the same, with that list removed too (the
# first mount of the image here: the first run after a deploy). Medians,
# in milliseconds. Sizes: the
# unpacked tree, the xar, the zipapp of the same tree and, for reference,
# the zipapp without the __pycache__ directories (zipimport cannot use them).
# Targets (issue 4): hot <= 1.03x unpacked, cold <= hot + 10 ms,
# size <= 0.85x the zipapp.
# Hermetic rows (mkxar --bundle-python, issue 12): the same app with the
# interpreter in the image, against the unpacked tree run by the same
# bundled interpreter through the same loader command; sizes against the
# deflated zipapp plus the same interpreter bundle deflated into a zip.
# Each hermetic app is also built with mkxar --profile ARGS and timed again.
# Targets: hot <= 1.03x unpacked, cold <= hot + 15 ms, hello world
# <= 16 MiB.
set -eu
BUILD=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
RUNS=${RUNS:-30}
COLD_RUNS=${COLD_RUNS:-10}
. "$(dirname "$0")/lib.sh"
bench_workdir python
PY=$(python3 -c 'import sys; print(sys.executable)')

# timeit MODE RUNS CMD...: median wall time of CMD in ms; MODE cold runs
# "xarexec -u" on the xar (CMD's first word) before each run, MODE first
# also removes the start-up lists learnt by earlier mounts (the image's,
# and the one kept for the name the xar is run by: lib/mount/mount.c).
timeit() {
	"$PY" - "$@" <<'EOF'
import hashlib, os, statistics, subprocess, sys, time
mode, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
null = subprocess.DEVNULL
def once():
    t = time.perf_counter()
    subprocess.run(cmd, stdout=null, stderr=null, check=True)
    return (time.perf_counter() - t) * 1000
for _ in range(3):
    once()
times = []
for _ in range(runs):
    if mode in ("cold", "first"):
        subprocess.run(["xarexec", "-u", cmd[0]], stdout=null, stderr=null)
    if mode == "first":
        mp = subprocess.run(["xarexec", "-n", cmd[0]], capture_output=True,
                            text=True, check=True).stdout.strip()
        key = hashlib.sha256(os.path.abspath(cmd[0]).encode()).hexdigest()[:16]
        for f in (mp + ".startup", os.path.join(os.path.dirname(mp),
                  "path-" + key + ".startup")):
            if os.path.exists(f):
                os.unlink(f)
    times.append(once())
print("%.1f" % statistics.median(times))
EOF
}

# zipapp TREE ENTRY OUT: a deflated zipapp of TREE starting ENTRY as the
# bootstrap does (a module as __main__, or sys.exit(function())).
zipapp() {
	rm -rf "$W/zip.tree"
	cp -R "$1" "$W/zip.tree"
	case $2 in
	*:*) printf 'import sys
import %s as m
sys.exit(m.%s())
' "${2%%:*}" "${2#*:}" ;;
	*) printf 'import runpy
runpy.run_module("%s", run_name="__main__", alter_sys=True)
' "$2" ;;
	esac > "$W/zip.tree/__main__.py"
	"$PY" -m zipapp "$W/zip.tree" -c -p "$PY" -o "$3"
	find "$W/zip.tree" -name __pycache__ -prune -exec rm -rf {} +
	"$PY" -m zipapp "$W/zip.tree" -c -p "$PY" -o "$3.src"
}

# bench NAME ENTRY-OPTION ARGS -- SOURCES...: one app, three ways.
bench() {
	name=$1 entry=$2 args=$3
	shift 3
	"$BUILD/mkxar" -q -o "$W/$name.xar" $entry "$@"
	unsquashfs -q -n -o 4096 -d "$W/$name.tree" "$W/$name.xar" >/dev/null
	main=$(sed -n '/^#xar_stop/q; s/^XAR_PYTHON_ENTRY="\(.*\)"$/\1/p' "$W/$name.xar")
	zipapp "$W/$name.tree" "$main" "$W/$name.pyz"
	chmod 755 "$W/$name.xar"
	unpacked=$(PYTHONPATH="$W/$name.tree" timeit hot "$RUNS" "$PY" "$W/$name.tree/__xar__/bootstrap.py" $args)
	hot=$(timeit hot "$RUNS" "$W/$name.xar" $args)
	cold=$(timeit cold "$COLD_RUNS" "$W/$name.xar" $args)
	first=$(timeit first "$COLD_RUNS" "$W/$name.xar" $args)
	zip=$(timeit hot "$RUNS" "$PY" "$W/$name.pyz" $args)
	xs=$(stat -c %s "$W/$name.xar")
	zs=$(stat -c %s "$W/$name.pyz")
	zss=$(stat -c %s "$W/$name.pyz.src")
	ts=$(du -sb "$W/$name.tree" | cut -f1)
	awk -v n="$name" -v u="$unpacked" -v h="$hot" -v c="$cold" -v z="$zip" \
	    -v xs="$xs" -v zs="$zs" -v zss="$zss" -v ts="$ts" -v f="$first" 'BEGIN {
		printf "%-10s %9.1f %9.1f %9.1f %9.1f %10d %10d %10d %10d\n", n, u, h, c, z, ts, xs, zs, zss
		printf "%-10s hot/unpacked %.3f%s  cold-hot %.1f ms%s (first mount %.1f ms)  size/zipapp %.3f%s  zipapp/xar hot %.2f\n", "",
		    h / u, (h / u <= 1.03 ? "" : " (over 1.03)"), c - h, (c - h <= 10 ? "" : " (over 10)"), f - h,
		    xs / zs, (xs / zs <= 0.85 ? "" : " (over 0.85)"), z / h
	}'
}

# zipdir DIR OUT: DIR deflated (level 9) into a zip.
zipdir() {
	"$PY" - "$1" "$2" <<'EOF'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for d, _, files in os.walk(src):
        for f in files:
            p = os.path.join(d, f)
            if not os.path.islink(p):
                z.write(p, os.path.relpath(p, src))
EOF
}

# hermetic NAME ENTRY-OPTION ARGS -- SOURCES...: one app, bundled.
hermetic() {
	name=h-$1 entry=$2 args=$3
	shift 3
	"$BUILD/mkxar" -q -o "$W/$name.xar" --bundle-python --python "$HPY" $entry "$@"
	unsquashfs -q -n -o 4096 -d "$W/$name.tree" "$W/$name.xar" >/dev/null
	t=$W/$name.tree P=$W/$name.tree/__xar__/python
	main=$(sed -n '/^#xar_stop/q; s/^XAR_PYTHON_ENTRY="\(.*\)"$/\1/p' "$W/$name.xar")
	mkdir -p "$W/$name.app"
	(cd "$t" && tar --exclude=./__xar__/python -cf - .) | (cd "$W/$name.app" && tar -xf -)
	zipapp "$W/$name.app" "$main" "$W/$name.pyz"
	zipdir "$P" "$W/$name.interp.zip"
	unpacked=$(PYTHONPATH="$t" timeit hot "$RUNS" "$P/libexec/ld.so" --library-path "$P/libs" \
	    --inhibit-cache --argv0 "$P/bin/python3" "$P/libexec/python" -s "$t/__xar__/bootstrap.py" $args)
	hot=$(timeit hot "$RUNS" "$W/$name.xar" $args)
	cold=$(timeit cold "$COLD_RUNS" "$W/$name.xar" $args)
	first=$(timeit first "$COLD_RUNS" "$W/$name.xar" $args)
	# the same built with --profile ARGS (start-up laid out first, read ahead)
	"$BUILD/mkxar" -q -o "$W/$name-p.xar" --bundle-python --python "$HPY" --profile "$args" $entry "$@"
	phot=$(timeit hot "$RUNS" "$W/$name-p.xar" $args)
	pcold=$(timeit cold "$COLD_RUNS" "$W/$name-p.xar" $args)
	pfirst=$(timeit first "$COLD_RUNS" "$W/$name-p.xar" $args)
	xs=$(stat -c %s "$W/$name.xar")
	zs=$(($(stat -c %s "$W/$name.pyz") + $(stat -c %s "$W/$name.interp.zip")))
	awk -v n="$name" -v u="$unpacked" -v h="$hot" -v c="$cold" -v xs="$xs" -v zs="$zs" \
	    -v ph="$phot" -v pc="$pcold" -v f="$first" -v pf="$pfirst" 'BEGIN {
		printf "%-10s %9.1f %9.1f %9.1f %9s %10s %10d %10d\n", n, u, h, c, "-", "-", xs, zs
		printf "%-10s hot/unpacked %.3f%s  cold-hot %.1f ms%s (first mount %.1f ms)  size/(zipapp+interpreter zip) %.3f  xar %.1f MiB%s\n", "",
		    h / u, (h / u <= 1.03 ? "" : " (over 1.03)"), c - h, (c - h <= 15 ? "" : " (over 15)"), f - h,
		    xs / zs, xs / 1048576, (n == "h-hello" && xs > 16 * 1048576 ? " (over 16 MiB)" : "")
		printf "%-10s --profile: hot/unpacked %.3f%s  cold-hot %.1f ms%s (first mount %.1f ms)\n", "",
		    ph / u, (ph / u <= 1.03 ? "" : " (over 1.03)"), pc - ph, (pc - ph <= 15 ? "" : " (over 15)"), pf - ph
	}'
}

echo "python: $PY; medians of $RUNS hot and $COLD_RUNS cold runs, ms; sizes in bytes"
printf '%-10s %9s %9s %9s %9s %10s %10s %10s %10s\n' app unpacked xar_hot xar_cold zipapp \
    tree_bytes xar_bytes zip_bytes zip_no_pyc
DP=/usr/lib/python3/dist-packages
if [ -d "$DP/pygments" ]; then
	egg=$(cd "$DP" && ls -d Pygments-*-info | head -n 1)
	printf 'def f(x):\n    return x * 2\n' > "$W/in.py"
	# Debian's own __pycache__ comes along; mkxar's bytecode replaces it
	bench pygmentize "--console-script pygmentize" "-l python -f terminal256 $W/in.py" \
	    "$DP/pygments=pygments" "$DP/$egg=$egg"
fi
bench licenses "--python-entry licenses" "list" \
    "$(cd "$(dirname "$0")/.." && pwd)/samples/licenses"


HPY=${HERMETIC_PYTHON:-/usr/bin/python3.11}
if [ -x "$HPY" ]; then
	echo "hermetic: $HPY bundled (mkxar --bundle-python); zip_bytes = zipapp + interpreter zip"
	mkdir -p "$W/hello/hello"
	echo 'print("hello")' > "$W/hello/hello/__main__.py"
	: > "$W/hello/hello/__init__.py"
	hermetic hello "--python-entry hello" "" "$W/hello"
	if [ -d "$DP/pygments" ]; then
		hermetic pygmentize "--console-script pygmentize" "-l python -f terminal256 $W/in.py" \
		    "$DP/pygments=pygments" "$DP/$egg=$egg"
	fi
fi
