#!/bin/sh
# make demo: pack a sample into one executable file, show its header, run it.
#   sh samples/demo.sh BUILD
set -eu
BUILD=$(cd "${1:?usage: sh samples/demo.sh BUILD}" && pwd)
SAMPLES=$(cd "$(dirname "$0")" && pwd)
OUT=$BUILD/demo
mkdir -p "$OUT"
export PATH="$BUILD:$PATH" # the xar's "#!/usr/bin/env xarexec" finds ours
cd "$OUT"

show() { printf '\n$ %s\n' "$*"; sh -c "$*"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

if "$BUILD/mkxar" --help | grep -q -- --python-entry; then
	app=licenses.xar
	show mkxar -o $app --python-entry licenses "$SAMPLES/licenses"
	first="./$app list"
	next="./$app where    # it runs from the mounted image"
else
	app=cheat.xar
	show mkxar -o $app --exec bin/cheat "$SAMPLES/cheat"
	first="./$app"
	next="./$app tar"
fi
show ls -l $app
printf '\n$ sed /^#xar_stop/q %s    # the text header; the SquashFS image follows\n' $app
sed '/^#xar_stop$/q' $app
t0=$(ms); show "$first"; t1=$(ms)
show "$next"; t2=$(ms)
printf '\nfirst run (mounts the image): %d ms; next run (mount reused): %d ms\n' \
    $((t1 - t0)) $((t2 - t1))
"$BUILD/xarexec" -u $app >/dev/null 2>&1 || true
