#!/bin/sh
# The code's shape as lib/README.md states it: includes, folder
# dependencies, no include or call cycles between files, short functions,
# xar_* exports (tests/tools/layout-check.py, over the built objects).
. "$(dirname "$0")/../lib.sh"

python3 "$TOP/tests/tools/layout-check.py" "$TOP" "$BUILD"
