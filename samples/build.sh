#!/bin/sh
# Build the samples into BUILD/samples/<name>.xar (`make samples`).
#   sh samples/build.sh BUILD [NAME]...     NAME: licenses csvtable crc32c cheat
# PYTHON names the interpreter to record (default: python3 on PATH; the real
# program behind it is recorded, not a pyenv shim). CC builds the extension.
# SAMPLES_OUT overrides where the xars go; SAMPLE_FLAGS adds mkxar options
# to the Python samples (e.g. "--bundle-python --self-contained").
set -eu
[ $# -ge 1 ] || { echo "usage: sh samples/build.sh BUILD [NAME]..." >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
shift
SAMPLES=$(cd "$(dirname "$0")" && pwd)
MKXAR=$BUILD/mkxar
OUT=${SAMPLES_OUT:-$BUILD/samples}
WORK=$OUT/work
mkdir -p "$OUT" "$WORK"
PY=$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')

say() { echo "samples: $*"; }

# A pure-Python CLI: a package with data files and sub-command modules.
build_licenses() {
	"$MKXAR" -q -o "$OUT/licenses.xar" --python "$PY" ${SAMPLE_FLAGS:-} \
	    --python-entry licenses --exclude __pycache__ "$SAMPLES/licenses"
}

# An app and the library it needs, both local setuptools projects, installed
# by pip offline; run through the console script the app declares. pip
# builds in the project directory, so it builds copies, not the repo.
build_csvtable() {
	rm -rf "$WORK/csvtable"
	mkdir -p "$WORK/csvtable"
	cp -R "$SAMPLES/csvtable/tabulite" "$SAMPLES/csvtable/csvtable" \
	    "$WORK/csvtable/"
	"$MKXAR" -q -o "$OUT/csvtable.xar" --python "$(pip_python)" \
	    --console-script csvtable \
	    --pip --no-index --pip --no-build-isolation --pip --quiet \
	    --pip "$WORK/csvtable/tabulite" --pip "$WORK/csvtable/csvtable"
}

# Building a setuptools project offline takes setuptools and wheel in the
# interpreter itself; pyenv's builds often lack wheel, Debian's has both.
pip_python() {
	for p in "$PY" /usr/bin/python3; do
		if "$p" -c 'import setuptools, wheel' 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "samples: csvtable needs an interpreter with setuptools and" \
	     "wheel (apt-get install python3-setuptools python3-wheel)" >&2
	return 1
}

# A native extension module, compiled here against the recorded
# interpreter's headers and loaded from the mount at run time.
build_crc32c() {
	inc=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
	ext=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
	rm -rf "$WORK/crc32c"
	mkdir -p "$WORK/crc32c/crc32c"
	cp "$SAMPLES/crc32c/crc32c/"*.py "$WORK/crc32c/crc32c/"
	${CC:-cc} -O2 -Wall -Wextra -shared -fPIC -I"$inc" \
	    -o "$WORK/crc32c/crc32c/_crc32c$ext" "$SAMPLES/crc32c/crc32c/_crc32c.c"
	"$MKXAR" -q -o "$OUT/crc32c.xar" --python "$PY" ${SAMPLE_FLAGS:-} \
	    --python-entry crc32c \
	    "$WORK/crc32c"
}

# Raw mode: no Python, a shell script and its data files.
build_cheat() {
	"$MKXAR" -q -o "$OUT/cheat.xar" --exec bin/cheat "$SAMPLES/cheat"
}

names=${*:-licenses csvtable crc32c cheat}
has_python=yes
"$MKXAR" --help | grep -q -- '--python-entry' || has_python=no
for n in $names; do
	case $n in
	licenses|csvtable|crc32c)
		if [ $has_python = no ]; then
			say "skipping $n: this mkxar has no Python options yet"
			continue
		fi ;;
	cheat) ;;
	*) echo "samples: no sample '$n'" >&2; exit 2 ;;
	esac
	"build_$n"
	say "built $OUT/$n.xar"
done
