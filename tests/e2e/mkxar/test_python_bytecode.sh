#!/bin/sh
# Python xars carry bytecode valid as stored: nothing is compiled at
# start-up on the read-only mount (strace), every .pyc matches its source
# (checked by the interpreter's own importlib), builds are reproducible.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_python.sh"
py_require python_bytecode
make_app_tree

mkpy comp --python-entry app:env "$T/app" 2>"$T/err" ||
    { fail comp_build "$(cat "$T/err")"; exit 0; }
mkpy nocomp --no-compile --python-entry app:env "$T/app" 2>"$T/err" ||
    { fail nocomp_build "$(cat "$T/err")"; exit 0; }

# --- what the image holds --------------------------------------------------
listing() { unsquashfs -o 4096 -lc "$1" 2>/dev/null | sed 's|^squashfs-root/||'; }
if listing "$T/comp.xar" | grep -qx "app/__pycache__/__init__.$PYTAG.pyc" &&
   listing "$T/comp.xar" | grep -qx "__pycache__/shadowed.$PYTAG.pyc"; then
	pass pyc_in_image
else
	fail pyc_in_image "$(listing "$T/comp.xar" | tr '\n' ' ')"
fi
# the user's --exclude (here of stale __pycache__ dirs in a source tree)
# must not drop the bytecode mkxar generates
mkdir -p "$T/app/app/__pycache__"
echo stale > "$T/app/app/__pycache__/__init__.cpython-00.pyc"
if mkpy excl --python-entry app:env --exclude __pycache__ "$T/app" 2>"$T/err" &&
   listing "$T/excl.xar" | grep -qx "app/__pycache__/__init__.$PYTAG.pyc" &&
   ! listing "$T/excl.xar" | grep -q 'cpython-00'; then
	pass exclude_keeps_generated_pyc
else
	fail exclude_keeps_generated_pyc "$(cat "$T/err") $(listing "$T/excl.xar" | grep -c __pycache__) pyc entries"
fi
rm -r "$T/app/app/__pycache__"
if listing "$T/nocomp.xar" | grep -q __pycache__; then
	fail no_compile_has_no_pyc "$(listing "$T/nocomp.xar" | grep __pycache__)"
else
	pass no_compile_has_no_pyc
fi

# --- every pyc is valid as stored: magic, unchecked hash, source hash ------
root_of() { "$T/$1.xar" | sed -n 's/^XAR_RUNTIME_FILES=//p'; }
root=$(root_of comp)
out=$("$PY" -I - "$root" <<'EOF'
import importlib.util, os, sys
root, ok, bad = sys.argv[1], 0, []
for d, dirs, files in os.walk(root):
    dirs[:] = [x for x in dirs if x != "__xar__"]
    for f in files:
        if not f.endswith(".py"):
            continue
        src = os.path.join(d, f)
        with open(src, "rb") as s, open(importlib.util.cache_from_source(src), "rb") as c:
            head, body = c.read(16), s.read()
        if (head[:4] == importlib.util.MAGIC_NUMBER and head[4:8] == b"\1\0\0\0"
                and head[8:] == importlib.util.source_hash(body)):
            ok += 1
        else:
            bad.append(src)
print(ok, bad)
EOF
)
expect_eq pyc_valid_as_stored "3 []" "$out"

# --- start-up compiles nothing: strace a run (the mount already exists) ----
# trace NAME: strace the second run of NAME.xar into NAME.trace
trace() {
	"$T/$1.xar" >/dev/null 2>&1
	timeout 60 strace -f -qq -o "$T/$1.trace" -e trace=open,openat,mkdir,rename \
	    "$T/$1.xar" >/dev/null 2>&1
}
sources_read() { # .py files of the image opened successfully
	grep "\"$(root_of "$1")/[^\"]*\\.py\", O_RDONLY" "$T/$1.trace" |
	    grep -v '= -1' | grep -v '/__xar__/bootstrap.py"' | wc -l
}
cache_writes() { # any attempt to make a __pycache__ or write into one
	grep "__pycache__" "$T/$1.trace" | grep -E 'mkdir|rename|O_WRONLY|O_RDWR|O_CREAT' | wc -l
}
if ! command -v strace >/dev/null 2>&1; then
	skip startup_compiles_nothing "strace is not installed"
elif trace comp && trace nocomp; then
	pycs=$(grep "\"$root/[^\"]*\\.pyc\"" "$T/comp.trace" | grep -vc '= -1')
	if [ "$(sources_read comp)" -eq 0 ] && [ "$(cache_writes comp)" -eq 0 ] &&
	   [ "$pycs" -ge 2 ]; then
		pass startup_compiles_nothing
	else
		fail startup_compiles_nothing "sources read: $(sources_read comp), cache writes: $(cache_writes comp), pycs: $pycs"
	fi
	# the same check sees compilation when there is no bytecode
	if [ "$(sources_read nocomp)" -ge 2 ]; then
		pass strace_check_sees_compilation
	else
		fail strace_check_sees_compilation "sources read: $(sources_read nocomp)"
	fi
else
	fail startup_compiles_nothing "strace failed"
fi

# --- reproducible: the same sources give the same bytes -------------------
mkpy comp2 --python-entry app:env "$T/app" 2>"$T/err"
if cmp -s "$T/comp.xar" "$T/comp2.xar"; then
	pass python_build_reproducible
else
	fail python_build_reproducible "$(cmp "$T/comp.xar" "$T/comp2.xar")"
fi
