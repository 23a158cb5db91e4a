#!/bin/sh
# Python xars with dependencies: pip installs into the image (-r, --pip),
# a failing pip leaves nothing behind, and a real third-party app from
# Debian's packages (pygmentize) runs through its console script.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_python.sh"
py_require python_pip

# Building a setuptools project offline takes setuptools and wheel in the
# interpreter itself (Debian's has both; pyenv's often lacks wheel).
PIPPY=""
for p in "$PY" /usr/bin/python3; do
	"$p" -c 'import setuptools, wheel' 2>/dev/null && { PIPPY=$p; break; }
done

mkdir -p "$T/lib/tinylib" "$T/src/tool" "$T/tmp"
cat > "$T/lib/setup.py" <<'EOF'
from setuptools import setup
setup(name="tinylib", version="1.0", packages=["tinylib"],
      entry_points={"console_scripts": ["tiny = tinylib:main"]})
EOF
cat > "$T/lib/tinylib/__init__.py" <<'EOF'
import sys
def greet(who):
    return "hello, %s" % who
def main():
    print(greet(" ".join(sys.argv[1:]) or "tiny"), "from", __file__)
EOF
cat > "$T/src/tool/__main__.py" <<'EOF'
import tinylib
print(tinylib.greet("tool"))
EOF
echo "$T/lib" > "$T/requirements.txt"

if [ -z "$PIPPY" ]; then
	skip pip_local_project "no interpreter with setuptools and wheel"
else
	# -r FILE and --pip pass-through; the staging directory goes away
	if TMPDIR="$T/tmp" mkpy req --python "$PIPPY" --python-entry tool \
	    -r "$T/requirements.txt" --pip --no-index --pip --no-build-isolation \
	    --pip --quiet "$T/src" 2>"$T/err"; then
		expect_eq requirements_installed "hello, tool" "$("$T/req.xar" 2>&1)"
		expect_eq staging_removed "" "$(ls -A "$T/tmp")"
	else
		fail requirements_build "$(tail -n 3 "$T/err")"
	fi
	# a console script of a distribution pip installed
	if mkpy tiny --python "$PIPPY" --console-script tiny --pip --no-index \
	    --pip --no-build-isolation --pip --quiet --pip "$T/lib" 2>"$T/err"; then
		out=$("$T/tiny.xar" big world 2>&1)
		case $out in
		"hello, big world from $XAR_MOUNT_ROOT/"*"/tinylib/__init__.py")
			pass pip_console_script ;;
		*) fail pip_console_script "$out" ;;
		esac
	else
		fail pip_console_script_build "$(tail -n 3 "$T/err")"
	fi
fi

# --- a failing pip install: pip's error shown, no output, no temp files ----
TMPDIR="$T/tmp" "$MKXAR" -q -o "$T/fail.xar" --python-entry tool --pip --no-index \
    --pip no-such-package-for-xar-tests "$T/src" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ]; then
	fail failing_pip_fails "mkxar succeeded"
elif ! grep -q "no-such-package-for-xar-tests" "$T/err" || ! grep -q '^mkxar: error: ' "$T/err"; then
	fail failing_pip_fails "$(tail -n 3 "$T/err" | tr '\n' ' ')"
elif ls "$T" | grep -q '^fail\.xar'; then
	fail failing_pip_fails "output left behind: $(ls "$T" | grep fail)"
elif [ -n "$(ls -A "$T/tmp")" ]; then
	fail failing_pip_fails "staging left behind: $(ls -A "$T/tmp")"
else
	pass failing_pip_leaves_nothing
fi

# --- Debian's pygmentize, copied with its distribution metadata -------------
DP=/usr/lib/python3/dist-packages
egg=$(cd "$DP" 2>/dev/null && ls -d Pygments-*.egg-info Pygments-*.dist-info 2>/dev/null | head -n 1)
if [ ! -d "$DP/pygments" ] || [ -z "$egg" ]; then
	skip pygmentize "python3-pygments is not installed"
elif mkpy pyg --console-script pygmentize --exclude __pycache__ \
    "$DP/pygments=pygments" "$DP/$egg=$egg" 2>"$T/err"; then
	expect_eq pygmentize_entry pygments.cmdline:main "$(header_value "$T/pyg.xar" XAR_PYTHON_ENTRY)"
	out=$(printf 'def f(x):\n    return x\n' | "$T/pyg.xar" -l python -f html 2>&1)
	case $out in
	*'<span class="k">def</span> <span class="nf">f</span>'*) pass pygmentize_highlights ;;
	*) fail pygmentize_highlights "$out" ;;
	esac
	ver=${egg#Pygments-}; ver=${ver%.egg-info}; ver=${ver%.dist-info}
	expect_eq pygmentize_version "Pygments version $ver" \
	    "$("$T/pyg.xar" -V | sed 's/,.*//')"
	"$T/pyg.xar" -l no-such-lexer /dev/null >/dev/null 2>&1
	expect_eq pygmentize_error_status 1 $?
else
	fail pygmentize_build "$(tail -n 3 "$T/err")"
fi
