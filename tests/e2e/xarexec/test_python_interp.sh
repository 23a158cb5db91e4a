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
	# the versioned program (python3.11), the same file as sys.executable:
	# python3 points at another minor version on other hosts (issue 16)
	pyver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	if [ "${rec##*/}" = "python$pyver" ] && [ "$rec" -ef "$PY" ]; then
		pass records_versioned_program
	else
		fail records_versioned_program "$rec (sys.executable $PY)"
	fi
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
	debpy=$(readlink -f /usr/bin/python3)
	expect_eq explicit_interpreter_recorded "$debpy" "$(header_value "$T/deb.xar" XAR_PYTHON)"
	expect_eq explicit_interpreter_runs "executable=$debpy" \
	    "$("$T/deb.xar" | grep ^executable=)"
fi

# --- a missing interpreter -------------------------------------------------
ver=$(header_value "$T/dflt.xar" XAR_PYTHON_VERSION)
mkdir -p "$T/gone" "$T/alt" "$T/empty"
ln -s "$PY" "$T/gone/python$ver"
ln -s "$PY" "$T/alt/python$ver"
if mkpy gone --python "$T/gone/python$ver" --python-entry app:env "$T/app" 2>"$T/err"; then
	expect_eq symlinked_interpreter_recorded "$T/gone/python$ver" "$(header_value "$T/gone.xar" XAR_PYTHON)"
	rm "$T/gone/python$ver"
	out=$(PATH="$BUILD:$T/alt:/usr/bin:/bin" "$T/gone.xar" 2>&1)
	expect_eq falls_back_to_python_version_on_path \
	    "XAR_PYTHON_COMMAND=$T/alt/python$ver" "$(echo "$out" | grep ^XAR_PYTHON_COMMAND=)"
	out=$(PATH="$BUILD:$T/empty" "$T/gone.xar" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && echo "$out" | grep -q "^xarexec: error: .*this xar needs Python $ver: '$T/gone/python$ver' is missing and no python$ver is on PATH$"; then
		pass missing_interpreter_named
	else
		fail missing_interpreter_named "status $rc: $out"
	fi
else
	fail gone_build "$(cat "$T/err")"
fi

# --- another version behind the recorded path (issue 16) -------------------
# The recorded python3.X is swapped, in a private mount namespace, for a
# directory whose python3.X leads to another version: xarexec sees it from
# the names alone, falls back to python3.X on PATH or says so, --doctor
# flags it and extraction mode refuses before it extracts anything.
mkdir -p "$T/re" "$T/swap" "$T/fake"
ln -s "$PY" "$T/re/python$ver"
printf '#!/bin/sh\necho wrong-interpreter-ran\n' > "$T/fake/python3.99"
chmod 755 "$T/fake/python3.99"
ln -s "$T/fake/python3.99" "$T/swap/python$ver"
if ! is_root || ! unshare -m true 2>/dev/null; then
	skip swapped_interpreter "no private mount namespace here (unshare -m)"
elif mkpy re --python "$T/re/python$ver" --python-entry app:env "$T/app" 2>"$T/err"; then
	# swapped CMD...: CMD in the namespace; what it mounted there is
	# unmounted there too (the host cannot see it)
	swapped() {
		unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && "$@"; r=$?
			"$0" -u "$T_XAR" >/dev/null 2>&1; exit $r' \
		    "$BUILD/xarexec" "$T/swap" "$T/re" "$@"
	}
	T_XAR=$T/re.xar; export T_XAR
	out=$(swapped env PATH="$BUILD:$T/alt:/usr/bin:/bin" "$T/re.xar" 2>&1)
	expect_eq swapped_interpreter_falls_back \
	    "XAR_PYTHON_COMMAND=$T/alt/python$ver" "$(echo "$out" | grep '^XAR_PYTHON_COMMAND=\|wrong-interpreter')"
	out=$(swapped env PATH="$BUILD:$T/empty" "$T/re.xar" 2>&1); rc=$?
	if [ $rc -ne 0 ] && echo "$out" | grep -q "^xarexec: error: .*this xar needs Python $ver: '$T/re/python$ver' is another Python version and no python$ver is on PATH$"; then
		pass swapped_interpreter_named
	else
		fail swapped_interpreter_named "status $rc: $out"
	fi
	out=$(swapped env PATH="$BUILD:$T/empty" "$BUILD/xarexec" --doctor "$T/re.xar" 2>&1); rc=$?
	if [ $rc -ne 0 ] && echo "$out" | grep -q "^problem: .*re.xar: .*another Python version"; then
		pass doctor_flags_swapped_interpreter
	else
		fail doctor_flags_swapped_interpreter "status $rc: $out"
	fi
	mkdir -p "$T/xdg"
	out=$(swapped env PATH="$BUILD:$T/empty" XDG_CACHE_HOME="$T/xdg" XAR_EXTRACT=1 "$T/re.xar" 2>&1); rc=$?
	if [ $rc -ne 0 ] && echo "$out" | grep -q "another Python version" &&
	   [ -z "$(find "$T/xdg" -mindepth 2 -name '*' -type f 2>/dev/null | head -n 1)" ]; then
		pass extract_mode_checks_interpreter_first
	else
		fail extract_mode_checks_interpreter_first "status $rc: $out; $(find "$T/xdg" | head -n 5)"
	fi
	out=$(PATH="$BUILD:$T/empty" "$BUILD/xarexec" --doctor "$T/re.xar" 2>&1)
	if echo "$out" | grep -q "^ok: .*re.xar runs with $T/re/python$ver$"; then
		pass doctor_ok_unswapped
	else
		fail doctor_ok_unswapped "$out"
	fi
else
	fail swapped_build "$(cat "$T/err")"
fi

# --- extension modules for another CPython are refused at build time -------
mkdir -p "$T/abi"
cp -R "$T/app/." "$T/abi/"
other_tag=cpython-3$(( ${ver#*.} + 1 ))
: > "$T/abi/ext.$other_tag-x86_64-linux-gnu.so"
if mkpy abi --python-entry app:env "$T/abi" 2>"$T/err"; then
	fail abi_mismatch_refused "built with ext.$other_tag-x86_64-linux-gnu.so"
elif grep -q "^mkxar: error: 'ext.$other_tag-x86_64-linux-gnu.so' is an extension module for $other_tag, but the interpreter .* is $PYTAG" "$T/err" &&
     [ ! -e "$T/abi.xar" ]; then
	pass abi_mismatch_refused
else
	fail abi_mismatch_refused "$(cat "$T/err")"
fi
rm "$T/abi/ext.$other_tag-x86_64-linux-gnu.so"
: > "$T/abi/ext.$PYTAG-x86_64-linux-gnu.so"
: > "$T/abi/stable.abi3.so"
check abi_matching_and_abi3_accepted mkpy abi --python-entry app:env "$T/abi"

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
XAR_PYTHON_COMMAND=$rec
XAR_RUNTIME_FILES=$m
XAR_INVOKED_NAME=$T/dflt.xar
path0=$m
shadowed=app
executable=$rec" "$out"
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
