#!/bin/sh
# A SOURCE that is a Python project (issue 16, item 5): pyproject.toml or
# setup.py is installed into the image offline (--no-index,
# --no-build-isolation) with the interpreter's own setuptools and wheel,
# so `mkxar -o app.xar --console-script hello .` works; an interpreter
# without them is told what is missing; a missing console script's error
# names egg-info and the project install.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_python.sh"
py_require python_project
make_app_tree

mkdir -p "$T/proj/src/hello" "$T/dep/hellodep" "$T/tmp"
cat > "$T/proj/pyproject.toml" <<'EOF2'
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "hello-xar"
version = "1.0"

[project.scripts]
hello = "hello:main"

[tool.setuptools.packages.find]
where = ["src"]
EOF2
cat > "$T/proj/src/hello/__init__.py" <<'EOF2'
import sys
def main():
    try:
        import hellodep
        extra = hellodep.word()
    except ImportError:
        extra = "alone"
    print("hello from a project,", extra, sys.argv[1:])
EOF2
printf 'from setuptools import setup\nsetup(name="hellodep", version="1.0", packages=["hellodep"])\n' > "$T/dep/setup.py"
echo 'def word(): return "with its dependency"' > "$T/dep/hellodep/__init__.py"
echo "$T/dep" > "$T/requirements.txt"

PIPPY=""
for p in "$PY" /usr/bin/python3; do
	"$p" -c 'import setuptools, wheel' 2>/dev/null && { PIPPY=$p; break; }
done
if [ -z "$PIPPY" ]; then
	skip project_install "no interpreter with setuptools and wheel"
else
	if (cd "$T/proj" && TMPDIR="$T/tmp" "$MKXAR" -q --python "$PIPPY" -o "$T/hello.xar" \
	    --console-script hello .) 2>"$T/err"; then
		expect_eq project_console_script "hello from a project, alone ['a']" "$("$T/hello.xar" a 2>&1)"
	else
		fail project_console_script "$(cat "$T/err")"
	fi
	if (cd "$T/proj" && TMPDIR="$T/tmp" "$MKXAR" -q --python "$PIPPY" -o "$T/hello2.xar" \
	    --console-script hello -r "$T/requirements.txt" .) 2>"$T/err"; then
		expect_eq project_with_local_dependency \
		    "hello from a project, with its dependency []" "$("$T/hello2.xar" 2>&1)"
	else
		fail project_with_local_dependency "$(cat "$T/err")"
	fi
	check project_build_dirs_removed sh -c "[ -z \"\$(ls -A '$T/tmp')\" ]"
fi

# An interpreter without wheel (or setuptools) is named, with what it lacks.
NOWHEEL=""
for p in "$PY" /usr/bin/python3 /root/.pyenv/versions/*/bin/python3; do
	[ -x "$p" ] || continue
	"$p" -c 'import wheel' 2>/dev/null || { NOWHEEL=$p; break; }
done
if [ -z "$NOWHEEL" ]; then
	skip project_missing_backend "every interpreter here has wheel"
elif TMPDIR="$T/tmp" "$MKXAR" -q --python "$NOWHEEL" -o "$T/nw.xar" --console-script hello \
    "$T/proj" 2>"$T/err"; then
	fail project_missing_backend "built without wheel"
elif [ "$(wc -l < "$T/err")" -eq 1 ] &&
     grep -q "^mkxar: error: installing a Python project offline needs setuptools and wheel in '.*', which lacks .*wheel" "$T/err"; then
	pass project_missing_backend
else
	fail project_missing_backend "$(cat "$T/err")"
fi

# A missing console script: the error names egg-info and the project way.
if "$MKXAR" -q -o "$T/none.xar" --console-script nothing-here "$T/app/app" 2>"$T/err"; then
	fail missing_console_script_hint "built"
elif grep -q "egg-info" "$T/err" && grep -q "pyproject.toml or setup.py" "$T/err"; then
	pass missing_console_script_hint
else
	fail missing_console_script_hint "$(cat "$T/err")"
fi
