#!/bin/sh
# Python xars: MODULE vs MODULE:FUNCTION, console scripts, argv, stdin,
# exit codes, tracebacks, signals, the environment, build-time entry errors.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_python.sh"
py_require python_entry
make_app_tree

# --- MODULE run as __main__ ---------------------------------------------
if mkpy mod --python-entry app "$T/app" 2>"$T/err"; then
	out=$("$T/mod.xar" "a b" "" 'q"uote' 2>&1)
	expect_eq module_main_argv "main argv=['$T/mod.xar', 'a b', '', 'q\"uote'] name=__main__" "$out"
	"$T/mod.xar" exit 7 >/dev/null 2>&1
	expect_eq module_sys_exit_status 7 $?
	ln -s mod.xar "$T/linked"
	out=$("$T/linked" 2>&1)
	expect_eq argv0_is_invoked_name "main argv=['$T/linked'] name=__main__" "$out"
else
	fail module_build "$(cat "$T/err")"
fi

# --- MODULE:FUNCTION, as a console script would run -----------------------
fn() { # fn NAME FUNCTION: build $T/NAME.xar with entry app:FUNCTION
	mkpy "$1" --python-entry "app:$2" "$T/app" 2>"$T/err" ||
	    { fail "$1_build" "$(cat "$T/err")"; return 1; }
}
if fn show show; then
	out=$("$T/show.xar" --flag "two words" 2>&1)
	expect_eq function_argv "argv=['$T/show.xar', '--flag', 'two words']
name=app" "$out"
	expect_eq function_entry_header app:show "$(header_value "$T/show.xar" XAR_PYTHON_ENTRY)"
fi
if fn status status; then
	"$T/status.xar" 4 >/dev/null 2>&1
	expect_eq function_return_is_exit_status 4 $?
	"$T/status.xar" 0 >/dev/null 2>&1
	expect_eq function_return_zero 0 $?
fi
if fn boom boom; then
	"$T/boom.xar" >"$T/out" 2>"$T/err"
	expect_eq exception_exit_status 1 $?
	if grep -q '^Traceback (most recent call last):' "$T/err" &&
	   grep -q '^ValueError: boom from the app$' "$T/err" &&
	   grep -q "^  File \"$XAR_MOUNT_ROOT/.*/app/__init__.py\", line [0-9]*, in boom$" "$T/err"; then
		pass exception_traceback
	else
		fail exception_traceback "$(tr '\n' ' ' < "$T/err")"
	fi
fi
if fn stdin echo_stdin; then
	out=$(printf 'hello\nworld\n' | "$T/stdin.xar")
	expect_eq stdin_passes_through "got 12 bytes: hello
world" "$out"
fi
sigint_ignored() { # then a process cannot die of SIGINT here
	python3 -c 'import signal, sys; sys.exit(signal.getsignal(signal.SIGINT) != signal.SIG_IGN)'
}
if sigint_ignored; then
	skip keyboard_interrupt_as_installed_script "SIGINT is ignored in this shell"
elif fn intr interrupt; then
	"$T/intr.xar" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -eq 130 ] && grep -q KeyboardInterrupt "$T/err"; then
		pass keyboard_interrupt_as_installed_script
	else
		fail keyboard_interrupt_as_installed_script "status $rc: $(tail -n 1 "$T/err")"
	fi
fi
if fn spawn spawn; then
	expect_eq multiprocessing_spawn "squares=[1, 4, 9]" "$("$T/spawn.xar" 2>&1)"
fi
if fn pids pids; then
	# exec all the way: the shell's pid is the interpreter's
	out=$(sh -c 'echo "pid=$$"; exec "$1"' sh "$T/pids.xar" 2>&1)
	first=$(echo "$out" | sed -n 1p); second=$(echo "$out" | sed -n 2p)
	expect_eq no_process_in_between "$first" "$second"
fi

# --- the environment and a hostile caller PYTHONPATH ---------------------
if fn env env; then
	mkdir -p "$T/evil/encodings"
	echo 'WHO = "caller"' > "$T/evil/shadowed.py"
	echo 'raise SystemExit("caller PYTHONPATH reached the interpreter")' \
	    > "$T/evil/encodings/__init__.py"
	out=$(PYTHONPATH="$T/evil" "$T/env.xar" 2>&1)
	root=$(echo "$out" | sed -n 's/^XAR_RUNTIME_FILES=//p')
	case $root in
	"$XAR_MOUNT_ROOT"/*) pass runtime_files_is_the_mount ;;
	*) fail runtime_files_is_the_mount "$out" ;;
	esac
	expect_eq pythonpath_is_the_image "PYTHONPATH=$root" "$(echo "$out" | grep ^PYTHONPATH=)"
	expect_eq caller_pythonpath_saved "XAR_SAVED_PYTHONPATH=$T/evil" "$(echo "$out" | grep ^XAR_SAVED_PYTHONPATH=)"
	expect_eq image_first_on_sys_path "path0=$root" "$(echo "$out" | grep ^path0=)"
	expect_eq own_module_wins shadowed=app "$(echo "$out" | grep ^shadowed=)"
	expect_eq python_command "XAR_PYTHON_COMMAND=$PYREC" "$(echo "$out" | grep ^XAR_PYTHON_COMMAND=)"
	expect_eq sys_executable "executable=$PYREC" "$(echo "$out" | grep ^executable=)"
	expect_eq invoked_name "XAR_INVOKED_NAME=$T/env.xar" "$(echo "$out" | grep ^XAR_INVOKED_NAME=)"
fi

# --- console scripts ------------------------------------------------------
if mkpy cs --console-script app-show "$T/app" 2>"$T/err"; then
	expect_eq console_script_entry app:show "$(header_value "$T/cs.xar" XAR_PYTHON_ENTRY)"
	out=$("$T/cs.xar" x 2>&1)
	expect_eq console_script_runs "argv=['$T/cs.xar', 'x']
name=app" "$out"
else
	fail console_script_build "$(cat "$T/err")"
fi

# --- wrong entry points fail the build and write nothing -------------------
# build_fails NAME EXPECTED-IN-STDERR MKXAR-ARGS...
build_fails() {
	_name=$1 _want=$2; shift 2
	if "$MKXAR" -q -o "$T/bad.xar" "$@" "$T/app" 2>"$T/err"; then
		fail "$_name" "mkxar succeeded"
	elif [ -e "$T/bad.xar" ] || ls "$T" | grep -q '^bad\.xar.'; then
		fail "$_name" "output left behind: $(ls "$T")"
	elif ! grep -q "^mkxar: error: .*$_want" "$T/err"; then
		fail "$_name" "$(cat "$T/err")"
	else
		pass "$_name"
	fi
}
build_fails missing_entry_module "entry module 'nosuch' is not in the image" \
    --python-entry nosuch:main
build_fails package_without_main "entry 'app' is a package without a __main__" \
    --python-entry app --exclude __main__.py
build_fails unknown_console_script "no console script 'nope' in the image; there are: app-show, app-boom" \
    --console-script nope
build_fails bad_entry_syntax "bad entry point 'app:'" --python-entry app:
