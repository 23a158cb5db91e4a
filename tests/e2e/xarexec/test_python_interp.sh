#!/bin/sh
# Python xars and their interpreter: the real one is recorded (not a shim),
# a missing one is replaced by pythonX.Y on PATH or named in the error; the
# shell bootstrap runs the xar as the original XAR runtime would.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_python.sh"
py_require python_interp
make_app_tree

# --- the recorded interpreter ----------------------------------------------
if mkpy dflt --python-entry app:env "$T/app" 2>"$T/err"; then
	rec=$(header_value "$T/dflt.xar" XAR_PYTHON)
	expect_eq records_real_interpreter "$PY" "$rec"
	case $rec in
	*/shims/*) fail records_no_shim "$rec" ;;
	/*) pass records_no_shim ;;
	*) fail records_no_shim "not absolute: $rec" ;;
	esac
	expect_eq records_version "$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
	    "$(header_value "$T/dflt.xar" XAR_PYTHON_VERSION)"
	expect_eq records_tag "$PYTAG" "$(header_value "$T/dflt.xar" XAR_PYTHON_TAG)"
	expect_eq records_bootstrap_target __xar__/bootstrap.sh \
	    "$(header_value "$T/dflt.xar" XAREXEC_TARGET)"
else
	fail default_build "$(cat "$T/err")"
fi
if [ -x /usr/bin/python3 ] && mkpy deb --python /usr/bin/python3 --python-entry app:env "$T/app" 2>"$T/err"; then
	expect_eq explicit_interpreter_recorded /usr/bin/python3 "$(header_value "$T/deb.xar" XAR_PYTHON)"
	expect_eq explicit_interpreter_runs executable=/usr/bin/python3 \
	    "$("$T/deb.xar" | grep ^executable=)"
fi

# --- a missing interpreter -------------------------------------------------
ver=$(header_value "$T/dflt.xar" XAR_PYTHON_VERSION)
mkdir -p "$T/gone" "$T/alt" "$T/empty"
ln -s "$PY" "$T/gone/python3"
ln -s "$PY" "$T/alt/python$ver"
if mkpy gone --python "$T/gone/python3" --python-entry app:env "$T/app" 2>"$T/err"; then
	expect_eq symlinked_interpreter_recorded "$T/gone/python3" "$(header_value "$T/gone.xar" XAR_PYTHON)"
	rm "$T/gone/python3"
	out=$(PATH="$BUILD:$T/alt:/usr/bin:/bin" "$T/gone.xar" 2>&1)
	expect_eq falls_back_to_python_version_on_path \
	    "XAR_PYTHON_COMMAND=$T/alt/python$ver" "$(echo "$out" | grep ^XAR_PYTHON_COMMAND=)"
	out=$(PATH="$BUILD:$T/empty" "$T/gone.xar" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && echo "$out" | grep -q "^xarexec: error: .*this xar needs Python $ver: '$T/gone/python3' is missing and no python$ver is on PATH$"; then
		pass missing_interpreter_named
	else
		fail missing_interpreter_named "status $rc: $out"
	fi
else
	fail gone_build "$(cat "$T/err")"
fi

# --- the original XAR runtime: /bin/sh -e <mount>/<XAREXEC_TARGET> <xar> ... --
m="$T/sqmnt"
mkdir "$m"
if ! command -v squashfuse >/dev/null 2>&1; then
	skip original_runtime "squashfuse is not installed"
elif squashfuse -o offset=4096 "$T/dflt.xar" "$m"; then
	out=$(cd / && PYTHONPATH=/caller /bin/sh -e "$m/$(header_value "$T/dflt.xar" XAREXEC_TARGET)" \
	    "$T/dflt.xar" "a b" 2>&1)
	expect_eq original_runtime_env "PYTHONPATH=$m
XAR_SAVED_PYTHONPATH=/caller
XAR_PYTHON_COMMAND=$PY
XAR_RUNTIME_FILES=$m
XAR_INVOKED_NAME=$T/dflt.xar
path0=$m
shadowed=app
executable=$PY" "$out"
	if mkpy shargs --python-entry app:show "$T/app" && fusermount3 -u "$m" &&
	   squashfuse -o offset=4096 "$T/shargs.xar" "$m"; then
		out=$(/bin/sh -e "$m/__xar__/bootstrap.sh" "$T/shargs.xar" "a b" "" 2>&1)
		expect_eq original_runtime_argv "argv=['$T/shargs.xar', 'a b', '']
name=app" "$out"
	fi
	fusermount3 -u "$m"
else
	fail original_runtime "squashfuse could not mount the image"
fi

# --- another bytecode tag at run time: runs, warns once under XAR_DEBUG -----
other=""
for p in /root/.pyenv/versions/*/bin/python3 /usr/bin/python3.*; do
	[ -x "$p" ] || continue
	t=$("$p" -c 'import sys; print(sys.implementation.cache_tag)' 2>/dev/null) || continue
	[ "$t" != "$PYTAG" ] && { other=$p; break; }
done
if [ -z "$other" ]; then
	skip other_tag_runs "no interpreter with a bytecode tag other than $PYTAG"
elif squashfuse -o offset=4096 "$T/shargs.xar" "$m"; then
	out=$(cd / && XAR_DEBUG=1 PYTHONPATH="$m" "$other" "$m/__xar__/bootstrap.py" x 2>&1)
	n=$(echo "$out" | grep -c "^xar: warning: bytecode in this xar is for $PYTAG")
	if [ "$n" -eq 1 ] && echo "$out" | grep -q "^argv=\\[.*'x'\\]$"; then
		pass other_tag_runs_and_warns_once
	else
		fail other_tag_runs_and_warns_once "$out"
	fi
	out=$(cd / && PYTHONPATH="$m" "$other" "$m/__xar__/bootstrap.py" x 2>&1)
	expect_eq other_tag_silent_without_debug "argv=['$m/__xar__/bootstrap.py', 'x']
name=app" "$out"
	fusermount3 -u "$m"
fi
