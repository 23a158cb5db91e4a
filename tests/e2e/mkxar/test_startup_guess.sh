#!/bin/sh
# A Python xar built without --profile or --startup-list gets a start-up
# list guessed from its entry point's imports: the modules imported as the
# entry is (module level, class bodies, if/try blocks; not functions, not
# `if TYPE_CHECKING:`), parents first, in the order met, with the absent
# extension-module names the import system probes for before each package.
# Checked against what a --profile run records the app reading, and on the
# first mount (it prefetches the list); deterministic for any -j;
# --no-startup-guess and --no-compile.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
. "$(dirname "$0")/../lib_python.sh"
py_require startup_guess
cd "$T" || exit 1
export SOURCE_DATE_EPOCH=1700000000

mkdir -p src/app/sub src/app/big
cat > src/app/__init__.py <<'EOF'
from . import base
EOF
cat > src/app/base.py <<'EOF'
VALUE = 1
EOF
cat > src/app/cli.py <<'EOF'
import os
from typing import TYPE_CHECKING
import app.sub.leaf
from .sub import other
try:
    from app import fastmod
except ImportError:
    fastmod = None
if TYPE_CHECKING:
    from app import typing_only
class Config:
    from app import inclass
def main():
    from app import lazy
    print("ok", app.sub.leaf.N + other.N + Config.inclass.N, fastmod is None, lazy.N)
    return 0
EOF
echo "N = 1" > src/app/sub/__init__.py
echo "N = 10" > src/app/sub/leaf.py
echo "N = 100" > src/app/sub/other.py
echo "N = 1000" > src/app/inclass.py
echo "N = 7" > src/app/lazy.py
echo "X = 1" > src/app/typing_only.py
echo "X = 1" > src/app/unused.py
# not a real extension module: importing it fails, as the app expects
printf 'not ELF' > "src/app/fastmod.$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' | sed 's/^\.//')"
# a module that fills blocks of its own, so that prefetching shows
"$PY" -c 'import random; random.seed(1); print("DATA = %r" % bytes(random.randrange(256) for _ in range(300000)))' > src/app/big/__init__.py
echo "from app import big" >> src/app/sub/other.py

pyc() { echo "$1/__pycache__/$2.$PYTAG.pyc"; }
probes() { # DIR: the extension names looked for before DIR/__init__
	"$PY" -c 'import sys; from importlib.machinery import EXTENSION_SUFFIXES as s
print("".join("%s/__init__%s\tabsent\n" % (sys.argv[1], x) for x in s), end="")' "$1"
}
ext=$(cd src/app && ls fastmod.*.so)
want=$(printf '%s\n' "__xar__/bootstrap.py"
	probes app; pyc app __init__; pyc app base; pyc app cli
	probes app/sub; pyc app/sub __init__; pyc app/sub leaf; pyc app/sub other
	probes app/big; pyc app/big __init__
	echo "app/$ext"; pyc app inclass)

if "$MKXAR" -v -o g.xar --python-entry app.cli:main src > g.out 2> g.err; then
	pass "plain build"
else
	fail "plain build" "$(tail -n 2 g.err)"
	exit 0
fi
check "verbose output counts the guessed list" \
	grep -q "start-up list: 10 files laid out first (guessed" g.err
"$XAREXEC" --extract g g.xar __xar__/startup > /dev/null 2>&1
expect_eq "the entry's imports, in the order met" "$want" "$(cat g/__xar__/startup 2>/dev/null)"
expect_eq "the app runs" "ok 1110 True 7" "$("$XAREXEC" g.xar)"
"$XAREXEC" -u g.xar

# What the app really reads at start-up, recorded by a profile run; its
# output comes from main(), after every import the guess follows.
mkdir tmp
if TMPDIR="$T/tmp" "$MKXAR" -q -o p.xar --python-entry app.cli:main \
	--profile '' src > /dev/null 2> p.err; then
	"$XAREXEC" --extract p p.xar __xar__/startup > /dev/null 2>&1
	# lazy is imported by main(), after the start-up the guess is about
	expect_eq "the guess is what a profile run records, up to main()" \
		"$(echo "$want" | cut -f1)" \
		"$(cut -f1 p/__xar__/startup | grep -v "$(pyc app lazy)")"
else
	fail "profile build" "$(tail -n 2 p.err)"
fi

# Laid out first and prefetched by the first mount here.
"$MKXAR" -q -o n.xar --no-startup-guess --python-entry app.cli:main src
"$XAREXEC" --extract n n.xar > /dev/null 2>&1
check "--no-startup-guess: no list" test ! -e n/__xar__/startup
with=$(first_prefetch g.xar)
without=$(first_prefetch n.xar)
check "a first mount prefetches the guess ($with blocks, $without without)" \
	test "${with:-0}" -ge $((${without:-0} + 3))

# Deterministic, whatever the thread count.
"$MKXAR" -q -j 1 -o g1.xar --python-entry app.cli:main src
"$MKXAR" -q -j 3 -o g3.xar --python-entry app.cli:main src
check "same bytes with -j 1 and -j 3" cmp -s g1.xar g3.xar
check "same bytes as the first build" cmp -s g1.xar g.xar

# Without bytecode the sources are what is read.
"$MKXAR" -q --no-compile -o s.xar --python-entry app.cli:main src
"$XAREXEC" --extract s s.xar __xar__/startup > /dev/null 2>&1
check "--no-compile: sources listed" grep -qx "app/sub/leaf.py" s/__xar__/startup
check "--no-compile: no pyc listed" sh -c "! grep -q pyc s/__xar__/startup"
expect_eq "no temporary files left" "" "$(ls -A tmp)"
